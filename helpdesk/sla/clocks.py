"""The SLA clocks and the status timers' schedule, kept by every change of a case.

An implementation of ``helpdesk_case_changed`` (registered by the core as
``core.sla``): inside the change's transaction it reads the new timeline entries and updates
the case's ``CaseClock`` row, so the clocks are right on every channel and roll back with the
change. The rules (SLA-2, SLA-3, FLOW-3):

- Opening a case starts the first-response clock; a public agent message answers it; a public
  customer message (or a reopening) starts the next-response clock when none runs.
- While the case waits on the customer (core categories waiting and hold) the clock pauses;
  on resuming, the due time moves on by the paused business time. Solved and closed stop it.
- The target is the plugins' answer for the case (``helpdesk_response_target``), in business
  minutes on the calendar it names (kept on the row as ``response_calendar``), else the
  vendor's. A change of type, severity, priority or product recomputes it from the clock's
  start; the field entry carries the agent's reason.
- Entering a status, or a customer's public message, restarts that status's timers from the
  first step. The timer sweep sets ``EFFECTIVE_AT`` to the instant each case's step was due,
  so a status it moves to counts from then, not from when a late worker got round to it.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from helpdesk.cases.models import EventKind, Visibility
from helpdesk.db import is_postgres, save_changed
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Category, current_policy
from helpdesk.sla import policy as sla
from helpdesk.sla.models import CaseClock

#: Set by the timer sweep while it acts: the instant each acting timer was due, by case id.
EFFECTIVE_AT: ContextVar[dict[int, datetime] | None] = ContextVar("sla_effective_at", default=None)

PAUSED = (Category.WAITING, Category.HOLD)
STOPPED = (Category.SOLVED, Category.CLOSED)


@contextmanager
def effective_times() -> Iterator[dict[int, datetime]]:
    """The sweep's ``EFFECTIVE_AT`` for what it does inside: it puts each case's instant in
    the mapping yielded. A block inside another joins it (a batch's hooks run at its end)."""
    if EFFECTIVE_AT.get() is not None:
        yield EFFECTIVE_AT.get()
        return
    times: dict[int, datetime] = {}
    token = EFFECTIVE_AT.set(times)
    try:
        yield times
    finally:
        EFFECTIVE_AT.reset(token)


@hookimpl
def helpdesk_case_changed(events):
    by_case = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    if not by_case:
        return
    calendar, effective = sla.calendar(), EFFECTIVE_AT.get() or {}
    clocks = clocks_of(list(by_case))
    changed = []
    for case_id, case_events in by_case.items():
        case = case_events[-1].case
        clock = clocks[case_id]
        restart = None
        for event in case_events:
            if _apply(clock, case, event):
                restart = event.created_at
        if restart is not None or clock.timer_status != case.status:
            clock.timer_status = case.status
            clock.timer_step = 0
            clock.timer_base_at = effective.get(case_id) or restart or case_events[-1].created_at
        schedule_timer(clock, calendar)
        if clock.dirty_fields:
            changed.append(clock)
    save_changed(changed)


def clock_of(case_id: int) -> CaseClock:
    """The clock row of a case, created empty (and saved) when the case has none yet, and
    locked for the caller's transaction: it is read, changed and saved whole, so two
    changes of one case at once must take turns or one would write back what it read
    before the other's update. PostgreSQL locks the row (``FOR UPDATE``); on SQLite every
    writing transaction holds the database's write lock from its start."""
    return clocks_of([case_id])[case_id]


def clocks_of(case_ids: list[int]) -> dict[int, CaseClock]:
    """``clock_of`` for several cases (a change of many, as a timer sweep's batch), in one
    query, and one more for the cases without a clock yet."""

    def read() -> dict[int, CaseClock]:
        query = CaseClock.select().where(CaseClock.case.in_(case_ids))
        if is_postgres():
            query = query.order_by(CaseClock.case).for_update()  # locked in one order
        return {clock.case_id: clock for clock in query}

    clocks = read()
    missing = [case_id for case_id in case_ids if case_id not in clocks]
    if missing:
        CaseClock.insert_many(
            [(case_id,) for case_id in missing], fields=[CaseClock.case]
        ).on_conflict_ignore().execute()
        clocks = read()
    return clocks


#: Fields of a case a response target may depend on: changing one recomputes the target.
TARGET_FIELDS = ("case_type", "severity", "priority", "product")


def _apply(clock: CaseClock, case, event) -> bool:
    """Update ``clock`` for one timeline entry; True when the status timers restart."""
    at = event.created_at
    if event.kind == EventKind.OPENED:
        _start(clock, case, "first", at)
        return True
    if event.kind == EventKind.MESSAGE and event.visibility == Visibility.PUBLIC:
        author = event.author
        if author is not None and author.is_agent:
            _answer(clock, at)
            return False
        if clock.response_kind is None and case.status_category not in STOPPED:
            _start(clock, case, "next", at)
        return True
    if event.kind == EventKind.REOPENED:
        if clock.response_kind is None:
            _start(clock, case, "next", at)
        return True
    if event.kind == EventKind.STATUS:
        status = current_policy().status(event.new_value)
        category = status.category if status is not None else None
        if category in STOPPED:
            _stop(clock)
        elif category in PAUSED:
            if clock.paused_since is None:
                clock.paused_since = at
                _schedule_due(clock, at)
        elif clock.paused_since is not None:
            calendar = sla.clock_calendar(clock.response_calendar)
            paused = calendar.business_time_between(clock.paused_since, at)
            clock.response_paused = (clock.response_paused or 0) + paused / timedelta(minutes=1)
            clock.paused_since = None
            _schedule_due(clock, at)
        return True
    if event.kind == EventKind.FIELD and event.field in TARGET_FIELDS and clock.response_kind:
        clock.response_target, clock.response_calendar = _target(case, clock.response_kind)
        if clock.response_target is None:
            _stop(clock)
        else:
            _schedule_due(clock, at)
    return False


def _target(case, kind: str) -> tuple[int | None, str | None]:
    """The ``kind`` response target of ``case`` in business minutes, and the calendar it runs
    on as stored on the clock row (None: the vendor's)."""
    target = sla.response_target(case)
    if target.calendar is None:
        return target.minutes(kind, sla.calendar()), None
    return target.minutes(kind, target.calendar), json.dumps(target.calendar.to_dict())


def _start(clock, case, kind, at) -> None:
    minutes, calendar = _target(case, kind)
    if minutes is None:
        return
    clock.response_kind, clock.response_target = kind, minutes
    clock.response_calendar = calendar
    clock.response_started_at, clock.response_paused = at, 0
    clock.alert_stage = 0
    if clock.paused_since is not None:
        clock.paused_since = at
    _schedule_due(clock, at)


def _answer(clock, at) -> None:
    if clock.response_kind == "first":
        clock.first_responded_at = at
    if clock.response_due_at is not None and at > clock.response_due_at:
        clock.breached_at = clock.breached_at or clock.response_due_at
    _stop(clock)


def _stop(clock) -> None:
    clock.response_kind = clock.response_started_at = clock.response_target = None
    clock.response_calendar = None
    clock.response_due_at = clock.alert_at = clock.paused_since = None
    clock.response_paused, clock.alert_stage = 0, 0


def _schedule_due(clock, at) -> None:
    """Due time and next alert of a running response clock; none while it is paused."""
    if clock.response_kind is None:
        return
    if clock.paused_since is not None:
        clock.response_due_at = clock.alert_at = None
        return
    calendar = sla.clock_calendar(clock.response_calendar)
    clock.response_due_at = _after(clock, calendar, clock.response_target)
    if clock.response_due_at > at and clock.alert_stage >= 2:
        clock.alert_stage = 1  # the new due time can be breached again
    clock.alert_at = alert_time(clock)


def _after(clock, calendar, minutes: float) -> datetime:
    total = timedelta(minutes=minutes + (clock.response_paused or 0))
    return calendar.add_business_time(clock.response_started_at, total)


def alert_time(clock) -> datetime | None:
    """When the sweep next warns about the response clock: the warning, then the breach."""
    if clock.response_due_at is None or clock.alert_stage >= 2:
        return None
    if clock.alert_stage == 0:
        warn_at = sla.sla_policy().warn_at
        calendar = sla.clock_calendar(clock.response_calendar)
        return _after(clock, calendar, clock.response_target * warn_at)
    return clock.response_due_at


def step_due(timer: sla.Timer, clock: CaseClock, calendar, base: datetime) -> datetime | None:
    """When ``timer`` of the clock's status acts, counted from ``base`` (a resubmission: at
    the date the agent chose)."""
    if timer.action == sla.Action.RESUBMIT:
        return clock.resubmit_at
    return timer.due(calendar, base)


def schedule_timer(clock: CaseClock, calendar) -> None:
    """``timer_due_at`` of the step ``timer_step`` of the case's status, or None."""
    timers = sla.status_timers(clock.timer_status) if clock.timer_status else []
    if clock.timer_step >= len(timers):
        clock.timer_due_at = None
        return
    clock.timer_due_at = step_due(timers[clock.timer_step], clock, calendar, clock.timer_base_at)
