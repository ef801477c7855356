"""Each case's first response and resolution in business time (core hook implementation
"core.reports.times", run after the SLA clocks so it sees their answer).

A case's row is written when it is opened, with its first-response target; the first public
answer of an agent sets the response time, the first move to a solved status the resolution
time. Both are business minutes on the vendor's calendar from the opening, without the time
the case waited on the customer or was on hold (the SLA's paused statuses), counted from the
case's timeline. The distribution of these times (``time_rollup``) follows in the same
transaction.
"""

from datetime import timedelta

from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Category, current_policy
from helpdesk.reports import time_rollup
from helpdesk.reports.models import CaseTimes
from helpdesk.sla import policy as sla
from helpdesk.sla.clocks import PAUSED


@hookimpl(trylast=True)
def helpdesk_case_changed(events):
    counted: dict = {}  # what the distribution of times (``time_rollup``) gains and loses
    for event in events:
        if event.kind == EventKind.OPENED:
            _opened(event.case, event.created_at, counted)
    finishing = [e for e in events if _is_answer(e) or _is_solution(e)]
    if finishing:  # the cases' rows in one query: a timer sweep's batch solves hundreds
        rows = CaseTimes.select().where(CaseTimes.case.in_({e.case_id for e in finishing}))
        times = {row.case_id: row for row in rows}
        for event in finishing:
            _finished(event, times.get(event.case_id), counted)
    if counted:
        time_rollup.add(counted)


def _is_answer(event) -> bool:
    return (
        event.kind == EventKind.MESSAGE
        and event.visibility == Visibility.PUBLIC
        and event.author is not None
        and event.author.is_agent
    )


def _is_solution(event) -> bool:
    if event.kind != EventKind.STATUS:
        return False
    status = current_policy().status(event.new_value)
    return status is not None and status.category == Category.SOLVED


def _opened(case: Case, at, counted: dict) -> None:
    if CaseTimes.select().where(CaseTimes.case == case.id).exists():
        return
    target = sla.response_target(case)
    calendar = target.calendar or sla.calendar()
    times = CaseTimes.create(
        case=case.id,
        organisation=case.organisation_id,
        team=case.team_id or 0,
        product=case.product_id or 0,
        severity=case.severity,
        case_type=case.case_type,
        opened_at=at,
        response_target=target.minutes("first", calendar),
    )
    time_rollup.tally(times, 1, counted)


def _finished(event, times: CaseTimes | None, counted: dict) -> None:
    if times is None:
        return  # opened before reports existed
    answer = _is_answer(event)
    if (times.responded_at if answer else times.resolved_at) is not None:
        return
    time_rollup.tally(times, -1, counted)
    minutes = business_minutes(event.case_id, times.opened_at, event.created_at)
    bucket = time_rollup.bucket_of(minutes)
    if answer:
        times.responded_at, times.response_minutes = event.created_at, minutes
        times.response_bucket = bucket
    else:
        times.resolved_at, times.resolution_minutes = event.created_at, minutes
        times.resolution_bucket = bucket
    times.save()
    time_rollup.tally(times, 1, counted)


def business_minutes(case_id: int, start, end) -> float:
    """Business minutes from ``start`` to ``end`` on the vendor's calendar, without the spans
    the case spent in a paused status (read from its timeline)."""
    calendar = sla.calendar()
    total = calendar.business_time_between(start, end)
    paused_since = None
    moves = (
        Event.select(Event.new_value, Event.created_at)
        .where(
            (Event.case == case_id) & (Event.kind == EventKind.STATUS) & (Event.created_at <= end)
        )
        .order_by(Event.id)
    )
    for move in moves:
        status = current_policy().status(move.new_value)
        paused = status is not None and status.category in PAUSED
        if paused and paused_since is None:
            paused_since = move.created_at
        elif not paused and paused_since is not None:
            total -= calendar.business_time_between(paused_since, move.created_at)
            paused_since = None
    if paused_since is not None:
        total -= calendar.business_time_between(paused_since, end)
    return total / timedelta(minutes=1)
