"""Cases, their timeline, attachments, followers, call id counters and the search index.

The models below are frozen copies of the tables as they were in this release.
"""

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.cases.search import create_index_table
from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation, Team, User = (existing(Base, t) for t in ("organisation", "team", "user"))
    Product, ProductVersion, Component = (
        existing(Base, t) for t in ("product", "product_version", "component")
    )

    class CallIdCounter(Base):
        scope = CharField(max_length=10, primary_key=True)
        last = IntegerField()

    class Case(Base):
        id = AutoField()
        call_id = CharField(max_length=20, unique=True)
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        requester = ForeignKeyField(User, on_delete="RESTRICT")
        opened_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        channel = CharField(max_length=10)
        subject = CharField(max_length=200)
        description = TextField()
        product = ForeignKeyField(Product, on_delete="RESTRICT")
        version = ForeignKeyField(ProductVersion, null=True, on_delete="SET NULL")
        component = ForeignKeyField(Component, null=True, on_delete="SET NULL")
        category = CharField(max_length=100, null=True)
        topic = CharField(max_length=200, null=True)
        case_type = CharField(max_length=50)
        severity = CharField(max_length=50)
        priority = CharField(max_length=50)
        status = CharField(max_length=50)
        status_category = CharField(max_length=20)
        impact = TextField(null=True)
        waiting_for = TextField(null=True)
        symptom = TextField(null=True)
        affected = TextField(null=True)
        expected = TextField(null=True)
        steps = TextField(null=True)
        recent_changes = TextField(null=True)
        error_text = TextField(null=True)
        extra = TextField()
        copy_to_requester = BooleanField()
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        last_activity_at = DateTimeField()

        class Meta:
            indexes = (
                (("organisation", "status_category", "updated_at"), False),
                (("organisation", "updated_at"), False),
                (("requester", "updated_at"), False),
                (("assignee", "status_category", "updated_at"), False),
                (("team", "status_category", "updated_at"), False),
                (("status_category", "updated_at"), False),
            )

    class Event(Base):
        id = AutoField()
        case = ForeignKeyField(Case, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        kind = CharField(max_length=20)
        visibility = CharField(max_length=10)
        field = CharField(max_length=50, null=True)
        old_value = TextField(null=True)
        new_value = TextField(null=True)
        body = TextField(null=True)
        recipients = TextField(null=True)

        class Meta:
            indexes = ((("case", "id"), False),)

    class Attachment(Base):
        id = AutoField()
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        event = ForeignKeyField(Event, null=True, on_delete="SET NULL")
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        filename = CharField(max_length=255)
        stored_name = CharField(max_length=80, unique=True)
        content_type = CharField(max_length=100)
        size = BigIntegerField()
        sha256 = CharField(max_length=64)
        visibility = CharField(max_length=10)
        created_at = DateTimeField()

        class Meta:
            indexes = ((("case", "id"), False), (("uploaded_by", "case"), False))

    class Follower(Base):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            primary_key = CompositeKey("case", "user")
            indexes = ((("user", "case"), False),)

    db.create_tables([CallIdCounter, Case, Event, Attachment, Follower])
    create_index_table(db)
