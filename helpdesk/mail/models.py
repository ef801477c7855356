"""The outbox: every mail the portal sends, written in the transaction that caused it (MAIL-2).

A row holds the finished RFC 5322 message, so what is delivered is exactly what was decided
when the change was committed, whatever happens to templates or settings afterwards.
"""

import json
from enum import StrEnum

from peewee import (
    JOIN,
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.cases.models import Case
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class State(StrEnum):
    PENDING = "pending"  # waiting for its first or next try
    SENDING = "sending"  # claimed by one worker; released again when its lease expires
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # the last try failed; tried again at next_try_at
    DEAD = "dead"  # given up; an admin may send it again


#: The states a worker may claim a row from (failed ones once next_try_at has come).
CLAIMABLE = (State.PENDING, State.FAILED)


class OutboxMessage(BaseModel):
    id = AutoField()
    message_id = CharField(max_length=255, unique=True)  # "<...@MAIL_DOMAIN>", our own
    sender = CharField(max_length=254)
    recipients = TextField()  # JSON list of the envelope addresses
    subject = TextField()
    raw = TextField()  # the whole message, serialised as 7-bit ASCII
    state = CharField(max_length=10, default=State.PENDING)
    tries = IntegerField(default=0)
    next_try_at = DateTimeField(default=utcnow)
    claimed_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)
    sent_at = DateTimeField(null=True)
    case = ForeignKeyField(Case, null=True, backref="outbox", on_delete="SET NULL")

    class Meta:
        indexes = (
            (("state", "next_try_at"), False),  # the sweep: what is due, oldest first
            (("state", "created_at"), False),  # the admin list, filtered by state
        )

    @property
    def recipient_list(self) -> list[str]:
        return json.loads(self.recipients)

    @classmethod
    def latest(cls, state: str | None = None):
        """Newest first, with the case's call id, without the (large) message itself."""
        fields = [f for f in cls._meta.sorted_fields if f is not cls.raw]
        query = cls.select(*fields, Case.id, Case.call_id).join(Case, JOIN.LEFT_OUTER)
        if state:
            query = query.where(cls.state == state)
        return query.order_by(cls.created_at.desc(), cls.id.desc())
