"""Accounts (ACC-1..4): confirmation and approval state and the second factor on ``user``;
tokens for mailed links, invitations, recovery codes.

The models below are frozen copies of the tables as they were in this release. ``approval``
is NOT NULL: added by one raw ALTER TABLE (never a table rebuild, see the package docstring);
every existing user is ``approved``.
"""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    from playhouse.migrate import migrate

    Base = frozen_base(db)
    User = existing(Base, "user")
    Organisation = existing(Base, "organisation")

    migrate(
        migrator.add_column("user", "email_confirmed_at", DateTimeField(null=True)),
        migrator.add_column("user", "totp_secret", CharField(max_length=64, null=True)),
        migrator.add_column("user", "totp_last_step", IntegerField(null=True)),
    )
    db.execute_sql(
        "ALTER TABLE \"user\" ADD COLUMN approval VARCHAR(12) NOT NULL DEFAULT 'approved'"
    )

    class AccountToken(Base):
        id = AutoField()
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        purpose = CharField(max_length=20)
        hash = CharField(max_length=64, unique=True)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        created_at = DateTimeField()

    class Invitation(Base):
        id = AutoField()
        token = ForeignKeyField(AccountToken, unique=True, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        inviter = ForeignKeyField(User, on_delete="CASCADE")
        email = CharField(max_length=254)
        name = CharField(max_length=200)
        role = CharField(max_length=20)
        support_authorised = BooleanField()
        information_recipient = BooleanField()
        revoked_at = DateTimeField(null=True)
        created_at = DateTimeField()

    class RecoveryCode(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        hash = CharField(max_length=64)
        used_at = DateTimeField(null=True)
        created_at = DateTimeField()

    db.create_tables([AccountToken, Invitation, RecoveryCode])
