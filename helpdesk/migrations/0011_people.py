"""Organisation profile addresses, profile pictures, news addresses and the audit log
(ACC-4 to ACC-7, REP-2).

The models below are frozen copies of the tables as they were in this release.
"""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation = existing(Base, "organisation")
    User = existing(Base, "user")

    class NewsAddress(Base):
        id = AutoField()
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        email = CharField(max_length=254)
        confirmed_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            indexes = ((("organisation", "email"), True),)

    class AuditLog(Base):
        id = AutoField()
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        organisation = ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
        action = CharField(max_length=100)
        target_type = CharField(max_length=50)
        target_id = CharField(max_length=50, null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        created_at = DateTimeField()

        class Meta:
            indexes = ((("organisation", "id"), False),)

    for column in ("correspondence_address", "billing_address", "delivery_address"):
        db.execute_sql(f'ALTER TABLE "organisation" ADD COLUMN "{column}" TEXT')
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "picture_version" INTEGER NOT NULL DEFAULT 0')
    db.create_tables([NewsAddress, AuditLog])
