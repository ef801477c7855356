"""Time records on cases, the agents' running timers and each case's settlement (DOC-3,
seed 004: "time records grouped by call id, each marked free fix or billable").

A record is never changed: a correction is a new record (``corrects`` names the original)
whose minutes are added to it, so every sum over the records is the corrected total.
"""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.accounts.models import Organisation, User
from helpdesk.cases.models import Case
from helpdesk.contracts.models import Contract
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class TimeRecord(BaseModel):
    id = AutoField()
    case = ForeignKeyField(Case, backref="time_records", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    agent = ForeignKeyField(User, null=True, on_delete="SET NULL")
    worked_on = DateField()
    minutes = IntegerField()  # negative in a correction that takes time off
    activity = CharField(max_length=100)
    note = TextField(null=True)
    billable = BooleanField()
    reason = TextField(null=True)  # why billable differs from the type's default, or corrected
    corrects = ForeignKeyField("self", null=True, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "id"), False), (("organisation", "worked_on"), False))


class RunningTimer(BaseModel):
    """An agent's timer on a case, kept on the server so that it survives a reload."""

    case = ForeignKeyField(Case, on_delete="CASCADE")
    agent = ForeignKeyField(User, on_delete="CASCADE")
    started_at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("case", "agent")


class Settlement(BaseModel):
    """Whether the case as a whole is billable support or a free fix (seed 004's closing)."""

    case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
    billable = BooleanField()
    settled_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    settled_at = DateTimeField(default=utcnow)


class UnitDraw(BaseModel):
    """The minutes a billable record took from a units contract: one per record."""

    id = AutoField()
    record = ForeignKeyField(TimeRecord, unique=True, on_delete="CASCADE")
    contract = ForeignKeyField(Contract, backref="draws", on_delete="CASCADE")
    minutes = IntegerField()
    created_at = DateTimeField(default=utcnow)
