"""The clocks of a case and the admin's calendar override.

``CaseClock`` is one row per case, kept beside the case rather than in it so the sweep reads a
small table by one index (``timer_due_at``), and the queue's "breaching soon" view another
(``response_due_at``). Every column is written by ``helpdesk.sla.clocks`` inside the change
that causes it, and by the sweep when it acts.
"""

from peewee import CharField, DateTimeField, FloatField, ForeignKeyField, IntegerField, TextField

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.db import BaseModel, Prepared
from helpdesk.timeutil import utcnow


class CaseClock(BaseModel):
    case = ForeignKeyField(Case, primary_key=True, backref="clocks", on_delete="CASCADE")
    # The response clock: "first" or "next" while support owes an answer, else None.
    response_kind = CharField(max_length=10, null=True)
    response_started_at = DateTimeField(null=True)
    response_target = IntegerField(null=True)  # business minutes
    # The calendar the target runs on (``BusinessCalendar.to_dict`` as JSON) when the target
    # names one; None: the vendor's calendar.
    response_calendar = TextField(null=True)
    response_paused = FloatField(default=0)  # business minutes spent waiting on the customer
    response_due_at = DateTimeField(null=True)
    paused_since = DateTimeField(null=True)
    first_responded_at = DateTimeField(null=True)
    breached_at = DateTimeField(null=True)  # the latest breach of a response target
    # When the sweep next warns: before the breach (stage 0), at it (stage 1).
    alert_at = DateTimeField(null=True)
    alert_stage = IntegerField(default=0)
    # The status timers: the status's step ``timer_step`` is due at ``timer_due_at``, counted
    # from ``timer_base_at``.
    timer_status = CharField(max_length=50, null=True)
    timer_step = IntegerField(default=0)
    timer_base_at = DateTimeField(null=True)
    timer_due_at = DateTimeField(null=True)
    resubmit_at = DateTimeField(null=True)  # seed 004: hold until this instant

    class Meta:
        indexes = (
            (("timer_due_at",), False),
            (("alert_at",), False),
            (("response_due_at",), False),
        )


class CalendarOverride(BaseModel):
    """An admin's business calendar (``BusinessCalendar.to_dict`` as JSON); the newest row
    wins over the plugins' calendar. Rows are kept as the history of changes."""

    data = TextField()
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = DateTimeField(default=utcnow)
    active = IntegerField(default=1)  # 0: the admin went back to the plugin's calendar

    @classmethod
    def current(cls):
        row = _latest_override.first()
        return row if row is not None and row.active else None


#: Asked wherever business time is counted (case pages, every change of a case): compiled once.
_latest_override = Prepared(
    lambda: CalendarOverride.select().order_by(CalendarOverride.id.desc()).limit(1)
)
