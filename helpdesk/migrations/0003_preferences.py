"""Preferences per user (the columns of the case list, for a start).

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import (
    AutoField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    Model,
    TextField,
)


def upgrade(db, migrator):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        id = AutoField()

        class Meta:
            table_name = "user"

    class Preference(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        key = CharField(max_length=50)
        value = TextField()
        updated_at = DateTimeField()

        class Meta:
            primary_key = CompositeKey("user", "key")

    db.create_tables([Preference])
