"""The open cases counted now (core hook implementation "core.reports.now", and a nightly job),
so the dashboard's "now" counts, backlog age, workload and escalations read a few hundred
rows instead of every open case.

``OpenCase`` remembers, per open case, the keys it is counted under; ``OpenCaseCount`` and
``OpenCaseAge`` hold the counts per organisation and the same added up over all organisations
(``EVERYONE``). Every change of cases (any timeline entry: all writes of cases go through the
change API) looks at the changed cases in the change's own transaction: a case whose keys
moved (opened, status, severity, team, product, type, assignee, escalation, closed, reopened)
is taken out of its old rows and added to its new ones, by upserts that add, so two changes
at once both count and the "now" counts stay exact. A nightly job recounts everything from
the cases and replaces the rows (a case written around the change API is right again the
next morning).
"""

from collections import Counter

from huey import crontab

from helpdesk.cases.models import Case
from helpdesk.db import db, insert_rows, is_postgres
from helpdesk.hookspecs import hookimpl
from helpdesk.jobs import huey
from helpdesk.reports import changed, days
from helpdesk.reports.models import EVERYONE, OpenCase, OpenCaseAge, OpenCaseCount

#: ``OpenCase``'s columns, the state of one open case as counted.
STATE = (
    "organisation",
    "team",
    "product",
    "case_type",
    "severity",
    "status_category",
    "assignee",
    "escalation_level",
    "opened_day",
)
COUNT_KEY = ("organisation", "team", "product", "case_type", "facet", "value")
AGE_KEY = ("organisation", "team", "product", "case_type", "status_category", "opened_day")


def _state_of_case(row, zone) -> tuple | None:
    """What an open case (a row of ``changed.COLUMNS``) counts as; None if closed."""
    _id, is_open, organisation, team, product, case_type, severity, category, *rest = row
    if not is_open:
        return None
    assignee, escalation, created_at, _channel = rest
    opened = days.day_of(created_at, zone)
    keys = (organisation, team or 0, product or 0, case_type, severity, category)
    return (*keys, assignee or 0, escalation or 0, opened)


def _state_of_row(row: OpenCase) -> tuple:
    values = [getattr(row, name) for name in STATE]
    values[-1] = days.as_date(values[-1])
    return tuple(values)


def _tally(state: tuple, sign: int, counts: Counter, ages: Counter) -> None:
    """Add (``sign`` 1) or take away (-1) one case in ``state`` to the rows it counts in."""
    organisation, team, product, case_type, severity, category, assignee, level, opened = state
    for who in (organisation, EVERYONE):
        base = (who, team, product, case_type)
        counts[(*base, "status", category)] += sign
        counts[(*base, "severity", severity)] += sign
        counts[(*base, "assignee", str(assignee))] += sign
        if level:
            counts[(*base, "escalation", str(level))] += sign
        ages[(*base, category, opened)] += sign


def _add(model, key: tuple, changes: Counter) -> None:
    """Add ``changes`` to ``model``'s rows (created at need), in the keys' order so two
    changes at once take their row locks in the same order."""
    rows = [(*k, n) for k, n in sorted(changes.items(), key=lambda item: str(item[0])) if n]
    insert_rows(model, [*key, "count"], rows, adding=key)


def follow(cases: dict[int, tuple]) -> int:
    """Move the ``cases`` (``{id: row of changed.COLUMNS}``) to the rows of their state now
    (inside the change's transaction); the number of cases whose rows changed."""
    ids = sorted(cases)
    if not ids:
        return 0
    zone = days.portal_zone()
    known = OpenCase.select().where(OpenCase.case.in_(ids))
    if is_postgres():  # waits for a running recount (``rebuild`` locks the table)
        known = known.for_update()
    before = {row.case_id: _state_of_row(row) for row in known}
    now = {case_id: _state_of_case(row, zone) for case_id, row in cases.items()}
    counts, ages, moved, closed, states = Counter(), Counter(), 0, [], []
    for case_id in ids:
        old, new = before.get(case_id), now.get(case_id)
        if old == new:
            continue
        moved += 1
        if old is not None:
            _tally(old, -1, counts, ages)
        if new is None:
            closed.append(case_id)
            continue
        _tally(new, 1, counts, ages)
        states.append((case_id, *new))
    # Each in one statement: a timer sweep's batch moves hundreds of cases (500 moved into
    # another open status, as resubmissions are: 115-220 ms with an upsert each, 22 ms so).
    if states:
        insert_rows(OpenCase, ["case", *STATE], states, replacing=["case"])
    if closed:
        OpenCase.delete().where(OpenCase.case.in_(closed)).execute()
    _add(OpenCaseCount, COUNT_KEY, counts)
    _add(OpenCaseAge, AGE_KEY, ages)
    return moved


@hookimpl
def helpdesk_case_changed(events):
    follow(changed.case_rows(events))


def recount() -> tuple[dict[int, tuple], Counter, Counter]:
    """Every open case's state and the two tallies, counted afresh from the cases."""
    zone = days.portal_zone()
    states, counts, ages = {}, Counter(), Counter()
    for row in changed.rows(Case.is_open == True).iterator():  # noqa: E712 (SQL)
        state = _state_of_case(row, zone)
        states[row[0]] = state
        _tally(state, 1, counts, ages)
    return states, counts, ages


def stored() -> tuple[dict[int, tuple], Counter, Counter]:
    """The stored states and tallies, as ``recount`` gives them (rows of 0 left out)."""
    states = {row.case_id: _state_of_row(row) for row in OpenCase.select()}
    counts = Counter(
        {
            tuple(getattr(row, name) for name in COUNT_KEY): row.count
            for row in OpenCaseCount.select().where(OpenCaseCount.count != 0)
        }
    )
    ages = Counter()
    for row in OpenCaseAge.select().where(OpenCaseAge.count != 0):
        *key, opened = (getattr(row, name) for name in AGE_KEY)
        ages[(*key, days.as_date(opened))] = row.count
    return states, counts, ages


def rebuild() -> int:
    """Replace the states and tallies by a recount from the cases; the open cases counted.
    On PostgreSQL the table of states is locked meanwhile: a change of cases waits for the
    recount and then moves its cases from the recounted rows."""
    with db.atomic():
        if is_postgres():
            db.execute_sql("LOCK TABLE open_case IN EXCLUSIVE MODE")
        states, counts, ages = recount()
        for model in (OpenCase, OpenCaseCount, OpenCaseAge):
            model.delete().execute()
        rows = [{"case": i, **dict(zip(STATE, s, strict=True))} for i, s in states.items()]
        for batch in range(0, len(rows), 500):
            OpenCase.insert_many(rows[batch : batch + 500]).execute()
        _add(OpenCaseCount, COUNT_KEY, counts)
        _add(OpenCaseAge, AGE_KEY, ages)
    return len(states)


@huey.periodic_task(crontab(hour="2", minute="53"))
def rebuild_open_tallies():
    """Nightly: the open cases' tallies recounted from the cases."""
    return rebuild()
