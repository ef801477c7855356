"""The distribution of response and resolution times (``time_rollup``): its rows equal a
full recount after random changes, a drifted row is right again after the nightly job, the
migration fills the same rows, and the median and 90th percentile it gives equal those of the
period's case rows computed here in Python, for agents and for a customer's organisation."""

import importlib
import math
import random
import statistics
from datetime import date, timedelta

from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.db import db
from helpdesk.policy import current_policy
from helpdesk.reports import days, time_rollup
from helpdesk.reports import service as reports
from helpdesk.reports.models import CaseTimeCount, CaseTimes

FIRST, LAST = date(2026, 2, 23), date(2026, 4, 5)  # Monday to Sunday: whole weeks


def _step(chance, world, cases, open_case):
    """One random change: an opening, an agent's public answer, an internal note, or a move
    to another status (waiting and on hold pause the clock; solved and closed finish)."""
    agents = [world[name] for name in ("erik.first", "sara.second")]
    if not cases or chance.random() < 0.3:
        requester = chance.choice(["mia.member", "martin.main"])
        severity = chance.choice([s.key for s in current_policy().severities])
        cases.append(open_case(requester, severity=severity))
        return
    case = Case.get_by_id(chance.choice(cases).id)
    agent = chance.choice(agents)
    roll = chance.random()
    if not case.is_open:
        service.reopen(case, agent, "Still broken.")
    elif roll < 0.4:
        service.add_message(case, agent, "Here is the answer.")
    elif roll < 0.5:
        service.add_message(case, agent, "Internal note.", internal=True)
    else:
        statuses = [s.key for s in current_policy().statuses if s.key != case.status]
        service.move_status(case, agent, chance.choice(statuses))


def _exact(rows, column):
    """``{severity: (median, nearest-rank 90th percentile)}`` of the rows' ``column``."""
    values = {}
    for row in rows:
        if getattr(row, column) is not None:
            values.setdefault(row.severity, []).append(getattr(row, column))
    found = {}
    for severity, found_values in values.items():
        ordered = sorted(found_values)
        ninety = ordered[math.ceil(0.9 * len(ordered)) - 1]
        found[severity] = (statistics.median(ordered), ninety)
    return found


def test_the_distribution_equals_a_recount_and_gives_the_exact_figures(world, open_case, clock):
    chance = random.Random(38)
    clock.at("2026-03-01T07:00:00")
    cases = []
    for _ in range(150):
        clock.advance(minutes=chance.randint(20, 600))  # over several weeks, day and night
        _step(chance, world, cases, open_case)

    answered = CaseTimes.select().where(CaseTimes.response_minutes.is_null(False))
    solved = CaseTimes.select().where(CaseTimes.resolution_minutes.is_null(False))
    assert answered.count() > 20 and solved.count() > 5
    recount = time_rollup.recount(FIRST, LAST)
    assert len({key[5] for key in recount}) > 10  # many buckets
    assert {key[1] for key in recount} == {"response", "resolution"}
    assert time_rollup.stored(FIRST, LAST) == recount

    # the figures: exact, for agents and for a customer's organisation, over periods that
    # start and end inside weeks and that span several, with and without a case type
    erik, martin = world["erik.first"], world["martin.main"]
    kind = Case.select(Case.case_type).first().case_type
    for who, start, end, narrowed in (
        (erik, "2026-03-01", "2026-03-31", {}),
        (erik, "2026-03-04", "2026-03-19", {}),
        (erik, "2026-03-10", "2026-03-12", {}),
        (erik, "2026-03-02", "2026-03-29", {"case_type": kind}),
        (martin, "2026-03-03", "2026-03-27", {}),
    ):
        filters = reports.filters_for(who, {"start": start, "end": end, **narrowed})
        opened_from, opened_to = days.span(filters.start, filters.end)
        rows = CaseTimes.select().where(
            (CaseTimes.opened_at >= opened_from) & (CaseTimes.opened_at < opened_to)
        )
        if filters.organisation:
            rows = rows.where(CaseTimes.organisation == filters.organisation)
        if narrowed:
            rows = rows.where(CaseTimes.case_type == kind)
        for column in ("response_minutes", "resolution_minutes"):
            expected = _exact(rows, column)
            assert expected, (start, column)
            assert reports.quantiles(filters, column) == expected, (who.email, start, column)

    # a drifted row is right again after the nightly job (which recounts the weeks of the
    # cases answered or solved since yesterday: here all of them)
    CaseTimeCount.update(count=CaseTimeCount.count + 3).where(CaseTimeCount.bucket >= 0).execute()
    CaseTimes.update(response_bucket=None).execute()
    assert time_rollup.stored(FIRST, LAST) != recount
    clock.at("2026-04-01T08:00:00")
    for row in CaseTimes.select():
        if row.responded_at:
            CaseTimes.update(responded_at=clock.now()).where(
                CaseTimes.case == row.case_id
            ).execute()
    assert time_rollup.rebuild_recent_times.call_local()
    assert time_rollup.stored(FIRST, LAST) == recount
    assert (
        not CaseTimes.select()
        .where(CaseTimes.response_minutes.is_null(False) & CaseTimes.response_bucket.is_null())
        .exists()
    )

    # the migration fills empty rows and bucket columns the same way
    CaseTimeCount.delete().execute()
    CaseTimes.update(response_bucket=None, resolution_bucket=None).execute()
    migration = importlib.import_module("helpdesk.migrations.0038_time_distribution")
    migration.fill(db, CaseTimeCount)
    assert time_rollup.stored(FIRST, LAST) == recount
    for row in CaseTimes.select():
        for measure in ("response", "resolution"):
            minutes = getattr(row, f"{measure}_minutes")
            bucket = None if minutes is None else time_rollup.bucket_of(minutes)
            assert getattr(row, f"{measure}_bucket") == bucket


def test_the_periods_rows_are_whole_weeks_and_the_days_around_them():
    monday = date(2026, 3, 2)
    assert time_rollup.ranges(monday, monday + timedelta(days=6)) == [(7, monday, monday)]
    assert time_rollup.ranges(date(2026, 3, 4), date(2026, 3, 8)) == [
        (1, date(2026, 3, 4), date(2026, 3, 8))
    ]
    assert time_rollup.ranges(date(2026, 2, 27), date(2026, 3, 17)) == [
        (7, date(2026, 3, 2), date(2026, 3, 9)),
        (1, date(2026, 2, 27), date(2026, 3, 1)),
        (1, date(2026, 3, 16), date(2026, 3, 17)),
    ]
