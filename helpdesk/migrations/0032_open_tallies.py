"""Reports at a million cases (issue 17): the open cases counted now, kept by the case-change
hook (``helpdesk.reports.open_tally``), so the dashboard's "now" counts, backlog age,
workload and escalations no longer walk every open case.

- ``open_case``: the keys each open case is counted under;
- ``open_case_count``: the open cases by organisation (0: all together), team, product, case
  type and a facet's value (status category, severity, assignee, escalation level);
- ``open_case_age``: the same by status category and the portal's day of opening;
- three indexes that cover what the response, trend and volume figures of all organisations
  read (``FIGURE_INDEXES``).

The tables are filled here from the open cases (the opening day in the portal's time zone,
``BABEL_DEFAULT_TIMEZONE``), as the nightly recount fills them.
"""

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from peewee import AutoField, CharField, DateField, ForeignKeyField, IntegerField

from helpdesk.migrations import existing, frozen_base

#: Indexes that hold every column a figure of all organisations reads, so the database
#: answers from the index alone instead of fetching a period's rows one by one.
FIGURE_INDEXES = (
    (
        "case_times_figures",
        "case_times",
        "opened_at, severity, response_target, response_minutes, resolution_minutes",
    ),
    (
        "daily_open_count_figures",
        "daily_open_count",
        "organisation, day, status_category, severity, count",
    ),
    ("daily_case_count_figures", "daily_case_count", "day, channel, opened, solved, closed"),
)


def upgrade(db, migrator):
    Base = frozen_base(db)
    key = ("organisation", "team", "product", "case_type")
    Case = existing(Base, "case")

    class OpenCase(Base):
        case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
        organisation = IntegerField()
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        case_type = CharField(max_length=50)
        severity = CharField(max_length=50)
        status_category = CharField(max_length=20)
        assignee = IntegerField(default=0)
        escalation_level = IntegerField(default=0)
        opened_day = DateField()

        class Meta:
            table_name = "open_case"

    class OpenCaseCount(Base):
        id = AutoField()
        organisation = IntegerField()
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        case_type = CharField(max_length=50)
        facet = CharField(max_length=20)
        value = CharField(max_length=50)
        count = IntegerField(default=0)

        class Meta:
            table_name = "open_case_count"
            indexes = ((("organisation", "facet", "team", "product", "case_type", "value"), True),)

    class OpenCaseAge(Base):
        id = AutoField()
        organisation = IntegerField()
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        case_type = CharField(max_length=50)
        status_category = CharField(max_length=20)
        opened_day = DateField()
        count = IntegerField(default=0)

        class Meta:
            table_name = "open_case_age"
            indexes = (
                ((*key, "status_category", "opened_day"), True),
                (("organisation", "opened_day"), False),
            )

    db.create_tables([OpenCase, OpenCaseCount, OpenCaseAge])
    for name, table, columns in FIGURE_INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON {table} ({columns})')
    _fill(db, OpenCase, OpenCaseCount, OpenCaseAge)


def _fill(db, open_case, counts_model, ages_model) -> None:
    zone = ZoneInfo(
        current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Europe/Vienna"
    )
    cursor = db.execute_sql(
        "SELECT id, organisation_id, COALESCE(team_id, 0), COALESCE(product_id, 0), case_type,"
        " severity, status_category, COALESCE(assignee_id, 0), escalation_level, created_at"
        ' FROM "case" WHERE is_open'
    )
    states, counts, ages = [], Counter(), Counter()
    for (
        case_id,
        organisation,
        team,
        product,
        kind,
        severity,
        category,
        assignee,
        level,
        at,
    ) in cursor.fetchall():
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        day = at.replace(tzinfo=UTC).astimezone(zone).date()
        states.append(
            (case_id, organisation, team, product, kind, severity, category, assignee, level, day)
        )
        for who in (organisation, 0):
            base = (who, team, product, kind)
            counts[(*base, "status", category)] += 1
            counts[(*base, "severity", severity)] += 1
            counts[(*base, "assignee", str(assignee))] += 1
            if level:
                counts[(*base, "escalation", str(level))] += 1
            ages[(*base, category, day)] += 1
    fields = [f.name for f in open_case._meta.sorted_fields]
    with db.atomic():
        for batch in range(0, len(states), 500):
            open_case.insert_many(states[batch : batch + 500], fields=fields).execute()
        for model, tally in ((counts_model, counts), (ages_model, ages)):
            names = [f.name for f in model._meta.sorted_fields if f.name != "id"]
            rows = [(*k, n) for k, n in tally.items()]
            for batch in range(0, len(rows), 500):
                model.insert_many(rows[batch : batch + 500], fields=names).execute()
