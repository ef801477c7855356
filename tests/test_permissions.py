"""Services check who acts themselves (``helpdesk.permissions``), whatever page calls them.

Each service is called directly, the way a new channel (an API, a CLI, a job) would call it,
with people whose role does not allow it: it refuses with ``NotAllowed`` and changes nothing.
The pages' side of the same rules is the permission matrix (``test_permission_matrix.py``).
"""

import pytest

from helpdesk.accounts.models import Organisation, OrganisationDomain, Team, User
from helpdesk.admin import service as admin
from helpdesk.cases import service as cases
from helpdesk.db import db
from helpdesk.development import service as development
from helpdesk.development.models import DevelopmentItem
from helpdesk.escalation import service as escalation
from helpdesk.mail import outbox
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.models import OutboxMessage, State
from helpdesk.models import ALL_MODELS
from helpdesk.permissions import NotAllowed
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla import service as sla
from helpdesk.testing.cases import open_case
from helpdesk.timeutil import utcnow

#: A colleague without admin rights, a team manager, and the customers' most powerful role.
NOT_ADMINS = ["erik.first", "tom.third", "paula.portal"]
MAIL = b"From: someone@elsewhere.example\nSubject: Hallo\nMessage-ID: <x@elsewhere.example>\n\nHi"


def _names(name: str) -> dict[str, str]:
    """A team's, product's or component's name, the same in both languages."""
    return {"name_de": name, "name_en": name}


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.settings)


@pytest.fixture
def world(app, demo_people):
    """The demo data and one object of every kind an admin changes, in an app context."""
    with app.app_context():
        product = Product.select().order_by(Product.id).first()
        organisation = Organisation.select().order_by(Organisation.id).first()
        things = {
            "people": demo_people,
            "team": Team.select().first(),
            "product": product,
            "version": ProductVersion.create(product=product, name="9.9", position=99),
            "component": Component.create(product=product, key="zz", name="Zz"),
            "organisation": organisation,
            "domain": OrganisationDomain.create(organisation=organisation, domain="z.example"),
            "held": _inbound("<held@x>", InboundState.HELD),
            "failed": _inbound("<failed@x>", InboundState.FAILED),
            "case": open_case("mia.member"),
            "item": DevelopmentItem.create(key="DEV-2", title="Bug", created_at=utcnow()),
        }
        with db.atomic():
            message = outbox.enqueue("mia@muster.example", "Hallo", "Guten Tag")
        OutboxMessage.update(state=State.DEAD).where(OutboxMessage.id == message.id).execute()
        things["dead_mail"] = message.id
        yield things


def _inbound(message_id: str, state: str) -> InboundMessage:
    return InboundMessage.create(
        message_id=message_id,
        source="pipe",
        sender="someone@elsewhere.example",
        subject="Hallo",
        state=state,
        raw=MAIL,
    )


def _snapshot() -> dict:
    """Every row of every table: what a refused call must leave as it was."""
    return {model.__name__: sorted(map(_plain, model.select().tuples())) for model in ALL_MODELS}


def _plain(row: tuple) -> str:
    # PostgreSQL hands blobs as memoryviews, which print as their address
    return str(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))


#: Every change a vendor admin makes, as ``(name, call(actor, world))``.
ADMIN_CHANGES = [
    (
        "create_agent",
        lambda a, w: admin.create_agent(a, email="n@vendor.example", password="x" * 12, name="N"),
    ),
    (
        "update_agent",
        lambda a, w: admin.update_agent(
            a, w["people"]["erik.first"], {"name": "E", "is_admin": True, "active": True}
        ),
    ),
    ("create_team", lambda a, w: admin.create_team(a, "night", _names("Night shift"))),
    ("rename_team", lambda a, w: admin.rename_team(a, w["team"], _names("Renamed"))),
    ("create_product", lambda a, w: admin.create_product(a, "new", _names("New product"))),
    (
        "update_product",
        lambda a, w: admin.update_product(a, w["product"], _names("Renamed"), False),
    ),
    ("add_version", lambda a, w: admin.add_version(a, w["product"], "10.0")),
    ("update_version", lambda a, w: admin.update_version(a, w["version"], "9.9.1", False)),
    ("move_version", lambda a, w: admin.move_version(a, w["version"], -1)),
    ("add_component", lambda a, w: admin.add_component(a, w["product"], "new", _names("New"))),
    ("rename_component", lambda a, w: admin.rename_component(a, w["component"], _names("Renamed"))),
    ("create_organisation", lambda a, w: admin.create_organisation(a, {"name": "Neu AG"})),
    (
        "update_organisation",
        lambda a, w: admin.update_organisation(a, w["organisation"], {"is_active": False}),
    ),
    ("add_domain", lambda a, w: admin.add_domain(a, w["organisation"], "neu.example")),
    ("remove_domain", lambda a, w: admin.remove_domain(a, w["domain"])),
    (
        "accept_held_mail",
        lambda a, w: intake.accept(w["held"], w["people"]["mia.member"], a),
    ),
    ("refuse_held_mail", lambda a, w: intake.refuse(w["held"], a)),
    ("retry_failed_mail", lambda a, w: intake.retry(w["failed"], a)),
    ("resend_mail", lambda a, w: outbox.requeue(w["dead_mail"], a)),
    ("save_calendar", lambda a, w: sla.save_calendar(_calendar(), a)),
    ("reset_calendar", lambda a, w: sla.reset_calendar(a)),
]


def _calendar() -> dict:
    hours = {day: ["08:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    return {"name": "admin", "timezone": "Europe/Berlin", "hours": hours}


@pytest.mark.parametrize("who", NOT_ADMINS)
@pytest.mark.parametrize(("name", "change"), ADMIN_CHANGES, ids=[n for n, _ in ADMIN_CHANGES])
def test_admin_services_refuse_everyone_but_vendor_admins(world, who, name, change):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        change(world["people"][who], world)
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "change"), ADMIN_CHANGES, ids=[n for n, _ in ADMIN_CHANGES])
def test_admin_services_serve_vendor_admins(world, name, change):
    """The same calls go through for a vendor admin, so the refusals above are the role's."""
    before = _snapshot()
    change(world["people"]["ada.admin"], world)
    assert _snapshot() != before


def test_a_deactivated_admin_is_refused(world):
    ada = world["people"]["ada.admin"]
    User.update(active=False).where(User.id == ada.id).execute()
    with pytest.raises(NotAllowed):
        admin.create_team(User.get_by_id(ada.id), "night", _names("Night shift"))


#: What only agents do to a case, as ``(name, call(actor, case, world))``.
AGENT_CHANGES = [
    ("internal_note", lambda a, c, w: cases.add_message(c, a, "Intern", internal=True)),
    ("change_field", lambda a, c, w: cases.change_field(c, a, "severity", "high")),
    ("assign", lambda a, c, w: cases.assign(c, a, w["people"]["erik.first"])),
    ("link_development", lambda a, c, w: development.link(c, a, "DEV-1", "A bug")),
    (
        "publish_release",
        lambda a, c, w: development.publish(w["item"], a, "1.0"),
    ),
    ("hand_on", lambda a, c, w: escalation.hand_to_next_level(c, a, "Please look")),
    ("resubmission", lambda a, c, w: sla.set_resubmission(c, a, None)),
]


@pytest.mark.parametrize("who", ["mia.member", "paula.portal"])
@pytest.mark.parametrize(("name", "change"), AGENT_CHANGES, ids=[n for n, _ in AGENT_CHANGES])
def test_agent_services_refuse_customers_in_their_language(world, who, name, change):
    before = _snapshot()
    with pytest.raises(NotAllowed, match="Only agents"):
        change(world["people"][who], world["case"], world)
    assert _snapshot() == before


def test_a_service_refusal_no_page_caught_answers_404(app, demo_people):
    """A page that forgot its decorator still reveals nothing: the service's ``NotAllowed``
    becomes the 404 the decorators answer."""

    @app.post("/test-forgot-its-decorator")
    def forgot():
        from flask_login import current_user

        admin.create_team(current_user, "night", _names("Night shift"))
        return "created"

    client = app.test_client().sign_in_as(demo_people["erik.first"])
    response = client.post("/test-forgot-its-decorator")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)
    with app.app_context():
        assert not Team.select().where(Team.key == "night").exists()
