"""Inbound mail (MAIL-3): one row per Message-ID that reached the portal.

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import AutoField, BlobField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Case = existing(Base, "case")
    Event = existing(Base, "event")

    class InboundMessage(Base):
        id = AutoField()
        message_id = CharField(max_length=255, unique=True)
        received_at = DateTimeField()
        source = CharField(max_length=10)
        sender = CharField(max_length=254)
        subject = TextField()
        state = CharField(max_length=10)
        reason = TextField(null=True)
        case = ForeignKeyField(Case, null=True, on_delete="SET NULL")
        event = ForeignKeyField(Event, null=True, on_delete="SET NULL")
        raw = BlobField()

        class Meta:
            indexes = ((("state", "received_at"), False),)

    db.create_tables([InboundMessage])
