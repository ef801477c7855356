"""What a vendor plugin declares about business time: SLA targets and status timers.

Plain frozen objects, returned by the hooks ``helpdesk_response_target`` (the core's answer
reads ``helpdesk_sla_policy``) and ``helpdesk_status_timers`` (the calendar itself is a
``BusinessCalendar``). The clocks (``helpdesk.sla.clocks``) and the timer sweep
(``helpdesk.sla.timers``) read them through ``response_target()``, ``sla_policy()``,
``status_timers()`` and ``calendar()``, which ask the plugins on every call: the answers are
small. The calendar is kept per app context (see ``calendar``).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from flask import current_app, g

from helpdesk.sla.calendar import BusinessCalendar


class Unit(StrEnum):
    """How a timer or a response target counts: calendar days (the same local time of day,
    across clock changes too) or elapsed hours, or the calendar's business days, hours or
    minutes (response targets count business time only)."""

    DAYS = "days"
    HOURS = "hours"
    BUSINESS_DAYS = "business_days"
    BUSINESS_HOURS = "business_hours"
    BUSINESS_MINUTES = "business_minutes"


#: The units a ``ResponseTarget`` may count in.
TARGET_UNITS = (Unit.BUSINESS_MINUTES, Unit.BUSINESS_HOURS, Unit.BUSINESS_DAYS)


@dataclass(frozen=True)
class ResponseTarget:
    """First- and next-response targets (None: no target) in ``unit`` of business time,
    counted on ``calendar`` (None: the vendor's calendar, or an admin's where one is saved).

    ``ResponseTarget(30)`` is 30 business minutes; ``ResponseTarget(2, 4,
    Unit.BUSINESS_HOURS)`` 2 and 4 business hours. ``ResponseTarget(3,
    unit=Unit.BUSINESS_DAYS)`` is three full business days (``BusinessCalendar.business_day``,
    the longest weekday's opening hours) of business time: "within 3 business days" of a case
    opened Monday 10:00 is Thursday 10:00 on a calendar whose days are all as long; a case
    opened on a closed day counts from the next opening, so it is due at the end of the third
    business day. Counting business time, not "the end of the third business day after", keeps
    every target one kind of quantity: waiting on the customer pauses it and the warning comes
    at ``warn_at`` of it, whatever the unit. A ``calendar`` of its own runs the target on other
    hours than the vendor's (seed 004: priority A worked at night, a 24/7 calendar).
    """

    first: int | None
    next: int | None = None
    unit: Unit = Unit.BUSINESS_MINUTES
    calendar: BusinessCalendar | None = None

    def __post_init__(self):
        if self.unit not in TARGET_UNITS:
            raise ValueError(f"a response target counts business time, not {self.unit!r}")

    def minutes(self, kind: str, calendar: BusinessCalendar) -> int | None:
        """The ``kind`` (``"first"`` or ``"next"``) target in business minutes on
        ``calendar`` (the one the target runs on), or None."""
        amount = getattr(self, kind)
        if amount is None:
            return None
        if self.unit == Unit.BUSINESS_DAYS:
            return round(amount * calendar.business_day / timedelta(minutes=1))
        return round(amount * (60 if self.unit == Unit.BUSINESS_HOURS else 1))


@dataclass(frozen=True)
class SlaPolicy:
    """Response targets by severity key, optionally refined by contract class key.

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
        if self.unit == Unit.BUSINESS_MINUTES:
            return calendar.add_business_time(start, timedelta(minutes=self.after))
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


def clock_calendar(stored: str | None) -> BusinessCalendar:
    """The calendar a response clock runs on: the one its target named (``stored``, the
    calendar's ``to_dict`` as JSON, kept on the clock row), else the vendor's."""
    return _stored_calendar(stored) if stored else calendar()


def plugin_calendar() -> BusinessCalendar:
    return _hook().helpdesk_calendar()


def sla_policy() -> SlaPolicy:
    return _hook().helpdesk_sla_policy()


def response_target(case) -> ResponseTarget:
    """The response targets of ``case`` as it is now (type, severity, priority, contract class,
    product, organisation): the plugins' answer, by default ``SlaPolicy.target``."""
    return _hook().helpdesk_response_target(case=case)


def status_timers(status: str) -> list[Timer]:
    """The timers of ``status`` in order; every plugin's lists are joined. Inside
    ``timers_kept`` the plugins are asked once per status."""
    kept = _kept_timers.get()
    if kept is not None and status in kept:
        return kept[status]
    answers = _hook().helpdesk_status_timers()
    timers = [t for timers in reversed(answers) for t in timers if t.status == status]
    if kept is not None:
        kept[status] = timers
    return timers


#: Set by ``timers_kept``: the timers of each status asked for inside, by status.
_kept_timers: ContextVar[dict[str, list[Timer]] | None] = ContextVar("kept_timers", default=None)


@contextmanager
def timers_kept() -> Iterator[None]:
    """Inside (a timer sweep's batch, which asks for a status's timers three times a case),
    ``status_timers`` keeps the plugins' answers."""
    token = _kept_timers.set({})
    try:
        yield
    finally:
        _kept_timers.reset(token)


def _hook():
    return current_app.extensions["plugins"].hook
