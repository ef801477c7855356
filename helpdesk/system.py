"""Small facts the installation keeps about itself, such as the job worker's last heartbeat."""

from peewee import CharField, DateTimeField

from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class SystemState(BaseModel):
    key = CharField(max_length=100, primary_key=True)
    value = CharField(max_length=500, default="")
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def put(cls, key: str, value: str = "") -> None:
        """Write ``key`` (insert or update) with the current time."""
        now = utcnow()
        (
            cls.insert(key=key, value=value, updated_at=now)
            .on_conflict(conflict_target=[cls.key], update={cls.value: value, cls.updated_at: now})
            .execute()
        )

    @classmethod
    def fetch(cls, key: str):
        return cls.get_or_none(cls.key == key)
