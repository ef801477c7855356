"""The open cases counted now (``open_tally``): the tallies equal a full recount after random
changes of every kind, a drifted tally is right again after the nightly job, and the
dashboard's "now" figures read them (backlog age by the portal's day of opening)."""

import importlib
import random

from helpdesk.cases import changes, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.db import db
from helpdesk.escalation import service as escalation
from helpdesk.policy import current_policy
from helpdesk.reports import open_tally
from helpdesk.reports import service as reports
from helpdesk.reports.models import EVERYONE, OpenCase, OpenCaseAge, OpenCaseCount


def _step(chance, world, cases, open_case):
    """One random change: opening, status move (closing included), reassignment, severity,
    type, reopening or escalation."""
    agents = [world[name] for name in ("erik.first", "sara.second", "tom.third")]
    policy = current_policy()
    if not cases or chance.random() < 0.25:
        requester = chance.choice(["mia.member", "martin.main"])
        severity = chance.choice([s.key for s in policy.severities])
        cases.append(open_case(requester, severity=severity))
        return
    case = Case.get_by_id(chance.choice(cases).id)
    agent = chance.choice(agents)
    roll = chance.random()
    if not case.is_open:
        service.reopen(case, agent, "Still broken.")
    elif roll < 0.35:
        target = chance.choice([s.key for s in policy.statuses if s.key != case.status])
        service.move_status(case, agent, target)
    elif roll < 0.55:
        choices = [a for a in [*agents, None] if (a.id if a else None) != case.assignee_id]
        service.assign(case, agent, chance.choice(choices))
    elif roll < 0.7:
        others = [s.key for s in policy.severities if s.key != case.severity]
        service.change_field(case, agent, "severity", chance.choice(others), "Check")
    elif roll < 0.8:
        others = [t.key for t in policy.case_types if t.key != case.case_type]
        service.change_field(case, agent, "case_type", chance.choice(others), "Check")
    else:
        try:
            escalation.request_escalation(case, world["mia.member"], "Urgent.")
        except CaseError:  # at the highest level already
            service.move_status(case, agent, "closed")


def test_the_tallies_equal_a_full_recount_after_random_changes(world, open_case, clock):
    chance = random.Random(17)
    clock.at("2026-03-01T08:00:00")
    cases = []
    for _ in range(60):
        clock.advance(hours=chance.randint(1, 30))  # over several days
        _step(chance, world, cases, open_case)

    kinds = {e.kind for e in Event.select(Event.kind)}
    assert {EventKind.REOPENED, EventKind.ASSIGNED, EventKind.ESCALATED} <= kinds
    recount = open_tally.recount()
    states, counts, ages = recount
    assert len(states) == Case.select().where(Case.is_open == True).count()  # noqa: E712
    assert 0 < len(states) < len(cases)  # some closed, some open
    facets = {key[4] for key in counts if counts[key]}
    assert facets == {"status", "severity", "assignee", "escalation"}
    assert len({key[4] for key in ages}) > 1  # several opening days
    assert open_tally.stored() == recount

    # a drifted tally is right again after the nightly job
    OpenCaseCount.update(count=OpenCaseCount.count + 2).execute()
    OpenCase.delete().where(OpenCase.case == min(states)).execute()
    assert open_tally.stored() != recount
    assert open_tally.rebuild_open_tallies.call_local() == len(states)
    assert open_tally.stored() == recount

    # the migration fills empty tables the same way
    for model in (OpenCase, OpenCaseCount, OpenCaseAge):
        model.delete().execute()
    migration = importlib.import_module("helpdesk.migrations.0032_open_tallies")
    migration._fill(db, OpenCase, OpenCaseCount, OpenCaseAge)
    assert open_tally.stored() == recount


def test_one_change_of_many_cases_moves_each_of_them_in_the_tallies(world, open_case, clock):
    """A change of several cases (a timer sweep's batch) writes their new states in one
    statement: the ones counted before and the ones not counted yet."""
    erik = world["erik.first"]
    clock.at("2026-03-02T08:00:00")
    cases = [open_case("mia.member", severity="low") for _ in range(4)]
    OpenCase.delete().where(OpenCase.case == cases[0].id).execute()  # not counted yet
    with changes.changing():
        for case in cases:
            service.move_status(Case.get_by_id(case.id), erik, "waiting")
        service.move_status(Case.get_by_id(cases[1].id), erik, "closed")
    categories = {row.case_id: row.status_category for row in OpenCase.select()}
    assert categories == {cases[0].id: "waiting", cases[2].id: "waiting", cases[3].id: "waiting"}
    assert open_tally.stored()[0] == open_tally.recount()[0]


def test_the_now_figures_read_the_tallies(world, open_case, clock):
    erik, sara = world["erik.first"], world["sara.second"]
    clock.at("2026-02-01T09:00:00")
    old = open_case("mia.member", severity="high")
    clock.at("2026-02-25T22:30:00")  # 23:30 Vienna: 25 February
    week = open_case("martin.main", severity="low")
    clock.at("2026-03-04T09:00:00")
    open_case("mia.member", severity="low")  # fresh
    done = open_case("mia.member", severity="critical")
    service.move_status(done, erik, "closed")
    service.assign(week, erik, sara)  # also moves it to "in progress"
    service.move_status(old, erik, "waiting")
    clock.at("2026-03-04T22:30:00")  # 23:30 Vienna, still 4 March

    filters = reports.filters_for(erik, {"start": "2026-03-01", "end": "2026-03-04"})
    figures = {
        f.key: {row[0]: row[1:] for row in f.chart.rows} for f in reports.dashboard(erik, filters)
    }
    assert figures["open_by_status"]["New"] == [1]
    assert figures["open_by_status"]["In progress"] == [1]
    assert figures["open_by_status"]["Waiting for the customer"] == [1]
    assert figures["open_by_severity"] == {"Critical": [0], "High": [1], "Normal": [0], "Low": [2]}
    assert figures["backlog_age"] == {  # new, in progress, waiting, hold, development
        "under 1 day": [1, 0, 0, 0, 0],  # fresh, opened today
        "1–7 days": [0, 1, 0, 0, 0],  # week: 25 February to 4 March is 7 days
        "8–30 days": [0, 0, 0, 0, 0],
        "over 30 days": [0, 0, 1, 0, 0],  # old: 31 days
    }
    assert figures["workload_agents"] == {"Sara Second": [1], "Nobody": [2]}
    assert OpenCaseCount.select().where(OpenCaseCount.organisation == EVERYONE).exists()
    # a customer's figures: their organisation's rows only
    martin = world["martin.main"]
    own = reports.filters_for(martin, {"start": "2026-03-01", "end": "2026-03-04"})
    mine = {f.key: f for f in reports.dashboard(martin, own)}
    assert sum(row[1] for row in mine["open_by_status"].chart.rows) == 3
