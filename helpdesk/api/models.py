"""Personal access tokens: a person's key to the API, with a name, an expiry and scopes.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is made.
``prefix`` (the first characters) lets its owner tell tokens apart in the list.
"""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

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
