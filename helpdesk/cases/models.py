"""Cases, their append-only timeline, attachments and followers.

A case keeps the current value of every field; the timeline keeps how it got there. The
status category is stored beside the vendor's status key so lists filter and index by the
core meaning whatever the vendor calls its statuses.
"""

from enum import StrEnum

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

from helpdesk.accounts.models import Organisation, Team, User
from helpdesk.db import BaseModel
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.timeutil import utcnow


class Channel(StrEnum):
    WEB = "web"
    MAIL = "mail"
    PHONE = "phone"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class EventKind(StrEnum):
    OPENED = "opened"
    MESSAGE = "message"  # public reply or added information
    NOTE = "note"  # internal note, never shown to customers
    FIELD = "field"  # a field changed: field, old, new
    STATUS = "status"
    ASSIGNED = "assigned"
    ATTACHMENT = "attachment"
    FOLLOWED = "followed"
    UNFOLLOWED = "unfollowed"
    REOPENED = "reopened"
    FOLLOW_UP = "follow_up"  # a linked follow-up case was opened from this one
    ESCALATED = "escalated"  # the customer asked for escalation: new level, reason (FLOW-6)
    SUPPORT_LEVEL = "support_level"  # handed to the next support level (FLOW-6)
    DEVELOPMENT = "development"  # linked to a development item (FLOW-7), internal
    RELEASED = "released"  # the linked item's release was published: a public message


class CallIdCounter(BaseModel):
    """The last call id number given out per scope (a year, or ``all``)."""

    scope = CharField(max_length=10, primary_key=True)
    last = IntegerField(default=0)


class Case(BaseModel):
    id = AutoField()
    call_id = CharField(max_length=20, unique=True)
    organisation = ForeignKeyField(Organisation, backref="cases", on_delete="CASCADE")
    requester = ForeignKeyField(User, backref="requested_cases", on_delete="RESTRICT")
    opened_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    channel = CharField(max_length=10, default=Channel.WEB)
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
    # Not solved and not closed: stored so the open lists read an index in order (no sort).
    is_open = BooleanField(default=True)
    impact = TextField(null=True)
    # What exactly support waits for while the status waits on the customer (FLOW-2, seed 001).
    waiting_for = TextField(null=True)
    # The report checklist (seed 003): what a good report contains.
    symptom = TextField(null=True)
    affected = TextField(null=True)
    expected = TextField(null=True)
    steps = TextField(null=True)
    recent_changes = TextField(null=True)
    error_text = TextField(null=True)
    extra = TextField(default="{}")  # JSON: the plugin's extra form fields
    copy_to_requester = BooleanField(default=False)
    team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
    assignee = ForeignKeyField(User, null=True, backref="assigned_cases", on_delete="SET NULL")
    parent = ForeignKeyField("self", null=True, backref="follow_ups", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_activity_at = DateTimeField(default=utcnow)
    # FLOW-6: the step of the vendor's escalation path (0: not escalated) and the support
    # level (1: first level) the case is at.
    escalation_level = IntegerField(default=0)
    support_level = IntegerField(default=1)

    class Meta:
        indexes = (
            # Lists read these in order and stop after a page; the id breaks ties as the
            # lists' ORDER BY does (SQLite appends it anyway, PostgreSQL needs it named).
            (("organisation", "is_open", "updated_at", "id"), False),
            (("organisation", "status_category", "updated_at"), False),
            (("organisation", "updated_at"), False),
            (("requester", "updated_at"), False),
            (("assignee", "is_open", "updated_at", "id"), False),
            (("team", "is_open", "updated_at", "id"), False),
            (("is_open", "updated_at", "id"), False),
            (("status_category", "updated_at"), False),
            (("updated_at",), False),  # the agents' lists over all statuses
            # the reports' exact "now" counts (issue 17), read from the index alone
            (
                (
                    "is_open",
                    "status_category",
                    "severity",
                    "team",
                    "product",
                    "created_at",
                    "assignee",
                    "escalation_level",
                ),
                False,
            ),
        )


class Event(BaseModel):
    """One entry of a case's timeline; never updated, never deleted."""

    id = AutoField()
    case = ForeignKeyField(Case, backref="events", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")  # None: the system
    created_at = DateTimeField(default=utcnow)
    kind = CharField(max_length=20)
    visibility = CharField(max_length=10, default=Visibility.PUBLIC)
    field = CharField(max_length=50, null=True)
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    body = TextField(null=True)
    recipients = TextField(null=True)  # JSON list of user ids the message was addressed to

    class Meta:
        indexes = ((("case", "id"), False),)


class EventRecipient(BaseModel):
    """One person a message was addressed to: ``Event.recipients`` (the source of truth, which
    mail follows) kept as rows too, so the correspondence rule (PERM-3) is an indexed lookup
    on both databases. Written with the event, never changed."""

    event = ForeignKeyField(Event, backref="recipient_rows", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("event", "user")
        indexes = ((("user", "event"), False),)


class Attachment(BaseModel):
    """A stored file. Without a case it is a pending upload of ``uploaded_by``: kept while a
    form is corrected, attached when the form goes through, cleaned up after a day."""

    id = AutoField()
    case = ForeignKeyField(Case, null=True, backref="attachments", on_delete="CASCADE")
    event = ForeignKeyField(Event, null=True, backref="attachments", on_delete="SET NULL")
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    filename = CharField(max_length=255)
    stored_name = CharField(max_length=80, unique=True)
    content_type = CharField(max_length=100)
    size = BigIntegerField()
    sha256 = CharField(max_length=64)
    visibility = CharField(max_length=10, default=Visibility.PUBLIC)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "id"), False), (("uploaded_by", "case"), False))


class Follower(BaseModel):
    case = ForeignKeyField(Case, backref="followers", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="followed", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        primary_key = CompositeKey("case", "user")
        indexes = ((("user", "case"), False),)


class ExportState(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class CaseExport(BaseModel):
    """A large export of a case list prepared by a job (CASE-8): what was asked for, by whom,
    in which language and time zone, and the file once it is written. Only ``user`` may fetch
    it, by its random ``key``; it is deleted, row and file, at ``expires_at``."""

    id = AutoField()
    key = CharField(max_length=43, unique=True)
    user = ForeignKeyField(User, on_delete="CASCADE")
    format = CharField(max_length=4)
    filters = TextField()  # the list's query string
    language = CharField(max_length=5)
    timezone = CharField(max_length=64)
    rows = IntegerField()  # counted when asked for
    state = CharField(max_length=10, default=ExportState.PENDING)
    stored_name = CharField(max_length=80, null=True)
    size = BigIntegerField(null=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
