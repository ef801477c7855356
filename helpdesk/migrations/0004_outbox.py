"""The mail outbox (MAIL-2).

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Case = existing(Base, "case")

    class OutboxMessage(Base):
        id = AutoField()
        message_id = CharField(max_length=255, unique=True)
        sender = CharField(max_length=254)
        recipients = TextField()
        subject = TextField()
        raw = TextField()
        state = CharField(max_length=10)
        tries = IntegerField()
        next_try_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        last_error = TextField(null=True)
        created_at = DateTimeField(index=True)
        sent_at = DateTimeField(null=True)
        case = ForeignKeyField(Case, null=True, on_delete="SET NULL")

        class Meta:
            indexes = (
                (("state", "next_try_at"), False),
                (("state", "created_at"), False),
            )

    db.create_tables([OutboxMessage])
