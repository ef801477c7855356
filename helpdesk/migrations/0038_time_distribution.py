"""Reports at a million cases (issue 17): the distribution of response and resolution times
(``helpdesk.reports.time_rollup``), so the median and 90th percentile of a period no longer
read and order every case's row of the period.

- ``case_times.response_bucket`` and ``resolution_bucket``: the bucket of each time, with
  indexes on (organisation,) severity, bucket, opening and the time (a bucket's values of a
  period);
- ``case_time_count``: the cases per day and ISO week of opening, organisation (0: all
  together), team, product, case type (-1, -1, "*": all added up), severity, measure and
  bucket.

Both are filled here from ``case_times`` (the opening day in the portal's time zone,
``BABEL_DEFAULT_TIMEZONE``), as the nightly recount fills them.
"""

import math
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from peewee import AutoField, CharField, DateField, IntegerField

from helpdesk.migrations import frozen_base

PER_LOG = 16  # buckets per unit of log(1 + minutes), as ``time_rollup.PER_LOG``
KEY = ("organisation", "measure", "span", "first_day", "severity", "bucket", "team")
KEY += ("product", "case_type")
COUNTS = ("count", "targeted", "within", "target")
ALL = (-1, -1, "*")  # the team, product and type of the rows of all, as ``time_rollup.ALL``


def upgrade(db, migrator):
    Base = frozen_base(db)

    class CaseTimeCount(Base):
        id = AutoField()
        organisation = IntegerField()
        measure = CharField(max_length=10)
        span = IntegerField()
        first_day = DateField()
        severity = CharField(max_length=50)
        bucket = IntegerField()
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        case_type = CharField(max_length=50)
        count = IntegerField(default=0)
        targeted = IntegerField(default=0)
        within = IntegerField(default=0)
        target = IntegerField(default=0)

        class Meta:
            table_name = "case_time_count"
            indexes = (
                (KEY, True),
                ((*KEY[:3], *KEY[6:], *KEY[3:6], *COUNTS), False),
            )

    for measure in ("response", "resolution"):
        db.execute_sql(f'ALTER TABLE "case_times" ADD COLUMN "{measure}_bucket" INTEGER')
    db.create_tables([CaseTimeCount])
    fill(db, CaseTimeCount)
    for measure in ("response", "resolution"):  # after the fill: faster than kept during it
        for lead in ("", "organisation, "):
            columns = f"{lead}severity, {measure}_bucket, opened_at, {measure}_minutes"
            name = "case_times_" + columns.replace(", ", "_")
            db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "case_times" ({columns})')


def _bucket(minutes: float) -> int:
    return int(PER_LOG * math.log1p(max(minutes, 0.0)))


def fill(db, model) -> None:
    """The bucket columns and the counts from every ``case_times`` row."""
    zone = ZoneInfo(
        current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Europe/Vienna"
    )
    cursor = db.execute_sql(
        "SELECT case_id, organisation, team, product, severity, case_type, opened_at,"
        " COALESCE(response_target, 0), response_minutes, resolution_minutes FROM case_times"
    )
    moves: dict[tuple[str, int], list[int]] = {}
    counts: dict[tuple, list[int]] = {}
    for case_id, organisation, team, product_id, severity, kind, at, target, *times in cursor:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        day = at.replace(tzinfo=UTC).astimezone(zone).date()
        response, resolution = times
        found = [("response", -1, 0, 0)]
        if response is not None:
            bucket = _bucket(response)
            moves.setdefault(("response", bucket), []).append(case_id)
            within = int(target > 0 and response <= target)
            found = [("response", bucket, int(bool(target)), within)]
        if resolution is not None:
            moves.setdefault(("resolution", _bucket(resolution)), []).append(case_id)
            found.append(("resolution", _bucket(resolution), 0, 0))
        week = day - timedelta(days=day.weekday())
        for measure, bucket, targeted, within in found:
            for who, (span, first), rest in product(
                (organisation, 0), ((1, day), (7, week)), ((team, product_id, kind), ALL)
            ):
                row = counts.setdefault(
                    (who, measure, span, first, severity, bucket, *rest), [0] * 4
                )
                row[0] += 1
                row[1] += targeted
                row[2] += within
                row[3] = max(row[3], target if measure == "response" else 0)
    with db.atomic():
        for (measure, bucket), cases in moves.items():
            for start in range(0, len(cases), 500):
                ids = ", ".join(str(int(i)) for i in cases[start : start + 500])
                db.execute_sql(
                    f'UPDATE "case_times" SET "{measure}_bucket" = {bucket}'
                    f" WHERE case_id IN ({ids})"
                )
        rows = [(*key, *row) for key, row in counts.items()]
        for start in range(0, len(rows), 500):
            model.insert_many(rows[start : start + 500], fields=[*KEY, *COUNTS]).execute()
