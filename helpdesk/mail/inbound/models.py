"""Every mail that came in, once per Message-ID, with what became of it (MAIL-3).

The row is written in the same transaction as the case or message the mail turned into, so a
mail is either fully taken or not at all; the unique ``message_id`` lets a second delivery of
the same mail (an MTA retry, two IMAP pollers) find the first and leave.
"""

from enum import StrEnum

from peewee import AutoField, BlobField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.cases.models import Case, Event
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class InboundState(StrEnum):
    TAKEN = "taken"  # became a case or a message on one
    HELD = "held"  # waits for an admin: unknown sender under the "hold" policy
    REFUSED = "refused"  # not taken (unknown sender, not allowed, refused by an admin)
    IGNORED = "ignored"  # automatic mail: auto-replies, bounces, lists; never answered
    FAILED = "failed"  # could not be processed; the reason says why, an admin may retry


class InboundMessage(BaseModel):
    id = AutoField()
    message_id = CharField(max_length=255, unique=True)  # the mail's, or one from its hash
    received_at = DateTimeField(default=utcnow)
    source = CharField(max_length=10)  # pipe, imap, admin
    sender = CharField(max_length=254)
    subject = TextField()
    state = CharField(max_length=10)
    reason = TextField(null=True)
    case = ForeignKeyField(Case, null=True, backref="inbound", on_delete="SET NULL")
    event = ForeignKeyField(Event, null=True, on_delete="SET NULL")
    raw = BlobField()  # the mail exactly as it came, for agents and for a retry

    class Meta:
        indexes = ((("state", "received_at"), False),)
