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
from helpdesk.db import save_changed
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
    if finishing:  # the cases' rows and status moves in one query each, their changes
        # written in one UPDATE: a timer sweep's batch solves hundreds
        ids = {e.case_id for e in finishing}
        times = {row.case_id: row for row in CaseTimes.select().where(CaseTimes.case.in_(ids))}
        moves = _status_moves(ids, max(e.created_at for e in finishing))
        for event in finishing:
            _finished(event, times.get(event.case_id), moves.get(event.case_id, []), counted)
        save_changed(list(times.values()))
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


def _finished(event, times: CaseTimes | None, moves: list, counted: dict) -> None:
    """Set the response or resolution time ``event`` gives the case's ``times`` (saved by
    the caller), from the case's status ``moves``."""
    if times is None:
        return  # opened before reports existed
    answer = _is_answer(event)
    if (times.responded_at if answer else times.resolved_at) is not None:
        return
    before = time_rollup.entries(times)
    minutes = business_minutes(times.opened_at, event.created_at, moves)
    bucket = time_rollup.bucket_of(minutes)
    if answer:
        times.responded_at, times.response_minutes = event.created_at, minutes
        times.response_bucket = bucket
    else:
        times.resolved_at, times.resolution_minutes = event.created_at, minutes
        times.resolution_bucket = bucket
    # Only what changed: a solved case's response entry stays as it was (the case's day,
    # team, product and type do not change).
    after = time_rollup.entries(times)
    time_rollup.tally(times, -1, counted, only=[e for e in before if e not in after])
    time_rollup.tally(times, 1, counted, only=[e for e in after if e not in before])


def _status_moves(case_ids, until) -> dict[int, list]:
    """The status entries of the cases ``case_ids`` up to ``until``, per case in the
    timeline's order."""
    moves: dict[int, list] = {}
    query = (
        Event.select(Event.case, Event.new_value, Event.created_at)
        .where(
            Event.case.in_(case_ids)
            & (Event.kind == EventKind.STATUS)
            & (Event.created_at <= until)
        )
        .order_by(Event.id)
    )
    for move in query:
        moves.setdefault(move.case_id, []).append(move)
    return moves


def business_minutes(start, end, moves: list) -> float:
    """Business minutes from ``start`` to ``end`` on the vendor's calendar, without the spans
    the case spent in a paused status (``moves``: its status entries, in order)."""
    calendar = sla.calendar()
    total = calendar.business_time_between(start, end)
    paused_since = None
    for move in moves:
        if move.created_at > end:
            continue
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
