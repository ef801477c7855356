"""Single sign-on (issue 20): the OpenID Connect providers an admin configures, the links of
accounts to them, sign-ins under way, and the OAuth2 tokens of the mail connections. New
tables only. The models below are frozen copies of the tables as they were in this release.
"""

from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")

    class SignInProvider(Base):
        id = AutoField()
        name = CharField(max_length=100)
        issuer = CharField(max_length=500)
        client_id = CharField(max_length=500)
        client_secret = TextField()
        allowed_domains = TextField(default="")
        user_claim = CharField(max_length=100, default="email")
        agents_from = TextField(default="")
        customers = BooleanField(default=False)
        emails_verified = BooleanField(default=False)
        trust_mfa = BooleanField(default=False)
        active = BooleanField(default=True)
        created_at = DateTimeField()

    class ProviderLink(Base):
        id = AutoField()
        provider = ForeignKeyField(SignInProvider, on_delete="CASCADE")
        subject = CharField(max_length=255)
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("provider", "subject"), True), (("user",), False))

    class SsoAttempt(Base):
        id = AutoField()
        provider = ForeignKeyField(SignInProvider, on_delete="CASCADE")
        state_hash = CharField(max_length=64, unique=True)
        nonce = CharField(max_length=100)
        code_verifier = CharField(max_length=200)
        next_url = CharField(max_length=500, null=True)
        created_at = DateTimeField()
        used_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("created_at",), False),)

    class MailboxToken(Base):
        id = AutoField()
        purpose = CharField(max_length=10, unique=True)
        preset = CharField(max_length=20, default="generic")
        token_url = CharField(max_length=500)
        client_id = CharField(max_length=500)
        client_secret = TextField()
        scope = CharField(max_length=500, default="")
        username = CharField(max_length=254)
        refresh_token = TextField(null=True)
        access_token = TextField(null=True)
        expires_at = DateTimeField(null=True)
        last_error = TextField(null=True)
        failed_at = DateTimeField(null=True)
        mailed_at = DateTimeField(null=True)
        updated_at = DateTimeField()

        class Meta:
            indexes = ((("expires_at",), False),)

    db.create_tables([SignInProvider, ProviderLink, SsoAttempt, MailboxToken])
