"""The admin's settings (issue 16): a small key-value table, ``portal_setting``, for what a
vendor admin changes at run time (two-factor for agents, the vendor's name, colour, logo and
favicon). The model below is a frozen copy of the table as it was in this release."""

from peewee import CharField, DateTimeField, TextField

from helpdesk.migrations import frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)

    class PortalSetting(Base):
        key = CharField(max_length=50, primary_key=True)
        value = TextField()
        updated_at = DateTimeField()

    db.create_tables([PortalSetting])
