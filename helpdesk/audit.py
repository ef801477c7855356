"""The audit log (REP-2): who changed which rights or settings, when, from what to what.

``record`` writes one row in the caller's transaction, so the log and the change it
describes are committed together or not at all. Rows are never updated or deleted.
``before`` and ``after`` are small dicts of the changed values (JSON text in the table).
"""

import json

from peewee import JOIN, AutoField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.accounts.models import Organisation, User
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class AuditLog(BaseModel):
    id = AutoField()
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    organisation = ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    action = CharField(max_length=100)
    target_type = CharField(max_length=50)
    target_id = CharField(max_length=50, null=True)
    before = TextField(null=True)
    after = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        # Per organisation and overall, newest first (the id orders rows of one instant).
        indexes = ((("organisation", "id"), False),)

    @property
    def before_values(self) -> dict:
        return json.loads(self.before) if self.before else {}

    @property
    def after_values(self) -> dict:
        return json.loads(self.after) if self.after else {}


def _organisation_of(target) -> int | None:
    if isinstance(target, Organisation):
        return target.id
    return getattr(target, "organisation_id", None)


def record(actor, action: str, target, before: dict | None, after: dict | None) -> AuditLog:
    """Log that ``actor`` (a user, or None for the system) did ``action`` to ``target`` (a
    model instance); the organisation is the target's own or the target itself."""
    return AuditLog.create(
        actor=actor.id if actor is not None else None,
        organisation=_organisation_of(target),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(target.id) if getattr(target, "id", None) is not None else None,
        before=json.dumps(before, sort_keys=True, default=str) if before is not None else None,
        after=json.dumps(after, sort_keys=True, default=str) if after is not None else None,
    )


def changes(instance, fields: list[str], values: dict) -> tuple[dict, dict]:
    """The ``before`` and ``after`` of setting ``values`` on ``instance``: only the fields
    that really change; applies them to ``instance`` (not saved)."""
    before, after = {}, {}
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            before[name] = getattr(instance, name)
            after[name] = values[name]
            setattr(instance, name, values[name])
    return before, after


def entries(organisation_id: int | None = None):
    """The log newest first with the actors joined; one organisation's when given."""
    query = (
        AuditLog.select(AuditLog, User)
        .join(User, JOIN.LEFT_OUTER, on=(AuditLog.actor == User.id))
        .order_by(AuditLog.id.desc())
    )
    if organisation_id is not None:
        query = query.where(AuditLog.organisation == organisation_id)
    return query
