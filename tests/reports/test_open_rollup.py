"""The daily roll-up of open cases: today's rows equal a full recount after random changes,
and the trend shows what was open at the end of each day."""

import random

from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.policy import current_policy
from helpdesk.reports import days, open_rollup
from helpdesk.reports import service as reports
from helpdesk.reports.models import DailyOpenCount


def _table(figure):
    return {row[0]: row[1:] for row in figure.chart.rows}


def test_todays_rows_equal_a_full_recount_after_random_changes(world, open_case, clock):
    chance = random.Random(4)
    agent = world["erik.first"]
    statuses = [s.key for s in current_policy().statuses]
    severities = [s.key for s in current_policy().severities]
    clock.at("2026-03-02T06:00:00")
    open_rollup.refresh_today.call_local()  # the hourly job: nothing open yet
    cases = []
    for _ in range(40):
        clock.advance(minutes=chance.randint(1, 20))
        if not cases or chance.random() < 0.35:
            requester = chance.choice(["mia.member", "martin.main"])
            cases.append(open_case(requester, severity=chance.choice(severities)))
            continue
        case = Case.get_by_id(chance.choice(cases).id)
        if chance.random() < 0.3:
            others = [s for s in severities if s != case.severity]
            service.change_field(case, agent, "severity", chance.choice(others), "Check")
        else:
            target = chance.choice([s for s in statuses if s != case.status])
            service.move_status(case, agent, target)

    today = days.today()
    recount = open_rollup.current()
    assert sum(recount.values()) == Case.select().where(Case.is_open == True).count()  # noqa: E712
    assert len({key[4] for key in recount}) > 1 and len({key[5] for key in recount}) > 1
    assert open_rollup.stored(today) == recount
    assert open_rollup.stored(today, everyone=True) == open_rollup.everyone_of(recount)
    # a drifted row is right again after the hourly job
    DailyOpenCount.update(count=DailyOpenCount.count + 3).execute()
    open_rollup.refresh_today.call_local()
    assert open_rollup.stored(today) == recount
    assert open_rollup.stored(today, everyone=True) == open_rollup.everyone_of(recount)


def test_the_trend_shows_what_was_open_at_the_end_of_each_day(world, open_case, clock):
    erik = world["erik.first"]
    clock.at("2026-03-02T09:00:00")
    a = open_case("mia.member", severity="high")
    open_case("mia.member", severity="low")
    clock.at("2026-03-02T22:30:00")  # 23:30 Vienna: still 2 March
    open_case("mia.member", severity="low")
    clock.at("2026-03-03T10:00:00")
    service.move_status(a, erik, "waiting")
    clock.at("2026-03-04T12:00:00")  # no change on 4 March: its rows come from the hourly job
    open_rollup.refresh_today.call_local()
    clock.at("2026-03-05T10:00:00")
    service.move_status(a, erik, "solved")
    clock.at("2026-03-06T10:00:00")  # today: 6 March; a new case counts now, exactly
    open_case("mia.member", severity="critical")

    filters = reports.filters_for(erik, {"start": "2026-03-01", "end": "2026-03-07"})
    figures = {f.key: f for f in reports.dashboard(erik, filters)}
    status = _table(figures["open_trend_status"])  # new, in progress, waiting, hold, dev
    assert status["01.03."] == [0, 0, 0, 0, 0]
    assert status["02.03."] == [3, 0, 0, 0, 0]
    assert status["03.03."] == [2, 0, 1, 0, 0]
    assert status["04.03."] == [2, 0, 1, 0, 0]
    assert status["05.03."] == [2, 0, 0, 0, 0]
    assert status["06.03."] == [3, 0, 0, 0, 0]
    assert status["07.03."] == [0, 0, 0, 0, 0]  # not yet
    severity = _table(figures["open_trend_severity"])  # critical, high, normal, low
    assert severity["04.03."] == [0, 1, 0, 2]
    assert severity["06.03."] == [1, 0, 0, 2]
