"""The permission matrix: every route of the app x every role x own and foreign organisation.

``ACCESS`` below names, for every endpoint, the roles that may use it; everyone else gets a
404 (or the sign-in page when signed out). The routes come from the app's URL map, so a new
route without a row in ``ACCESS`` fails ``test_every_route_has_a_rule``: add one line.

For a route with an object of an organisation in its URL (a case's call id, a file), each
role tries the object of the demo organisation "Muster GmbH" and of "Fremd AG"; a customer
only ever reaches their own organisation's (PERM-1), agents reach both. Every method is
tried: a POST without a CSRF token is a 400 whoever sends it; with a token, a role that may
not use the route gets a 404 (or 403), one that may gets its answer (a page, a redirect or a
422 for the empty form). ``test_get_changes_nothing`` walks every GET the same way and
compares every table of ``ALL_MODELS`` before and after each request.

The app is the core without vendor plugins: the five vendor plugins add no routes.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest

from helpdesk import demo
from helpdesk.accounts.models import Organisation, User
from helpdesk.cases import files, service, uploads
from helpdesk.cases.models import Attachment
from helpdesk.mail.models import OutboxMessage
from helpdesk.models import ALL_MODELS
from helpdesk.products.models import Product
from tests.conftest import DEMO_PASSWORD

#: Who each role is: a demo person, or the portal admin of a second organisation.
ROLES = {
    "anonymous": None,
    "member": "mia.member@muster.example",
    "main_contact": "martin.main@muster.example",
    "portal_admin": "paula.portal@muster.example",
    "foreign_customer": "frida.fremd@fremd.example",
    "agent": "erik.first@vendor.example",
    "admin_agent": "ada.admin@vendor.example",
}
ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
CUSTOMERS = frozenset({"member", "main_contact", "portal_admin", "foreign_customer"})
AGENTS = frozenset({"agent", "admin_agent"})
ADMINS = frozenset({"admin_agent"})

# fmt: off
#: endpoint -> the roles that may use it. Customers reach only their own organisation's
#: objects on any route; that needs no row of its own.
ACCESS = {
    "static":               ANYONE,
    "health.health":        ANYONE,
    "home.index":           ANYONE,     # sends each to their start page or to sign in
    "accounts.sign_in":     ANYONE,
    "accounts.language":    ANYONE,
    "accounts.sign_out":    SIGNED_IN,
    "home.customer":        CUSTOMERS,
    "home.agent":           AGENTS,
    "cases.index":          SIGNED_IN,  # agents are sent on to the queue
    "cases.queue":          AGENTS,
    "cases.columns":        SIGNED_IN,
    "cases.export":         SIGNED_IN,
    "cases.new":            SIGNED_IN,  # agents are sent on to the phone form
    "cases.new_phone":      AGENTS,
    "cases.new_fields":     SIGNED_IN,
    "cases.detail":         SIGNED_IN,
    "cases.attachment":     SIGNED_IN,
    "cases.add_message":    SIGNED_IN,
    "cases.follow":         SIGNED_IN,
    "cases.unfollow":       SIGNED_IN,
    "cases.reopen":         SIGNED_IN,
    "cases.follow_up":      SIGNED_IN,
    "cases.change_field":   AGENTS,
    "cases.move_status":    AGENTS,
    "cases.assign":         AGENTS,
    "outbox.index":         ADMINS,
    "outbox.resend":        ADMINS,
}
# fmt: on

#: Routes whose answer for the roles that may use them is the sign-in page.
ENDS_AT_SIGN_IN = {"accounts.sign_out"}

#: Form fields a POST needs to be understood at all (it may still be refused as incomplete).
FORMS = {"accounts.language": {"language": "de"}}

#: URL arguments that name an object of one organisation: the route is tried with both.
ORGANISATION_ARGUMENTS = {"call_id", "attachment_id"}
SIDES = ("Muster GmbH", "Fremd AG")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """The people and objects the matrix uses, as plain values (no rows leak between
    requests)."""

    users: dict  # role -> User or None
    organisations: dict  # side -> organisation id
    cases: dict  # side -> call id
    files: dict  # side -> (attachment id, file name)
    outbox_id: int


def build_world(app) -> World:
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        fremd = Organisation.create(name="Fremd AG", case_visibility="everyone")
        User.create(
            email=ROLES["foreign_customer"],
            name="Frida Fremd",
            kind="customer",
            organisation=fremd,
            customer_role="portal_admin",
            support_authorised=True,
            sees_all_correspondence=True,
        )
        users = {
            role: (User.get(User.email == email) if email else None)
            for role, email in ROLES.items()
        }
        requesters = {"Muster GmbH": users["member"], "Fremd AG": users["foreign_customer"]}
        cases, attachments = {}, {}
        for side, requester in requesters.items():
            pending = uploads.pending_upload(requester, files.store("screen.pdf", PDF))
            case = service.open_case(
                service.NewCase(
                    requester=requester,
                    product=Product.select().first(),
                    subject=f"Case of {side}",
                    description="Something fails.",
                    case_type="fault",
                    severity="normal",
                ),
                [pending],
            )
            cases[side] = case.call_id
            attachment = Attachment.get(Attachment.case == case.id)
            attachments[side] = (attachment.id, attachment.filename)
        return World(
            users=users,
            organisations={side: r.organisation_id for side, r in requesters.items()},
            cases=cases,
            files=attachments,
            outbox_id=OutboxMessage.select().first().id,
        )


def url_for_rule(rule, world: World, side: str | None) -> str:
    """The rule's URL with every argument filled from ``world`` (objects of ``side``)."""
    values = {
        "call_id": world.cases.get(side),
        "attachment_id": world.files[side][0] if side else None,
        "filename": world.files[side][1] if side else None,
        "name": "priority",
        "pk": world.outbox_id,
    }
    if rule.endpoint == "static":
        values["filename"] = "css/portal.css"

    def fill(match):
        value = values.get(match.group(1))
        assert value is not None, f"no value for <{match.group(1)}> in {rule.rule}"
        return quote(str(value))

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def sides_of(rule) -> tuple:
    return SIDES if ORGANISATION_ARGUMENTS & set(rule.arguments) else (None,)


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def client_for(app, world: World, role: str):
    client = app.test_client()
    user = world.users[role]
    return client.sign_in_as(user) if user is not None else client


def outcome(response) -> str:
    """What a response amounts to: ok, refused (403/404), sign-in, or the status itself."""
    status = response.status_code
    if status in (302, 303) and urlsplit(response.location).path == "/sign-in":
        return "sign-in"
    if status in (403, 404):
        return "refused"
    if status < 400 or status in (422, 429):
        return "ok"
    return str(status)


def expected(endpoint: str, role: str, world: World, side: str | None) -> set[str]:
    allowed = ACCESS[endpoint]
    if role not in allowed:
        return {"sign-in"} if role == "anonymous" else {"refused"}
    user = world.users[role]
    if (
        side is not None
        and role not in AGENTS
        and user.organisation_id != world.organisations[side]
    ):
        return {"refused"}  # another organisation's object: as if it did not exist
    if role == "anonymous":
        return {"ok", "sign-in"}  # a public route may still send a visitor to sign in
    return {"sign-in"} if endpoint in ENDS_AT_SIGN_IN else {"ok"}


def rules_of(app, endpoint: str):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, (
        "routes without a row in ACCESS of tests/test_permission_matrix.py (say who may "
        f"use them): {missing}"
    )
    gone = sorted(set(ACCESS) - endpoints)
    assert not gone, f"ACCESS names endpoints the app no longer has: {gone}"


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_permission_matrix(app, endpoint):
    world = build_world(app)
    rules = rules_of(app, endpoint)
    if not rules:
        pytest.skip(f"{endpoint} is not a route of this app")
    wrong = []
    for rule in rules:
        for side in sides_of(rule):
            url = url_for_rule(rule, world, side)
            for method in methods_of(rule):
                data = FORMS.get(endpoint, {})
                for role in ROLES:
                    if method != "GET":
                        bare = client_for(app, world, role).open(
                            url, method=method, data=data, csrf=False
                        )
                        if bare.status_code != 400:
                            wrong.append(
                                f"{method} {url} as {role} without CSRF token: {bare.status_code}"
                            )
                    response = client_for(app, world, role).open(url, method=method, data=data)
                    want = expected(endpoint, role, world, side)
                    got = outcome(response)
                    if got not in want:
                        wrong.append(
                            f"{method} {url} as {role}: {got} ({response.status_code}), "
                            f"expected {' or '.join(sorted(want))}"
                        )
    assert not wrong, "\n".join(wrong)


def snapshot() -> dict:
    """Every row of every table, to compare before and after a request."""
    return {model.__name__: sorted(map(repr, model.select().tuples())) for model in ALL_MODELS}


def test_get_changes_nothing(app):
    """No GET changes state: every GET route, as every role, leaves every table as it was."""
    world = build_world(app)
    changed = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        for side in sides_of(rule):
            url = url_for_rule(rule, world, side)
            for role in ROLES:
                with app.app_context():
                    before = snapshot()
                client_for(app, world, role).get(url)
                with app.app_context():
                    after = snapshot()
                tables = [name for name in before if before[name] != after[name]]
                if tables:
                    changed.append(f"GET {url} as {role} changed {tables}")
    assert not changed, "\n".join(changed)
