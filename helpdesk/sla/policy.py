"""What a vendor plugin declares about business time: SLA targets and status timers.

Plain frozen objects, returned by the hooks ``helpdesk_sla_policy`` and
``helpdesk_status_timers`` (the calendar itself is a ``BusinessCalendar``). The clocks
(``helpdesk.sla.clocks``) and the timer sweep (``helpdesk.sla.timers``) read them through
``sla_policy()``, ``status_timers()`` and ``calendar()``, which ask the plugins on every call:
the answers are small. The calendar is kept per app context (see ``calendar``).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from flask import current_app, g

from helpdesk.sla.calendar import BusinessCalendar


@dataclass(frozen=True)
class ResponseTarget:
    """First- and next-response targets in business minutes (None: no target)."""

    first: int | None
    next: int | None = None


@dataclass(frozen=True)
class SlaPolicy:
    """Response targets by severity key, optionally refined by contract class (A, B, C).

    ``by_class[(severity, contract_class)]`` wins over ``by_severity[severity]``, which wins
    over ``default``. ``warn_at`` is the share of a target's business time after which the
    assignee is warned (0.75: a quarter of the time is left).
    """

    by_severity: dict = field(default_factory=dict, hash=False)
    by_class: dict = field(default_factory=dict, hash=False)
    default: ResponseTarget = ResponseTarget(None, None)
    warn_at: float = 0.75

    def target(self, severity: str, contract_class: str | None) -> ResponseTarget:
        return self.by_class.get(
            (severity, contract_class), self.by_severity.get(severity, self.default)
        )


class Unit(StrEnum):
    """How a timer counts: calendar days (the same local time of day, across clock changes
    too) or elapsed hours, or the calendar's business days or hours."""

    DAYS = "days"
    HOURS = "hours"
    BUSINESS_DAYS = "business_days"
    BUSINESS_HOURS = "business_hours"


class Action(StrEnum):
    REMIND = "remind"  # mail the requester a reminder; the status stays
    MOVE = "move"  # move to ``Timer.to_status``
    CLOSE = "close"  # move to the first closed status
    RESUBMIT = "resubmit"  # the resubmission date came: back to ``to_status`` and the assignee


@dataclass(frozen=True)
class Timer:
    """One step of what happens to a case left in ``status`` without a customer answer.

    A status's timers run in the order declared, each counted from the previous step (the
    first from entering the status, or from the customer's last public message, whichever is
    later). ``mail`` names a template in ``templates/mail/`` sent to the requester.
    A ``RESUBMIT`` timer ignores ``after``: it is due at the case's resubmission date.
    """

    status: str
    after: int
    unit: Unit
    action: Action
    to_status: str | None = None
    mail: str | None = None

    def due(self, calendar: BusinessCalendar, start: datetime) -> datetime:
        """When the timer falls due, counted from ``start`` (naive UTC): calendar days at the
        same local time of day in the calendar's zone, hours as elapsed time."""
        if self.unit == Unit.DAYS:
            return calendar.add_days(start, self.after)
        if self.unit == Unit.HOURS:
            return start + timedelta(hours=self.after)
        if self.unit == Unit.BUSINESS_DAYS:
            return calendar.add_business_days(start, self.after)
        return calendar.add_business_time(start, timedelta(hours=self.after))


def calendar() -> BusinessCalendar:
    """The admin's override if one is stored, else the plugins' calendar; kept for the app
    context (a sweep asks for it per case), forgotten when an admin saves one."""
    from helpdesk.sla.models import CalendarOverride

    if "sla_calendar" not in g:
        stored = CalendarOverride.current()
        if stored is not None:
            g.sla_calendar = _stored_calendar(stored.data)
        else:
            g.sla_calendar = _hook().helpdesk_calendar()
    return g.sla_calendar


@lru_cache(maxsize=8)
def _stored_calendar(data: str) -> BusinessCalendar:
    """An admin's calendar, built once per process for each stored text: every other worker
    sees the row an admin saves as a new text, so none keeps an old calendar."""
    return BusinessCalendar.from_dict(json.loads(data))


def forget_calendar() -> None:
    g.pop("sla_calendar", None)


def plugin_calendar() -> BusinessCalendar:
    return _hook().helpdesk_calendar()


def sla_policy() -> SlaPolicy:
    return _hook().helpdesk_sla_policy()


def status_timers(status: str) -> list[Timer]:
    """The timers of ``status`` in order; every plugin's lists are joined."""
    answers = _hook().helpdesk_status_timers()
    return [t for timers in reversed(answers) for t in timers if t.status == status]


def _hook():
    return current_app.extensions["plugins"].hook
