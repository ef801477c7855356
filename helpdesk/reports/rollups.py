"""Keeping the daily roll-up (core hook implementation "core.reports", and a nightly job).

Every change of cases adds its openings, solutions and closings to ``DailyCaseCount`` in the
change's own transaction (an upsert that adds, so two changes at once both count). The nightly
job recounts yesterday and today from the timeline and replaces their rows, so a row that ever
drifted (a change written around the change API) is right again by the next morning.

What counts: an ``opened`` entry is one opening; a ``status`` entry into a status of category
solved or closed is one solution or closing. The day is the entry's day in the portal's time
zone (``days``); team, product, organisation, channel and case type are the case's when the
change commits.
"""

from collections import Counter
from datetime import date, timedelta

from huey import crontab

from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.db import db, insert_rows
from helpdesk.hookspecs import hookimpl
from helpdesk.jobs import huey
from helpdesk.policy import Category, current_policy
from helpdesk.reports import changed, days
from helpdesk.reports.models import DailyCaseCount

#: The counters, by the status category that makes an entry count for them.
COUNTED = {Category.SOLVED: "solved", Category.CLOSED: "closed"}
KEY = ("day", "organisation", "team", "product", "channel", "case_type")


def _counter_of(event, categories: dict[str, Category]) -> str | None:
    if event.kind == EventKind.OPENED:
        return "opened"
    if event.kind == EventKind.STATUS:
        return COUNTED.get(categories.get(event.new_value))
    return None


def _categories() -> dict[str, Category]:
    return {status.key: status.category for status in current_policy().statuses}


def _tally(events, cases: dict[int, tuple]) -> Counter:
    """``{(key..., counter): n}`` for ``events``; ``cases`` gives each case's organisation,
    team, product, channel and case type."""
    categories = _categories()
    zone = days.portal_zone()
    tally = Counter()
    for event in events:
        counter = _counter_of(event, categories)
        if counter is None:
            continue
        organisation, team, product, channel, case_type = cases[event.case_id]
        day = days.day_of(event.created_at, zone)
        tally[(day, organisation, team or 0, product or 0, channel, case_type, counter)] += 1
    return tally


def _case_keys(rows: dict[int, tuple]) -> dict[int, tuple]:
    """``{id: (organisation, team, product, channel, case type)}`` of rows of
    ``changed.COLUMNS``."""
    return {case_id: (*row[2:5], row[11], row[5]) for case_id, row in rows.items()}


def _add(tally: Counter) -> None:
    """Add ``tally`` to the rows: one upsert of many rows per counter (a timer sweep's batch
    closes cases of dozens of keys at once), in the keys' order."""
    counters = ("opened", "solved", "closed")
    by_counter: dict[str, list[tuple]] = {}
    for (*key, counter), n in sorted(tally.items(), key=lambda item: str(item[0])):
        by_counter.setdefault(counter, []).append((*key, *(n * (c == counter) for c in counters)))
    for counter, rows in by_counter.items():
        insert_rows(DailyCaseCount, [*KEY, *counters], rows, adding=KEY, counts=(counter,))


@hookimpl
def helpdesk_case_changed(events):
    counted = [e for e in events if e.kind in (EventKind.OPENED, EventKind.STATUS)]
    if counted:
        _add(_tally(counted, _case_keys(changed.case_rows(events))))


def recount(first: date, last: date) -> Counter:
    """The roll-up of the days ``first`` to ``last`` computed afresh from the timeline."""
    start, end = days.span(first, last)
    events = list(
        Event.select(Event.case, Event.kind, Event.new_value, Event.created_at).where(
            (Event.created_at >= start)
            & (Event.created_at < end)
            & Event.kind.in_([EventKind.OPENED, EventKind.STATUS])
        )
    )
    ids = list({e.case_id for e in events})
    return _tally(events, _case_keys({row[0]: row for row in changed.rows(Case.id.in_(ids))}))


def stored(first: date, last: date) -> Counter:
    """The roll-up's rows for the days ``first`` to ``last``, as ``recount`` gives them."""
    tally = Counter()
    for row in DailyCaseCount.select().where(DailyCaseCount.day.between(first, last)):
        day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        key = (day, row.organisation_id, row.team, row.product, row.channel, row.case_type)
        for counter in ("opened", "solved", "closed"):
            if getattr(row, counter):
                tally[(*key, counter)] = getattr(row, counter)
    return tally


def rebuild(first: date, last: date) -> int:
    """Replace the roll-up of the days ``first`` to ``last`` by a recount; the number of
    entries counted."""
    with db.atomic():
        DailyCaseCount.delete().where(DailyCaseCount.day.between(first, last)).execute()
        tally = recount(first, last)
        _add(tally)
    return sum(tally.values())


@huey.periodic_task(crontab(hour="2", minute="23"))
def rebuild_recent_days():
    """Nightly: yesterday and today (the portal's days) recounted from the timeline."""
    today = days.today()
    return rebuild(today - timedelta(days=1), today)
