"""The daily roll-up equals a full recount after random changes, and the job repairs it."""

import random
from datetime import date

from helpdesk.cases import service
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.policy import Category, current_policy
from helpdesk.reports import rollups
from helpdesk.reports.models import DailyCaseCount


def _by_hand():
    """Openings, solutions and closings per day and channel, straight from the timeline."""
    categories = {s.key: s.category for s in current_policy().statuses}
    tally = {}
    for event in Event.select().join(Case):
        if event.kind == EventKind.OPENED:
            counter = "opened"
        elif event.kind == EventKind.STATUS and categories[event.new_value] == Category.SOLVED:
            counter = "solved"
        elif event.kind == EventKind.STATUS and categories[event.new_value] == Category.CLOSED:
            counter = "closed"
        else:
            continue
        key = (event.created_at.date(), event.case.channel, counter)
        tally[key] = tally.get(key, 0) + 1
    return tally


def _rolled_up():
    tally = {}
    for row in DailyCaseCount.select():
        day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        for counter in ("opened", "solved", "closed"):
            if getattr(row, counter):
                key = (day, row.channel, counter)
                tally[key] = tally.get(key, 0) + getattr(row, counter)
    return tally


def test_rollup_equals_a_full_recount_after_random_changes(world, open_case, clock):
    chance = random.Random(17)
    agent = world["erik.first"]
    statuses = [s.key for s in current_policy().statuses if s.category != Category.WAITING]
    clock.at("2026-03-02T08:00:00")
    cases = []
    for _ in range(40):
        clock.advance(hours=chance.randint(1, 20))
        if not cases or chance.random() < 0.4:
            channel = chance.choice(["web", "mail", "phone"])
            cases.append(open_case("mia.member", channel=channel))
            continue
        case = Case.get_by_id(chance.choice(cases).id)
        target = chance.choice([s for s in statuses if s != case.status])
        service.move_status(case, agent, target)

    expected = _by_hand()
    assert sum(n for (_, _, c), n in expected.items() if c == "opened") == len(cases)
    assert any(c == "solved" for _, _, c in expected) and any(c == "closed" for _, _, c in expected)
    assert _rolled_up() == expected
    first, last = date(2026, 3, 1), clock.now().date()
    assert rollups.stored(first, last) == rollups.recount(first, last)


def test_the_nightly_job_repairs_a_drifted_day(world, open_case, clock):
    clock.at("2026-03-03T09:00:00")
    open_case("mia.member")
    open_case("mia.member", channel="phone")
    DailyCaseCount.update(opened=DailyCaseCount.opened + 5).execute()  # drift
    # a row of today that no entry explains
    organisation = world["mia.member"].organisation_id
    DailyCaseCount.create(day=date(2026, 3, 4), organisation=organisation, channel="web", opened=3)
    before = _by_hand()
    assert _rolled_up() != before

    clock.advance(days=1)  # the job recounts yesterday and today
    counted = rollups.rebuild_recent_days.call_local()

    assert counted == 2
    assert _rolled_up() == before
    assert rollups.stored(date(2026, 3, 2), date(2026, 3, 4)) == rollups.recount(
        date(2026, 3, 2), date(2026, 3, 4)
    )
