"""Mail domains of organisations (ACC-3: registration finds the organisation by its domain).

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation = existing(Base, "organisation")

    class OrganisationDomain(Base):
        id = AutoField()
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        domain = CharField(max_length=253, unique=True)
        created_at = DateTimeField()

    db.create_tables([OrganisationDomain])
