"""The first released schema: organisations, teams, users, products and system state.

The models below are frozen copies of the tables as they were in this release.
"""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from helpdesk.migrations import frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)

    class Organisation(Base):
        id = AutoField()
        name = CharField(max_length=200)
        case_visibility = CharField(max_length=20)
        contract_class = CharField(max_length=1, null=True)
        is_active = BooleanField()
        created_at = DateTimeField()

    class Team(Base):
        id = AutoField()
        key = CharField(max_length=50, unique=True)
        name = CharField(max_length=200)

    class User(Base):
        id = AutoField()
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=200)
        password_hash = CharField(max_length=255, null=True)
        kind = CharField(max_length=10)
        is_admin = BooleanField()
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        customer_role = CharField(max_length=20, null=True)
        support_authorised = BooleanField()
        information_recipient = BooleanField()
        sees_all_correspondence = BooleanField()
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        support_level = IntegerField(null=True)
        is_manager = BooleanField()
        phone = CharField(max_length=50, null=True)
        language = CharField(max_length=5, null=True)
        timezone = CharField(max_length=64, null=True)
        active = BooleanField()
        session_version = IntegerField()
        created_at = DateTimeField()
        last_sign_in_at = DateTimeField(null=True)

    class Product(Base):
        id = AutoField()
        key = CharField(max_length=50, unique=True)
        name = CharField(max_length=200)
        active = BooleanField()

    class ProductVersion(Base):
        id = AutoField()
        product = ForeignKeyField(Product, on_delete="CASCADE")
        name = CharField(max_length=50)
        position = IntegerField()
        supported = BooleanField()

        class Meta:
            indexes = ((("product", "name"), True),)

    class Component(Base):
        id = AutoField()
        product = ForeignKeyField(Product, on_delete="CASCADE")
        key = CharField(max_length=50)
        name = CharField(max_length=200)

        class Meta:
            indexes = ((("product", "key"), True),)

    class SystemState(Base):
        key = CharField(max_length=100, primary_key=True)
        value = CharField(max_length=500)
        updated_at = DateTimeField()

    db.create_tables([Organisation, Team, User, Product, ProductVersion, Component, SystemState])
