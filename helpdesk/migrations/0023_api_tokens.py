"""Personal access tokens of the API (issue 18).

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

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

    db.create_tables([ApiToken])
