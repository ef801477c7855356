"""Reports, second round (issue 17): the vendor's case type in the roll-ups, a daily roll-up
of the open cases, and two indexes on knowledge tables for the self-service figures.

- ``daily_case_count`` and ``case_times`` get the case's type (the dashboard filters by it);
  the roll-up's unique key takes it in. Existing ``case_times`` rows get their case's type;
  the roll-up's rows keep ``''`` until ``helpdesk.reports.rollups.rebuild`` recounts them.
- ``daily_open_count``: the open cases at the end of each day (the portal's time zone) by
  organisation, team, product, type, severity and status category, and the same for all
  organisations together (organisation 0), for the open-cases trend.
- ``case_open_by_organisation``: the open cases of one organisation by those keys, counted
  from the index alone when a change recounts its organisation's row of today.
- ``article_read (read_at)`` and ``deflection (created_at)``: the self-service figures read a
  period of these rows (the knowledge area's own indexes start with the user or the article).
"""

from peewee import AutoField, CharField, DateField, IntegerField

from helpdesk.migrations import frozen_base


def upgrade(db, migrator):
    for table in ("daily_case_count", "case_times"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN case_type VARCHAR(50) NOT NULL DEFAULT ''")
    db.execute_sql(
        "UPDATE case_times SET case_type ="
        ' (SELECT c.case_type FROM "case" c WHERE c.id = case_times.case_id)'
    )
    db.execute_sql('DROP INDEX "daily_case_count_day_organisation_id_team_product_channel"')
    db.execute_sql(
        'CREATE UNIQUE INDEX "daily_case_count_key" ON daily_case_count'
        " (day, organisation_id, team, product, channel, case_type)"
    )

    Base = frozen_base(db)

    class DailyOpenCount(Base):
        id = AutoField()
        day = DateField()
        organisation = IntegerField()  # 0: all organisations together
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        case_type = CharField(max_length=50)
        severity = CharField(max_length=50)
        status_category = CharField(max_length=20)
        count = IntegerField(default=0)

        class Meta:
            table_name = "daily_open_count"
            indexes = (
                (
                    (
                        "day",
                        "organisation",
                        "team",
                        "product",
                        "case_type",
                        "severity",
                        "status_category",
                    ),
                    True,
                ),
                (("organisation", "day"), False),
            )

    db.create_tables([DailyOpenCount])
    # today's open cases of one organisation, counted from the index alone (open_rollup)
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "case_open_by_organisation" ON "case" (organisation_id,'
        " is_open, team_id, product_id, case_type, severity, status_category)"
    )
    migrator.add_index("article_read", ("read_at",), False).run()
    migrator.add_index("deflection", ("created_at",), False).run()
