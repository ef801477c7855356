"""Large case exports prepared by a job (issue 19, item 4): who asked for which list, and the
file once written. The model below is a frozen copy of the table as it was in this release.
"""

from peewee import (
    AutoField,
    BigIntegerField,
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

    class CaseExport(Base):
        id = AutoField()
        key = CharField(max_length=43, unique=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        format = CharField(max_length=4)
        filters = TextField()
        language = CharField(max_length=5)
        timezone = CharField(max_length=64)
        rows = IntegerField()
        state = CharField(max_length=10)
        stored_name = CharField(max_length=80, null=True)
        size = BigIntegerField(null=True)
        created_at = DateTimeField()
        expires_at = DateTimeField(index=True)

    db.create_tables([CaseExport])
