"""Personal access tokens: a person's key to the API, with a name, an expiry and scopes.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is made.
``prefix`` (the first characters) lets its owner tell tokens apart in the list.
"""

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


class ApiToken(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100)
    hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=12)
    scopes = CharField(max_length=200)  # space-separated names of ``service.SCOPES``
    expires_at = DateTimeField()
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    class Meta:
        # A person's tokens, newest first (the profile's list and the portal admin's).
        indexes = ((("user", "id"), False),)

    @property
    def scope_names(self) -> tuple[str, ...]:
        return tuple(self.scopes.split())

    @property
    def organisation_id(self) -> int | None:
        # The audit log files a token under its person's organisation.
        return self.user.organisation_id


class Webhook(BaseModel):
    """A URL a vendor admin registered for events; ``secret`` signs each delivery (HMAC), so
    it is kept as it is. ``allowed_host`` is a host the admin explicitly allowed although it
    resolves to a private, loopback or link-local address."""

    id = AutoField()
    url = CharField(max_length=2000)
    events = CharField(max_length=200)  # space-separated names of ``webhooks.EVENTS``
    secret = CharField(max_length=64)
    allowed_host = CharField(max_length=253, null=True)
    active = BooleanField(default=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(self.events.split())


class WebhookDelivery(BaseModel):
    """One event for one webhook: the delivery log, and the queue of retries."""

    id = AutoField()
    webhook = ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    event = CharField(max_length=50)
    payload = TextField()
    state = CharField(max_length=10, default="pending")  # pending, sent, failed
    attempts = IntegerField(default=0)
    next_try_at = DateTimeField(default=utcnow)
    response_status = IntegerField(null=True)
    error = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    delivered_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("webhook", "id"), False), (("state", "next_try_at"), False))
