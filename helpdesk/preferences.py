"""What a person chose to keep: small settings per user, such as the columns of their case list.

One row per user and key; the value is JSON so a new preference needs no new column. A page
reads its preference in the same statement as its other small lists (``saved_under``) and
turns the text into the value with ``decoded``.
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


def saved_under(user_id: int, key: str):
    """The condition that finds the ``Preference`` row the user saved under ``key``."""
    return (Preference.user == user_id) & (Preference.key == key)


def decoded(text: str | None, default=None):
    """The value saved as ``text`` (None: nothing saved), or ``default`` if it is no JSON."""
    if text is None:
        return default
    try:
        return json.loads(text)
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
