"""The distribution of response and resolution times (``CaseTimeCount``), so the median and
90th percentile of a period come from a few thousand counts instead of every case's row.

Every case's times count in buckets of minutes (``bucket_of``: about 6 % wide, one minute
near zero), by the portal's day and ISO week of the case's opening, for its organisation and
for all organisations together. A period reads its whole weeks' rows and its other days'
rows, adds the counts up per severity and bucket, and so knows in which bucket the median's
and the 90th percentile's ranks lie and at which place; their exact values are then read
from the case rows of the period in just that bucket (``CaseTimes.response_bucket``: an
index gives them in order). The figures stay exact, whatever the bucket widths.

``times`` adds each change in the change's own transaction (an upsert that adds); the
nightly job recounts the weeks of the cases opened, answered or solved since yesterday.
"""

import math
from collections import Counter
from datetime import date, timedelta
from itertools import product

from huey import crontab
from peewee import fn

from helpdesk.db import db, insert_rows
from helpdesk.jobs import huey
from helpdesk.reports import days
from helpdesk.reports.models import EVERYONE, CaseTimeCount, CaseTimes

#: Buckets per unit of ``log(1 + minutes)``: the width is about 1/16 of the value.
PER_LOG = 16
UNANSWERED = -1  # the bucket of a case's response until it is answered
#: ``team``, ``product`` and ``case_type`` of the rows that add up all teams, products and
#: types: what a dashboard without those filters reads (a few rows per bucket, not a row per
#: type and bucket).
ALL = (-1, -1, "*")
MEASURES = {"response": "response_minutes", "resolution": "resolution_minutes"}
KEY = ("organisation", "measure", "span", "first_day", "severity", "bucket", "team")
KEY += ("product", "case_type")
COUNTS = ("count", "targeted", "within", "target")


def bucket_of(minutes: float) -> int:
    return int(PER_LOG * math.log1p(max(minutes, 0.0)))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def entries(times: CaseTimes) -> list[tuple]:
    """``(measure, bucket, targeted, within)`` of what ``times`` counts as now."""
    target = times.response_target or 0
    found = []
    if times.response_minutes is None:
        found.append(("response", UNANSWERED, 0, 0))
    else:
        within = int(bool(target) and times.response_minutes <= target)
        found.append(("response", bucket_of(times.response_minutes), int(bool(target)), within))
    if times.resolution_minutes is not None:
        found.append(("resolution", bucket_of(times.resolution_minutes), 0, 0))
    return found


def tally(times: CaseTimes, sign: int, counted: dict, zone=None, only=None) -> None:
    """Add (``sign`` 1) or take away (-1) what ``times`` counts as to ``counted``:
    ``{key: [count, targeted, within, largest response target]}`` of each day's and week's
    row, for the case's organisation and for all, for its team, product and type and for
    ``ALL``; ``only`` these of its ``entries`` when given."""
    day = days.day_of(times.opened_at, zone)
    own = (times.team or 0, times.product or 0, times.case_type)
    target = times.response_target or 0
    for measure, bucket, targeted, within in entries(times) if only is None else only:
        for organisation, (span, first), rest in product(
            (times.organisation, EVERYONE), ((1, day), (7, monday(day))), (own, ALL)
        ):
            key = (organisation, measure, span, first, times.severity, bucket, *rest)
            row = counted.setdefault(key, [0, 0, 0, 0])
            row[0] += sign
            row[1] += sign * targeted
            row[2] += sign * within
            if measure == "response":
                row[3] = max(row[3], target)


def add(counted: dict) -> None:
    """Add ``counted`` to the rows (in the keys' order, an upsert per ``db.INSERT_ROWS``
    rows, its SQL written by ``insert_rows``: peewee built the rows of a timer sweep's batch,
    7,500 for 500 solved cases, as nodes of a query, 17 of the 20 profiled seconds ``add``
    took in a sweep of 10,000 cases).

    A row whose counts do not change is left out (one case leaving it as another comes in):
    it changes no target either, since a row's target is the largest of its cases' and never
    lowered. For the same reason ``reports.times`` tallies only the entries a change alters
    (a solved case's response entry stays: half of what a sweep tallied)."""
    changed = {key: row for key, row in counted.items() if any(row[:3])}
    rows = [(*key, *row) for key, row in sorted(changed.items(), key=lambda i: str(i[0]))]
    insert_rows(
        CaseTimeCount, [*KEY, *COUNTS], rows, adding=KEY, counts=COUNTS[:-1], greatest=COUNTS[-1:]
    )


# -- reading ----------------------------------------------------------------------------------


def ranges(first: date, last: date) -> list[tuple[int, date, date]]:
    """``(span, from, to)``: the rows that make up the days ``first`` to ``last``: the whole
    ISO weeks within (span 7), the days before and after them (span 1)."""
    weeks_from = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks_to = monday(last + timedelta(days=1)) - timedelta(days=7)
    if weeks_from > weeks_to:
        return [(1, first, last)]
    found = [(7, weeks_from, weeks_to)]
    if first < weeks_from:
        found.append((1, first, weeks_from - timedelta(days=1)))
    if weeks_to + timedelta(days=6) < last:
        found.append((1, weeks_to + timedelta(days=7), last))
    return found


def counted(filters, measure: str, *columns) -> list:
    """One query of ``columns`` per range of rows of ``measure`` in ``filters``' period,
    narrowed like the figures (without an organisation: all organisations together's rows);
    each reads its rows from the covering index."""
    queries = []
    for span, first, last in ranges(filters.start, filters.end):
        query = CaseTimeCount.select(*columns).where(
            (CaseTimeCount.organisation == (filters.organisation or EVERYONE))
            & (CaseTimeCount.measure == measure)
            & (CaseTimeCount.span == span)
            & CaseTimeCount.first_day.between(first, last)
        )
        narrowing = {name: getattr(filters, name) for name in ("team", "product", "case_type")}
        if all(value is None for value in narrowing.values()):
            narrowing = dict(zip(narrowing, ALL, strict=True))
        for name, value in narrowing.items():
            if value is not None:  # leaves out the rows of ``ALL``
                query = query.where(getattr(CaseTimeCount, name) == value)
        queries.append(query)
    return queries


def distribution(filters, measure: str) -> tuple[dict, dict]:
    """``({severity: [(bucket, cases), ...]}, {severity: (answered with a target, answered
    within it, the largest target)})`` of ``measure`` over the cases opened in the period,
    buckets in order, in one pass over the rows (the second only for responses)."""
    total, compliance = Counter(), {}
    columns = (
        CaseTimeCount.severity,
        CaseTimeCount.bucket,
        fn.SUM(CaseTimeCount.count),
        fn.SUM(CaseTimeCount.targeted),
        fn.SUM(CaseTimeCount.within),
        fn.MAX(CaseTimeCount.target),
    )
    for query in counted(filters, measure, *columns):
        rows = query.group_by(CaseTimeCount.severity, CaseTimeCount.bucket).tuples()
        for severity, bucket, n, targeted, met, target in rows:
            if bucket >= 0:
                total[(severity, bucket)] += int(n or 0)
            was = compliance.get(severity, (0, 0, 0))
            compliance[severity] = (
                was[0] + int(targeted or 0),
                was[1] + int(met or 0),
                max(was[2], target or 0),
            )
    found: dict[str, list[tuple[int, int]]] = {}
    for (severity, bucket), n in sorted(total.items()):
        if n:
            found.setdefault(severity, []).append((bucket, n))
    return found, compliance


# -- recounting -------------------------------------------------------------------------------


def recount(first: date, last: date) -> dict:
    """The rows of the cases opened on the days ``first`` to ``last`` computed afresh from
    their ``CaseTimes``."""
    start, end = days.span(first, last)
    zone = days.portal_zone()
    counts: dict = {}
    rows = CaseTimes.select().where((CaseTimes.opened_at >= start) & (CaseTimes.opened_at < end))
    for times in rows.iterator():
        tally(times, 1, counts, zone)
    return counts


def stored(first: date, last: date) -> dict:
    """The rows of the days (and weeks starting on the days) ``first`` to ``last``, as
    ``recount`` gives them (a row counting nothing any more left out)."""
    counts = {}
    for row in CaseTimeCount.select().where(CaseTimeCount.first_day.between(first, last)):
        key = tuple(getattr(row, name) for name in KEY)
        if row.count or row.targeted or row.within:
            counts[(*key[:3], days.as_date(key[3]), *key[4:])] = [
                getattr(row, name) for name in COUNTS
            ]
    return counts


def _fix_buckets(first: date, last: date) -> None:
    """Set the bucket columns of the case rows opened on the days ``first`` to ``last`` where
    a write around the change hook left them wrong."""
    start, end = days.span(first, last)
    moves: dict[tuple[str, int | None], list[int]] = {}
    for times in CaseTimes.select().where(
        (CaseTimes.opened_at >= start) & (CaseTimes.opened_at < end)
    ):
        for measure, column in MEASURES.items():
            minutes = getattr(times, column)
            bucket = None if minutes is None else bucket_of(minutes)
            if getattr(times, f"{measure}_bucket") != bucket:
                moves.setdefault((measure, bucket), []).append(times.case_id)
    for (measure, bucket), cases in moves.items():
        column = getattr(CaseTimes, f"{measure}_bucket")
        for start_at in range(0, len(cases), 500):
            CaseTimes.update({column: bucket}).where(
                CaseTimes.case.in_(cases[start_at : start_at + 500])
            ).execute()


def rebuild(first: date, last: date) -> int:
    """Replace the rows of the ISO weeks from ``first``'s to ``last``'s by a recount; the
    number of rows written."""
    first, last = monday(first), monday(last) + timedelta(days=6)
    with db.atomic():
        _fix_buckets(first, last)
        CaseTimeCount.delete().where(CaseTimeCount.first_day.between(first, last)).execute()
        counts = recount(first, last)
        add(counts)
    return len(counts)


@huey.periodic_task(crontab(hour="2", minute="37"))
def rebuild_recent_times():
    """Nightly: the weeks of the cases opened, answered or solved since yesterday's start
    recounted from their rows (a case opened long ago may be answered today)."""
    since = days.start_of(days.today() - timedelta(days=1))
    touched = CaseTimes.select(CaseTimes.opened_at).where(
        (CaseTimes.opened_at >= since)
        | (CaseTimes.responded_at >= since)
        | (CaseTimes.resolved_at >= since)
    )
    weeks = sorted({monday(days.day_of(row.opened_at)) for row in touched})
    written = 0
    for week in weeks:
        written += rebuild(week, week)
    return written
