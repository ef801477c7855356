"""SLA clocks and status timers of cases, and the admin's calendar override (SLA-1..3, FLOW-3).

Cases opened before this release get their clock row with their next change; until then they
have no targets and no timers. The models below are frozen copies of the tables as they were
in this release.
"""

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Case, User = existing(Base, "case"), existing(Base, "user")

    class CaseClock(Base):
        case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
        response_kind = CharField(max_length=10, null=True)
        response_started_at = DateTimeField(null=True)
        response_target = IntegerField(null=True)
        response_paused = FloatField(default=0)
        response_due_at = DateTimeField(null=True)
        paused_since = DateTimeField(null=True)
        first_responded_at = DateTimeField(null=True)
        breached_at = DateTimeField(null=True)
        alert_at = DateTimeField(null=True)
        alert_stage = IntegerField(default=0)
        timer_status = CharField(max_length=50, null=True)
        timer_step = IntegerField(default=0)
        timer_base_at = DateTimeField(null=True)
        timer_due_at = DateTimeField(null=True)
        resubmit_at = DateTimeField(null=True)

        class Meta:
            table_name = "case_clock"
            indexes = (
                (("timer_due_at",), False),
                (("alert_at",), False),
                (("response_due_at",), False),
            )

    class CalendarOverride(Base):
        id = AutoField()
        data = TextField()
        changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        changed_at = DateTimeField()
        active = IntegerField(default=1)

        class Meta:
            table_name = "calendar_override"

    db.create_tables([CaseClock, CalendarOverride])
