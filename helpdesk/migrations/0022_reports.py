"""Reports (issue 17): the daily roll-up of opened, solved and closed cases, and one index of
the open cases by status category, severity, team and product for the dashboard's exact "now"
counts. The roll-up starts empty: ``flask reports rebuild`` (or the nightly job, day by day)
fills it from the timeline. The model below is a frozen copy of the table in this release.
"""

from peewee import AutoField, CharField, DateField, ForeignKeyField, IntegerField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation = existing(Base, "organisation")

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

    db.create_tables([DailyCaseCount])
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "case_is_open_status_category_severity_team_id_product_id"'
        ' ON "case" (is_open, status_category, severity, team_id, product_id)'
    )
