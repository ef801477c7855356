"""Development items (a bug fix or feature in the vendor's tracker) and the cases waiting on
them. A case waits on at most one item; an item's release is published once."""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class DevelopmentItem(BaseModel):
    id = AutoField()
    key = CharField(max_length=50, unique=True)  # the tracker's id, e.g. "DEV-1234"
    title = CharField(max_length=200)
    release = CharField(max_length=50, null=True)  # set when published
    planned_release = CharField(max_length=100, null=True)  # what agents expect (DOC-4)
    released_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class DevelopmentLink(BaseModel):
    case = ForeignKeyField(Case, primary_key=True, backref="development", on_delete="CASCADE")
    item = ForeignKeyField(DevelopmentItem, backref="links", on_delete="CASCADE")
    linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    linked_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "case"), False),)
