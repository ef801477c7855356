"""Preferences per user (the columns of the case list, for a start).

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import (
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    TextField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")

    class Preference(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        key = CharField(max_length=50)
        value = TextField()
        updated_at = DateTimeField()

        class Meta:
            primary_key = CompositeKey("user", "key")

    db.create_tables([Preference])
