"""Personal access tokens of the API, webhooks and their delivery log (issue 18).

The models below are frozen copies of the tables as they were in this release.
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

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")

    class ApiToken(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        name = CharField(max_length=100)
        hash = CharField(max_length=64, unique=True)
        prefix = CharField(max_length=12)
        scopes = CharField(max_length=200)
        expires_at = DateTimeField()
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("user", "id"), False),)

    class Webhook(Base):
        id = AutoField()
        url = CharField(max_length=2000)
        events = CharField(max_length=200)
        secret = CharField(max_length=64)
        allowed_host = CharField(max_length=253, null=True)
        active = BooleanField()
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

    class WebhookDelivery(Base):
        id = AutoField()
        webhook = ForeignKeyField(Webhook, on_delete="CASCADE")
        event = CharField(max_length=50)
        payload = TextField()
        state = CharField(max_length=10)
        attempts = IntegerField()
        next_try_at = DateTimeField()
        response_status = IntegerField(null=True)
        error = TextField(null=True)
        created_at = DateTimeField()
        delivered_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("webhook", "id"), False), (("state", "next_try_at"), False))

    db.create_tables([ApiToken, Webhook, WebhookDelivery])
