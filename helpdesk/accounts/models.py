"""People: organisations (the vendor's customers), teams of agents, and users of both sides."""

from enum import StrEnum

from flask_login import UserMixin
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.bilingual import BilingualName
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class Approval(StrEnum):
    """Where a self-registered person stands (ACC-3); everyone else is ``approved``."""

    UNCONFIRMED = "unconfirmed"  # registered, address not yet confirmed
    PENDING = "pending"  # confirmed at an unknown domain: waits for a vendor agent
    APPROVED = "approved"
    REJECTED = "rejected"


class Kind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


class CustomerRole(StrEnum):
    """A customer user's role inside their organisation (seeds 001 and 002)."""

    PORTAL_ADMIN = "portal_admin"
    MAIN_CONTACT = "main_contact"
    ADMINISTRATOR = "administrator"
    MEMBER = "member"


class CaseVisibility(StrEnum):
    """The organisation's setting of PERM-2: who sees the organisation's cases."""

    EVERYONE = "everyone"
    MAIN_CONTACTS = "main_contacts"


class Team(BilingualName, BaseModel):
    """A team of agents; the vendor plugin declares its teams (``helpdesk_teams``)."""

    id = AutoField()
    key = CharField(max_length=50, unique=True)
    name_de = CharField(max_length=200)
    name_en = CharField(max_length=200)


class Organisation(BaseModel):
    id = AutoField()
    name = CharField(max_length=200)
    case_visibility = CharField(max_length=20, default=CaseVisibility.MAIN_CONTACTS)
    # Replaced by the class of each contract (helpdesk.contracts, migration 0020 moved it to a
    # contract); no form sets it any more. Kept only as the fallback class_for asks when no
    # contract covers a case's product: the demo data and portals that keep it that way.
    contract_class = CharField(max_length=50, null=True)  # a key of helpdesk_contract_classes
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    # The organisation profile (ACC-6): each address a free text block, as printed on a letter.
    correspondence_address = TextField(null=True)
    billing_address = TextField(null=True)
    delivery_address = TextField(null=True)
    # Who looks after the customer at the vendor (seed 000: "the assigned consulting team",
    # "your customer service manager"); a plugin may route or notify there.
    account_team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
    account_manager = DeferredForeignKey(
        "User", null=True, backref="managed_organisations", on_delete="SET NULL"
    )


class OrganisationDomain(BaseModel):
    """A mail domain that belongs to an organisation: a person who confirms an address there
    joins it when registering (ACC-3). Free-mail domains are never stored (``domains``)."""

    id = AutoField()
    organisation = ForeignKeyField(Organisation, backref="domains", on_delete="CASCADE")
    domain = CharField(max_length=253, unique=True)  # lower case, no leading "@"
    created_at = DateTimeField(default=utcnow)


class User(UserMixin, BaseModel):
    id = AutoField()
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200)
    password_hash = CharField(max_length=255, null=True)
    kind = CharField(max_length=10, default=Kind.CUSTOMER)
    is_admin = BooleanField(default=False)
    organisation = ForeignKeyField(Organisation, null=True, backref="users", on_delete="CASCADE")
    customer_role = CharField(max_length=20, null=True)
    support_authorised = BooleanField(default=False)
    information_recipient = BooleanField(default=False)
    sees_all_correspondence = BooleanField(default=False)
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    support_level = IntegerField(null=True)  # 1, 2 or 3 for agents
    is_manager = BooleanField(default=False)
    phone = CharField(max_length=50, null=True)
    language = CharField(max_length=5, null=True)
    timezone = CharField(max_length=64, null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_sign_in_at = DateTimeField(null=True)
    # Self-registration and the second factor (ACC-1, ACC-3).
    email_confirmed_at = DateTimeField(null=True)
    approval = CharField(max_length=12, default=Approval.APPROVED)
    totp_secret = CharField(max_length=64, null=True)  # set once the second factor is on
    totp_last_step = IntegerField(null=True)  # a code is accepted once, never replayed
    # 0: no profile picture; raised on every upload, so a picture's URL changes with it and
    # the timeline knows whether to show one without another query.
    picture_version = IntegerField(default=0)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_agent(self) -> bool:
        return self.kind == Kind.AGENT

    @property
    def is_customer(self) -> bool:
        return self.kind == Kind.CUSTOMER

    #: The id of the sign-in this object was loaded for (``accounts.sessions``), if any.
    session_id: str | None = None

    def get_id(self) -> str | None:
        """What the session and remember-me cookies carry: the sign-in's id, not the user's."""
        return self.session_id

    # flask-login's UserMixin compares ``get_id()``, which is the sign-in here (None for
    # anyone not signed in, so every two such people would be "equal"): a person is the same
    # person by their row, as any model is.
    __eq__ = BaseModel.__eq__
    __ne__ = BaseModel.__ne__
    __hash__ = BaseModel.__hash__
