"""Addresses an organisation wants update and product news at (ACC-6), each confirmed by
its owner (double opt-in) before anything is sent there."""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk.accounts.models import Organisation
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class NewsAddress(BaseModel):
    id = AutoField()
    organisation = ForeignKeyField(Organisation, backref="news_addresses", on_delete="CASCADE")
    email = CharField(max_length=254)
    confirmed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "email"), True),)
