"""What the case page shows of the clocks, the resubmission date, and the admin's calendar.

Plain functions the views call: ``case_clock`` (due times, time left, breaches,
"first answer expected by"), ``preview`` (the policy preview: what the vendor's rules do next,
from ``timers.upcoming``, the code the sweep acts on), ``set_resubmission`` and
``save_calendar``.
"""

import json
from datetime import UTC, date, datetime, time, timedelta

from helpdesk import audit
from helpdesk.cases import service as cases
from helpdesk.cases.errors import CaseError
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_admin, ensure_agent
from helpdesk.policy import current_policy
from helpdesk.sla import policy as sla
from helpdesk.sla import timers
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.clocks import clock_of, schedule_timer
from helpdesk.sla.models import CalendarOverride, CaseClock
from helpdesk.sla.policy import Action, Unit
from helpdesk.timeutil import utcnow


class ClockView:
    """The response clock as the case page shows it. Customers see only when the first
    answer is due; an agent's view (``detailed``) adds the target, the business time left,
    the breaches and the resubmission date, which need the business calendar: worked out
    here, so the page's template only reads them."""

    def __init__(self, clock: CaseClock, status: str, detailed: bool):
        self.kind = clock.response_kind  # "first" or "next" while a response is owed
        self.due_at = clock.response_due_at
        self.paused = self.kind is not None and clock.paused_since is not None
        self.first_responded_at = clock.first_responded_at
        self.resubmit_at = clock.resubmit_at
        self.target = self.left = self.own_calendar = None
        self.breached_at = clock.breached_at  # the latest breach of a response target
        self.may_resubmit = False
        if not detailed:
            return
        self.may_resubmit = any(t.action == Action.RESUBMIT for t in sla.status_timers(status))
        if self.kind is None:
            return  # nothing runs: no calendar needed to say so
        calendar = sla.clock_calendar(clock.response_calendar)  # None: the vendor's
        self.own_calendar = calendar.name if clock.response_calendar else None
        if clock.response_target is not None:
            self.target = _in_largest_unit(clock.response_target, calendar)
        self.left = _time_left(self.due_at, calendar)
        if self.breached_at is None and self.left is not None and self.left < timedelta(0):
            self.breached_at = self.due_at


def _in_largest_unit(minutes: int, calendar) -> tuple[int, str]:
    """Business minutes as ``(amount, unit)`` in the largest whole unit of business time:
    days of the calendar's ``business_day``, hours, or minutes."""
    day = int(calendar.business_day / timedelta(minutes=1))
    for size, unit in ((day, Unit.BUSINESS_DAYS), (60, Unit.BUSINESS_HOURS)):
        if minutes % size == 0:
            return minutes // size, unit
    return minutes, Unit.BUSINESS_MINUTES


def _time_left(due_at: datetime | None, calendar) -> timedelta | None:
    """The business time left until ``due_at`` (negative: overdue by), None without one."""
    if due_at is None:
        return None
    now = utcnow()
    if due_at >= now:
        return calendar.business_time_between(now, due_at)
    return -calendar.business_time_between(due_at, now)


def _clock_row(case) -> CaseClock | None:
    """``case``'s clock row: the one ``access.case_by_call_id`` fetched with the case (the case
    page's), else from the table."""
    if "clock" in vars(case):
        return case.clock
    return CaseClock.get_or_none(CaseClock.case == case.id)


def case_clock(case, detailed: bool) -> ClockView:
    """What the case page shows of ``case``'s response clock; ``detailed`` for agents."""
    return ClockView(_clock_row(case) or CaseClock(), case.status, detailed)


def preview(case) -> list[dict]:
    """The next things the vendor's rules do to ``case``: when, what, and into which status."""
    clock = _clock_row(case)
    if clock is None or clock.timer_base_at is None:
        return []  # no status timer runs (and no calendar is needed to say so)
    policy, items = current_policy(), []
    for step in timers.upcoming(clock, sla.calendar()):
        action = {
            Action.REMIND: _l("Reminder to the requester"),
            Action.MOVE: _l(
                "Moves to %(status)s", status=policy.label("status", step.target_status)
            ),
            Action.CLOSE: _l("Closes the case"),
            Action.RESUBMIT: _l(
                "Back to %(status)s and the assignee",
                status=policy.label("status", step.target_status),
            ),
        }[step.timer.action]
        items.append(
            {
                "when": step.when,
                "action": action,
                "status": policy.label("status", step.status),
                "after": step.timer.after,
                "unit": timers.unit_label(step.timer.unit),
                "resubmit": step.timer.action == Action.RESUBMIT,
                "mail": bool(step.timer.mail) or step.timer.action == Action.REMIND,
            }
        )
    return items


def set_resubmission(case, actor, day: date | None) -> None:
    """Seed 004: the date a held case comes back; at the calendar's first opening that day."""
    ensure_agent(actor, _l("Only agents set a resubmission date."), "resubmit")
    if day is not None and day <= utcnow().date():
        raise CaseError(_l("Please choose a date in the future."), "resubmit")
    calendar = sla.calendar()
    at = None
    if day is not None:
        midnight = datetime.combine(day, time(0), tzinfo=calendar.zone).astimezone(UTC)
        at = calendar.next_opening(midnight.replace(tzinfo=None))
    with db.atomic():
        clock = clock_of(case.id)
        clock.resubmit_at = at
        schedule_timer(clock, calendar)
        clock.save()
        text = (
            _l(
                "Resubmission date set to %(day)s by %(name)s.",
                day=day.isoformat(),
                name=actor.name,
            )
            if day
            else _l("Resubmission date removed by %(name)s.", name=actor.name)
        )
        cases.system_note(case, str(text))


def save_calendar(data: dict, actor) -> BusinessCalendar:
    """Store an admin's calendar (raises ``CalendarError`` for bad data); it wins from now."""
    ensure_admin(actor)
    calendar = BusinessCalendar.from_dict(data)
    with db.atomic():
        row = CalendarOverride.create(
            data=json.dumps(calendar.to_dict()), changed_by=actor, changed_at=utcnow(), active=1
        )
        audit.record(actor, "calendar.changed", row, None, {"calendar": calendar.to_dict()})
    sla.forget_calendar()
    return calendar


def reset_calendar(actor) -> None:
    """Back to the plugins' calendar; the admin's versions stay as history."""
    ensure_admin(actor)
    current = sla.calendar()
    with db.atomic():
        row = CalendarOverride.create(
            data=json.dumps(current.to_dict()), changed_by=actor, changed_at=utcnow(), active=0
        )
        audit.record(actor, "calendar.reset", row, None, None)
    sla.forget_calendar()
