"""Keeping the daily roll-up of open cases (core hook implementation "core.reports.open", and
an hourly job) for the dashboard's open-cases trend.

``DailyOpenCount`` holds, per day of the portal's time zone, the open cases by organisation,
team, product, case type, severity and status category as they stood at the day's end, and
the same added up over all organisations (organisation ``EVERYONE``): an agent's trend reads
those few rows per day, a customer's their organisation's. Today's rows are kept current two
ways:

- every change of cases that can move a case between those keys (opened, status, field,
  reopened, handed to another support level) recounts today's rows of the changed cases'
  organisations, in the change's own transaction (one grouped count over one organisation's
  open cases, through the index ``case_open_by_organisation``), and moves the rows of
  everyone by the difference; a change whose only moves are status moves (the timers' sweep
  moving a batch of cases) adds its difference instead, the key before from each case's first
  status entry and the key after from the case as it is, without counting anything;
- an hourly job recounts today's rows of every organisation, so an organisation without
  changes today has its rows too, and a drifted row (a change written around the change API)
  is right again within the hour.

So at the end of a day its rows are what was open then, and they are never touched again.
"""

from collections import Counter

from huey import crontab
from peewee import EXCLUDED, fn

from helpdesk.cases.models import Case, EventKind
from helpdesk.db import db, is_postgres
from helpdesk.hookspecs import hookimpl
from helpdesk.jobs import huey
from helpdesk.policy import current_policy
from helpdesk.reports import days
from helpdesk.reports.models import EVERYONE, DailyOpenCount

#: The timeline entries after which a case may count under another key (or no longer count).
MOVES = {
    EventKind.OPENED,
    EventKind.STATUS,
    EventKind.FIELD,
    EventKind.REOPENED,
    EventKind.SUPPORT_LEVEL,
}
KEY = ("organisation", "team", "product", "case_type", "severity", "status_category")


def current(organisations: set[int] | None = None) -> dict[tuple, int]:
    """The open cases now, ``{(organisation, team, product, case_type, severity,
    status_category): count}``, of ``organisations`` (all when None)."""
    columns = [Case.organisation, Case.team, Case.product, Case.case_type, Case.severity]
    query = Case.select(*columns, Case.status_category, fn.COUNT(Case.id)).where(
        Case.is_open == True  # noqa: E712 (SQL)
    )
    if organisations is not None:
        query = query.where(Case.organisation.in_(sorted(organisations)))
    rows = query.group_by(*columns, Case.status_category).tuples()
    return {
        (organisation, team or 0, product or 0, case_type, severity, category): n
        for organisation, team, product, case_type, severity, category, n in rows
    }


def _everyone(counts: dict[tuple, int]) -> Counter:
    """``counts`` added up over the organisations, as rows of ``EVERYONE``."""
    total = Counter()
    for (_organisation, *rest), n in counts.items():
        total[(EVERYONE, *rest)] += n
    return total


def _today(organisations=None, everyone: bool = False):
    query = DailyOpenCount.select().where(DailyOpenCount.day == days.today())
    if everyone:
        return query.where(DailyOpenCount.organisation == EVERYONE)
    query = query.where(DailyOpenCount.organisation != EVERYONE)
    if organisations is not None:
        query = query.where(DailyOpenCount.organisation.in_(sorted(organisations)))
    return query


def _key(row) -> tuple:
    return tuple(getattr(row, name) for name in KEY)


def _write(counts, add: bool = False) -> None:
    """Upsert today's rows ``counts``: the count replaced, or with ``add`` added to."""
    today = days.today()
    rows = [
        {"day": today, **dict(zip(KEY, key, strict=True)), "count": n}
        for key, n in sorted(counts.items(), key=lambda item: str(item[0]))
    ]
    column = DailyOpenCount.count
    for batch in range(0, len(rows), 500):
        DailyOpenCount.insert_many(rows[batch : batch + 500]).on_conflict(
            conflict_target=[DailyOpenCount.day, *(getattr(DailyOpenCount, k) for k in KEY)],
            update={column: column + EXCLUDED.count if add else EXCLUDED.count},
        ).execute()


#: The key of the PostgreSQL advisory lock that ``_take_turns`` holds.
LOCK = 190036


def _take_turns() -> None:
    """On PostgreSQL, wait for the other transactions that write today's rows, until they
    end (a lock held until this transaction ends). A recount writes counts, not differences:
    counted while another change's difference was written but not yet committed, it would
    write over that difference when it commits (three sweeps moving batches at once lost
    one batch's moves). Holding the lock before counting, a recount sees every difference
    written before it, and one written after is added to its counts. SQLite's writing
    transactions take turns anyway."""
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK,))


def refresh(organisations: set[int] | None = None) -> int:
    """Recount today's rows of ``organisations`` (all when None) and bring the rows of
    everyone by as much; the open cases counted.

    The old rows are set to 0 and the new counts written over them by an upsert, so two
    changes at once never collide on the unique key. Until today has rows of everyone (the
    first change or hourly run of a day), every organisation is recounted."""
    with db.atomic():
        _take_turns()
        if organisations is not None and not _today(everyone=True).exists():
            organisations = None
        counts = current(organisations)
        if organisations is None:
            DailyOpenCount.update(count=0).where(DailyOpenCount.day == days.today()).execute()
            _write({**counts, **_everyone(counts)})
            return sum(counts.values())
        before = {_key(row): row.count for row in _today(organisations)}
        ids = [row.id for row in _today(organisations)]
        DailyOpenCount.update(count=0).where(DailyOpenCount.id.in_(ids)).execute()
        _write(counts)
        change = _everyone(counts)
        change.subtract(_everyone(before))
        _write({key: n for key, n in change.items() if n}, add=True)
    return sum(counts.values())


def stored(day, everyone: bool = False) -> dict[tuple, int]:
    """The roll-up's rows of ``day`` that count, as ``current`` gives them (``everyone``: the
    rows of all organisations together)."""
    query = DailyOpenCount.select().where((DailyOpenCount.day == day) & (DailyOpenCount.count > 0))
    query = query.where(
        (DailyOpenCount.organisation == EVERYONE)
        if everyone
        else (DailyOpenCount.organisation != EVERYONE)
    )
    return {_key(row): row.count for row in query}


def everyone_of(counts: dict[tuple, int]) -> dict[tuple, int]:
    """The rows of everyone that ``counts`` (as ``current`` gives them) add up to."""
    return {key: n for key, n in _everyone(counts).items() if n}


def status_difference(events) -> Counter | None:
    """What ``events`` (a change's moves) do to today's rows when they are all status moves,
    as ``current`` keys them; None when another kind of move (or an unknown status) is among
    them. A case counts before under its first entry's old status, after as it is now."""
    if any(e.kind != EventKind.STATUS for e in events):
        return None
    categories = {s.key: s.category for s in current_policy().statuses}
    first, last = {}, {}
    for event in events:
        first.setdefault(event.case_id, event)
        last[event.case_id] = event
    difference = Counter()
    for case_id, event in first.items():
        case, before = last[case_id].case, categories.get(event.old_value)
        if before is None:
            return None
        rest = (case.organisation_id, case.team_id or 0, case.product_id or 0)
        rest += (case.case_type, case.severity)
        if before.is_open:
            difference[(*rest, str(before))] -= 1
        if case.is_open:
            difference[(*rest, str(case.status_category))] += 1
    return Counter({key: n for key, n in difference.items() if n})


@hookimpl
def helpdesk_case_changed(events):
    moves = [e for e in events if e.kind in MOVES]
    if not moves:
        return
    difference = status_difference(moves)
    with db.atomic():
        _take_turns()
        if difference is None or not _today(everyone=True).exists():
            refresh({e.case.organisation_id for e in moves})
        elif difference:
            _write(difference, add=True)
            _write(_everyone(difference), add=True)


@huey.periodic_task(crontab(minute="7"))
def refresh_today():
    """Hourly: today's rows of every organisation recounted from the cases."""
    return refresh()
