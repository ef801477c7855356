"""Every table of the core, in the order they can be created."""

from helpdesk.accounts.models import Organisation, OrganisationDomain, Team, User
from helpdesk.cases.models import Attachment, CallIdCounter, Case, Event, Follower
from helpdesk.mail.inbound.models import InboundMessage
from helpdesk.mail.models import OutboxMessage
from helpdesk.preferences import Preference
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.system import SystemState

ALL_MODELS = [
    Organisation,
    OrganisationDomain,
    Team,
    User,
    Product,
    ProductVersion,
    Component,
    SystemState,
    CallIdCounter,
    Case,
    Event,
    Attachment,
    Follower,
    Preference,
    OutboxMessage,
    InboundMessage,
]
