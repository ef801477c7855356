"""Sign-in providers an admin configured, accounts linked to them, and sign-ins under way."""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.accounts.models import User
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


def domains_of(text: str | None) -> set[str]:
    """A stored list of mail domains (separated by spaces or commas) as a set, lower case."""
    return {d.strip().lower().lstrip("@") for d in (text or "").replace(",", " ").split() if d}


class SignInProvider(BaseModel):
    """An OpenID Connect provider (ACC-7): who may come in through it is said by its domains."""

    id = AutoField()
    name = CharField(max_length=100)  # shown on the button: "Sign in with <name>"
    issuer = CharField(max_length=500)  # its metadata is at <issuer>/.well-known/...
    client_id = CharField(max_length=500)
    client_secret = TextField()  # Fernet token (``crypto``)
    allowed_domains = TextField(default="")  # addresses of these domains may sign in
    user_claim = CharField(max_length=100, default="email")  # the claim naming the account
    agents_from = TextField(default="")  # domains whose unknown people become agents
    customers = BooleanField(default=False)  # customers of the allowed domains too
    emails_verified = BooleanField(default=False)  # the provider vouches for every address
    trust_mfa = BooleanField(default=False)  # its MFA (``amr``) replaces our second factor
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def domains(self) -> set[str]:
        return domains_of(self.allowed_domains)

    @property
    def agent_domains(self) -> set[str]:
        return domains_of(self.agents_from)


class ProviderLink(BaseModel):
    """An account and the subject (``sub``) the provider knows it by: made at the first
    sign-in, by verified e-mail address; later sign-ins find the account by it."""

    id = AutoField()
    provider = ForeignKeyField(SignInProvider, backref="links", on_delete="CASCADE")
    subject = CharField(max_length=255)
    user = ForeignKeyField(User, backref="provider_links", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("provider", "subject"), True), (("user",), False))


class SsoAttempt(BaseModel):
    """A sign-in sent to a provider and not yet back: its state (only the SHA-256), nonce and
    PKCE verifier. The answer uses it up once; a replayed answer finds it used."""

    id = AutoField()
    provider = ForeignKeyField(SignInProvider, on_delete="CASCADE")
    state_hash = CharField(max_length=64, unique=True)
    nonce = CharField(max_length=100)
    code_verifier = CharField(max_length=200)
    next_url = CharField(max_length=500, null=True)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("created_at",), False),)


class MailboxToken(BaseModel):
    """How the portal gets OAuth2 access tokens for one mail connection (``smtp`` for the
    outbox, ``imap`` for the poller): secrets and tokens encrypted (``crypto``)."""

    id = AutoField()
    purpose = CharField(max_length=10, unique=True)  # "smtp" or "imap"
    preset = CharField(max_length=20, default="generic")  # microsoft365, google, generic
    token_url = CharField(max_length=500)
    # Where the admin's consent goes; empty: the provider's metadata says (``mailbox``).
    authorize_url = CharField(max_length=500, default="")
    client_id = CharField(max_length=500)
    client_secret = TextField()
    scope = CharField(max_length=500, default="")
    username = CharField(max_length=254)  # the mailbox's address (the XOAUTH2 user)
    # The mail server; an empty host: the configuration's (MAIL_SERVER or IMAP_HOST).
    host = CharField(max_length=255, default="")
    port = IntegerField(null=True)
    security = CharField(max_length=10, default="")  # "ssl", "starttls" or "none"
    refresh_token = TextField(null=True)  # from the admin's consent; None: client credentials
    access_token = TextField(null=True)
    expires_at = DateTimeField(null=True)
    last_error = TextField(null=True)  # the last refresh's failure, in plain words
    failed_at = DateTimeField(null=True)
    mailed_at = DateTimeField(null=True)  # admins were told of this failure
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("expires_at",), False),)
