"""What the vendor sells and supports: products, their versions and components (modules)."""

from peewee import AutoField, BooleanField, CharField, ForeignKeyField, IntegerField

from helpdesk.bilingual import BilingualName
from helpdesk.db import BaseModel


class Product(BilingualName, BaseModel):
    id = AutoField()
    key = CharField(max_length=50, unique=True)
    name_de = CharField(max_length=200)
    name_en = CharField(max_length=200)
    active = BooleanField(default=True)


class ProductVersion(BaseModel):
    id = AutoField()
    product = ForeignKeyField(Product, backref="versions", on_delete="CASCADE")
    name = CharField(max_length=50)
    position = IntegerField(default=0)
    supported = BooleanField(default=True)

    class Meta:
        indexes = ((("product", "name"), True),)


class Component(BilingualName, BaseModel):
    id = AutoField()
    product = ForeignKeyField(Product, backref="components", on_delete="CASCADE")
    key = CharField(max_length=50)
    name_de = CharField(max_length=200)
    name_en = CharField(max_length=200)

    class Meta:
        indexes = ((("product", "key"), True),)
