"""Reports and the audit log (issue 17).

The daily roll-up of opened, solved and closed cases; each case's first response and
resolution in business minutes (``case_times``); one index of the open cases by status
category, severity, team and product for the dashboard's exact "now" counts; and the audit
log's indexes for its filters. The roll-up starts empty:
``helpdesk.reports.rollups.rebuild(first, last)`` fills it from the timeline (the nightly job
recounts yesterday and today). The models below are frozen copies of the tables in this
release; cases opened before it have no ``case_times`` row.
"""

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation, Case = existing(Base, "organisation"), existing(Base, "case")

    class DailyCaseCount(Base):
        id = AutoField()
        day = DateField()
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        channel = CharField(max_length=10)
        opened = IntegerField(default=0)
        solved = IntegerField(default=0)
        closed = IntegerField(default=0)

        class Meta:
            table_name = "daily_case_count"
            indexes = (
                (("day", "organisation", "team", "product", "channel"), True),
                (("organisation", "day"), False),
            )

    class CaseTimes(Base):
        case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
        organisation = IntegerField()
        team = IntegerField(default=0)
        product = IntegerField(default=0)
        severity = CharField(max_length=50)
        opened_at = DateTimeField()
        response_target = IntegerField(null=True)
        responded_at = DateTimeField(null=True)
        response_minutes = FloatField(null=True)
        resolved_at = DateTimeField(null=True)
        resolution_minutes = FloatField(null=True)

        class Meta:
            table_name = "case_times"
            indexes = ((("opened_at",), False), (("organisation", "opened_at"), False))

    db.create_tables([DailyCaseCount, CaseTimes])
    # the audit page's filters and the retention prune
    for columns in (("actor_id", "id"), ("action", "id"), ("created_at",)):
        migrator.add_index("audit_log", columns, False).run()
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "case_open_report_counts" ON "case" (is_open,'
        " status_category, severity, team_id, product_id, created_at, assignee_id,"
        " escalation_level)"
    )
