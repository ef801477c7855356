"""What a person chose to keep: small settings per user, such as the columns of their case list.

One row per user and key; the value is JSON so a new preference needs no new column.
"""

import json

from peewee import CharField, CompositeKey, DateTimeField, ForeignKeyField, TextField

from helpdesk.accounts.models import User
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class Preference(BaseModel):
    user = ForeignKeyField(User, backref="preferences", on_delete="CASCADE")
    key = CharField(max_length=50)
    value = TextField()
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        primary_key = CompositeKey("user", "key")


def get(user: User, key: str, default=None):
    """The value ``user`` saved under ``key``, or ``default``."""
    row = (
        Preference.select(Preference.value)
        .where((Preference.user == user.id) & (Preference.key == key))
        .first()
    )
    if row is None:
        return default
    try:
        return json.loads(row.value)
    except ValueError:
        return default


def put(user: User, key: str, value) -> None:
    """Save ``value`` (anything JSON can hold) for ``user`` under ``key``."""
    text = json.dumps(value)
    now = utcnow()
    (
        Preference.insert(user=user.id, key=key, value=text, updated_at=now)
        .on_conflict(
            conflict_target=[Preference.user, Preference.key],
            update={Preference.value: text, Preference.updated_at: now},
        )
        .execute()
    )
