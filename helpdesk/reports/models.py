"""The daily roll-up the dashboard reads instead of scanning cases.

One row per UTC day, organisation, team, product and channel: how many cases were opened,
solved and closed that day. ``team`` and ``product`` are ids (0: none) rather than foreign
keys so the key stays one unique index; the rows are counts, never shown alone.
"""

from peewee import AutoField, CharField, DateField, ForeignKeyField, IntegerField

from helpdesk.accounts.models import Organisation
from helpdesk.db import BaseModel


class DailyCaseCount(BaseModel):
    id = AutoField()
    day = DateField()
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    channel = CharField(max_length=10)
    opened = IntegerField(default=0)
    solved = IntegerField(default=0)
    closed = IntegerField(default=0)

    class Meta:
        indexes = (
            # the upsert's key; the dashboard reads a period of days
            (("day", "organisation", "team", "product", "channel"), True),
            # a customer's own organisation's period
            (("organisation", "day"), False),
        )
