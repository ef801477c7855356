"""Keeping the daily roll-up of open cases (core hook implementation "core.reports.open", and
an hourly job) for the dashboard's open-cases trend.

``DailyOpenCount`` holds, per day of the portal's time zone, the open cases by organisation,
team, product, case type, severity and status category as they stood at the day's end, and
the same added up over all organisations (organisation ``EVERYONE``): an agent's trend reads
those few rows per day, a customer's their organisation's. Today's rows are kept current two
ways, both by adding differences (upserts that add), so no change waits for a lock beyond the
rows it adds to, taken in the keys' order:

- every change of cases that can move a case between those keys (opened, status, field,
  reopened, handed to another support level) adds its difference, in the change's own
  transaction: a change whose only moves are status moves (the timers' sweep moving a batch
  of cases) takes the key before from each case's first status entry and the key after from
  the case as it is, without counting anything; another recounts the changed cases'
  organisations (one grouped count over one organisation's open cases, through the index
  ``case_open_by_organisation``) against their stored rows, read in the same statement, and
  adds the difference to theirs and to everyone's. The day's first change starts today's
  rows from the last day's;
- an hourly job recounts today's rows of every organisation the same way, so a drifted row
  (a change written around the change API) is right again within the hour.

An earlier version serialised the writers of today's rows with a PostgreSQL advisory lock:
each web change and sweep batch took it in its hook, after its row locks, so a change
holding the lock could wait for a row (a clock) a sweep batch held while the batch waited
for the lock (a deadlock, which PostgreSQL ends by failing one of them).

So at the end of a day its rows are what was open then, and they are never touched again.
"""

from collections import Counter

from huey import crontab
from peewee import Case as SqlCase
from peewee import Value, fn

from helpdesk.cases.models import Case, EventKind
from helpdesk.db import db, insert_rows, is_postgres
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
#: The PostgreSQL advisory lock the hourly recount tries (``refresh_today``); nothing waits for it.
LOCK = 190036


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


def _add(difference) -> None:
    """Add ``difference`` to today's rows (created at need), in the keys' order so two changes
    at once take their row locks in the same order: an increment, which needs no lock beyond
    the row's own and commutes with every other change's."""
    today = days.today()
    rows = [
        (today, *key, n)
        for key, n in sorted(difference.items(), key=lambda item: str(item[0]))
        if n
    ]
    insert_rows(DailyOpenCount, ["day", *KEY, "count"], rows, adding=["day", *KEY])


def _counted_and_stored(organisations: set[int] | None) -> tuple[Counter, Counter, Counter]:
    """The open cases now of ``organisations`` (all when None), today's stored rows of those
    organisations, and (all organisations only) today's stored rows of everyone: read by one
    statement, so on PostgreSQL from one snapshot. A change committed meanwhile is in
    neither or in both, and its own difference, added when it commits, stays right."""
    grouped = [Case.organisation, Case.team, Case.product, Case.case_type, Case.severity]
    grouped.append(Case.status_category)
    columns = [Case.organisation, fn.COALESCE(Case.team, 0), fn.COALESCE(Case.product, 0)]
    counted = Case.select(Value(0).alias("part"), *columns, *grouped[3:], fn.COUNT(Case.id))
    counted = counted.where(Case.is_open == True)  # noqa: E712 (SQL)
    stored = DailyOpenCount.select(
        SqlCase(None, [(DailyOpenCount.organisation == EVERYONE, 2)], 1),
        *(getattr(DailyOpenCount, name) for name in KEY),
        DailyOpenCount.count,
    ).where(DailyOpenCount.day == days.today())
    if organisations is not None:
        counted = counted.where(Case.organisation.in_(sorted(organisations)))
        stored = stored.where(DailyOpenCount.organisation.in_(sorted(organisations)))
    parts = (Counter(), Counter(), Counter())
    for part, *key, n in counted.group_by(*grouped).union_all(stored).tuples():
        parts[part][tuple(key)] += n
    return parts


def refresh(organisations: set[int] | None = None) -> int:
    """Recount today's rows of ``organisations`` (all when None, then also the rows of
    everyone) and add the difference to what is stored; the open cases counted.

    Only differences are written, so a recount takes no lock and never writes over another
    change's difference (a recount that wrote counts once lost a sweep's batch of moves).
    Inside a change the count includes the change's own cases, so the difference it adds is
    that change's. A row that drifted (a case written around the change API) is corrected by
    its difference too; two recounts of the same drift at the same instant correct it twice,
    which the hourly job (one at a time) puts right."""
    with db.atomic():
        counts, stored, everyone = _counted_and_stored(organisations)
        difference = Counter(counts)
        difference.subtract(stored)
        if organisations is None:
            change = _everyone(counts)
            change.subtract(everyone)
        else:
            change = _everyone(difference)
        _add(difference)
        _add(change)
    return sum(counts.values())


def _carry_over() -> None:
    """Today's first change: today's rows start as the last day's rows (its end is today's
    start; a day without changes has no rows of its own). Two first changes at once insert
    the same rows, and the second leaves them (``ON CONFLICT DO NOTHING``, waiting for the
    first on PostgreSQL). Before the first day with rows, everything is counted."""
    last = (
        DailyOpenCount.select(fn.MAX(DailyOpenCount.day))
        .where(DailyOpenCount.day < days.today())
        .scalar()
    )
    if last is None:
        refresh()
        return
    names = ["day", *KEY, "count"]
    rows = DailyOpenCount.select(
        Value(days.today()), *(getattr(DailyOpenCount, name) for name in names[1:])
    ).where(DailyOpenCount.day == last)
    order = [getattr(DailyOpenCount, name) for name in KEY]
    DailyOpenCount.insert_from(
        rows.order_by(*order), [getattr(DailyOpenCount, name) for name in names]
    ).on_conflict_ignore().execute()


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
        if not _today(everyone=True).exists():
            _carry_over()
        if difference is None:
            refresh({e.case.organisation_id for e in moves})
        elif difference:
            _add(difference)
            _add(_everyone(difference))


@huey.periodic_task(crontab(minute="7"))
def refresh_today():
    """Hourly: today's rows of every organisation recounted from the cases. Two consumers
    run it at the same minute; on PostgreSQL one recounts and the other leaves (a lock tried
    first, never waited for), so a drift is corrected once."""
    with db.atomic():
        if (
            is_postgres()
            and not db.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (LOCK,)).fetchone()[0]
        ):
            return None
        return refresh()
