"""Closing, surveys, escalation, support levels and releases (FLOW-4 to FLOW-7).

Two columns on ``case`` (escalation and support level), added with one ALTER each so SQLite
never rebuilds the table, and three new tables, frozen as they were in this release.
"""

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    db.execute_sql('ALTER TABLE "case" ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0')
    db.execute_sql('ALTER TABLE "case" ADD COLUMN support_level INTEGER NOT NULL DEFAULT 1')

    Base = frozen_base(db)
    Case = existing(Base, "case")
    User = existing(Base, "user")

    class SurveyResponse(Base):
        id = AutoField()
        case = ForeignKeyField(Case, unique=True, on_delete="CASCADE")
        sent_at = DateTimeField()
        rating = IntegerField(null=True)
        comment = TextField(null=True)
        answered_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("answered_at",), False),)

    class DevelopmentItem(Base):
        id = AutoField()
        key = CharField(max_length=50, unique=True)
        title = CharField(max_length=200)
        release = CharField(max_length=50, null=True)
        released_at = DateTimeField(null=True)
        created_at = DateTimeField()

    class DevelopmentLink(Base):
        case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
        item = ForeignKeyField(DevelopmentItem, on_delete="CASCADE")
        linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        linked_at = DateTimeField()

        class Meta:
            indexes = ((("item", "case"), False),)

    db.create_tables([SurveyResponse, DevelopmentItem, DevelopmentLink])
