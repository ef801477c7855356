"""Self-registration (ACC-3): double opt-in, the organisation by the confirmed domain, an
unknown domain waits for a vendor agent; nothing of an organisation is visible before."""

from datetime import timedelta

import time_machine

from helpdesk.accounts.models import Approval, Organisation, User
from helpdesk.cases import access
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import limits, link_in, mails_to, page_without
from tests.conftest import DEMO_PASSWORD

PASSWORD = "glimmering-otter-42"


def register(client, email, name="Kerstin Kunde", password=PASSWORD, language="en"):
    return client.post(
        "/register",
        data={
            "name": name,
            "email": email,
            "password": password,
            "repeat": password,
            "language": language,
        },
    )


def confirm(client, smtp_server, email, password=PASSWORD):
    path = link_in(mails_to(smtp_server, email)[-1])
    assert 'method="post"' in client.get(path).get_data(as_text=True)  # GET changes nothing
    return client.post(path, data={"password": password})


def sign_in(client, email, password=PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_known_domain_joins_the_organisation_as_member_after_confirmation(
    app, client, demo_people, smtp_server
):
    email = "kerstin.neu@muster.example"
    assert register(client, email).status_code == 200
    [mail] = mails_to(smtp_server, email)
    assert mail["Subject"] == "Please confirm your address"
    with app.app_context():
        user = User.get(User.email == email)
        assert user.approval == Approval.UNCONFIRMED and user.organisation_id is None
    refused = sign_in(client, email)
    assert refused.status_code == 403
    assert "Please confirm your address first" in refused.get_data(as_text=True)

    response = confirm(client, smtp_server, email)
    page = response.get_data(as_text=True)
    assert "You joined Muster GmbH." in page
    assert "portal admin" in page
    with app.app_context():
        user = User.get(User.email == email)
        assert user.organisation.name == "Muster GmbH"
        assert user.customer_role == "member" and not user.support_authorised
        assert user.email_confirmed_at is not None
    assert sign_in(client, email).headers["Location"] == "/"


def test_confirmation_needs_the_password_chosen_at_registration(
    app, client, demo_people, smtp_server
):
    email = "kerstin.neu@muster.example"
    register(client, email)
    response = confirm(client, smtp_server, email, password="someone-elses-password")
    assert response.status_code == 422
    with app.app_context():
        assert User.get(User.email == email).approval == Approval.UNCONFIRMED
    assert confirm(client, smtp_server, email).status_code == 200


def test_unknown_domain_waits_for_an_agent_and_sees_no_case(
    app, client, demo_people, smtp_server, make_app
):
    email = "olga@neukunde.example"
    register(client, email)
    page = confirm(client, smtp_server, email).get_data(as_text=True)
    assert "checks your registration" in page
    with app.app_context():
        user = User.get(User.email == email)
        assert user.approval == Approval.PENDING and user.organisation_id is None
        assert not access.visible_cases(user).exists()
    refused = sign_in(client, email)
    assert refused.status_code == 403 and "waits for approval" in refused.get_data(as_text=True)

    # A customer or a plain agent does not even see the page.
    assert (
        app.test_client()
        .sign_in_as(demo_people["erik.first"])
        .get("/admin/registrations")
        .status_code
        == 404
    )
    manager = app.test_client().sign_in_as(demo_people["tom.third"])
    listing = manager.get("/admin/registrations").get_data(as_text=True)
    assert email in listing
    with app.app_context():
        muster = Organisation.get(Organisation.name == "Muster GmbH")
        user_id = User.get(User.email == email).id
    response = manager.post(
        f"/admin/registrations/{user_id}/approve",
        data={f"r{user_id}-organisation": str(muster.id), f"r{user_id}-new_organisation": ""},
    )
    assert response.status_code == 302
    [approved] = [m for m in mails_to(smtp_server, email) if "approved" in m["Subject"]]
    assert "Muster GmbH" in approved.get_body(("plain",)).get_content()
    assert sign_in(client, email).headers["Location"] == "/"


def test_an_agent_approves_into_a_new_organisation_or_rejects(app, demo_people, smtp_server):
    client = app.test_client()
    admin = app.test_client().sign_in_as(demo_people["ada.admin"])
    for email in ("olga@neukunde.example", "max@fremd.example"):
        register(client, email)
        confirm(client, smtp_server, email)
    with app.app_context():
        olga = User.get(User.email == "olga@neukunde.example").id
        max_ = User.get(User.email == "max@fremd.example").id

    neither = admin.post(
        f"/admin/registrations/{olga}/approve", data={f"r{olga}-organisation": "0"}
    )
    assert neither.status_code == 422
    assert "Choose an existing organisation or name a new one" in neither.get_data(as_text=True)
    admin.post(
        f"/admin/registrations/{olga}/approve",
        data={f"r{olga}-organisation": "0", f"r{olga}-new_organisation": "Neukunde AG"},
    )
    admin.post(f"/admin/registrations/{max_}/reject")
    with app.app_context():
        olga_user = User.get_by_id(olga)
        assert olga_user.organisation.name == "Neukunde AG"
        assert olga_user.customer_role == "portal_admin"
        assert User.get_by_id(max_).approval == Approval.REJECTED
    assert [m["Subject"] for m in mails_to(smtp_server, "max@fremd.example")][-1] == (
        "Your registration"
    )
    assert sign_in(client, "max@fremd.example").status_code == 403


def test_free_mail_never_joins_an_organisation(app, client, demo_people, smtp_server):
    from helpdesk.accounts.models import OrganisationDomain

    with app.app_context():
        muster = Organisation.get(Organisation.name == "Muster GmbH")
        OrganisationDomain.create(organisation=muster, domain="gmx.de")  # a mistake
    register(client, "kerstin@gmx.de")
    confirm(client, smtp_server, "kerstin@gmx.de")
    with app.app_context():
        assert User.get(User.email == "kerstin@gmx.de").approval == Approval.PENDING


def test_an_existing_address_gets_the_same_answer_and_its_owner_a_note(
    app, client, demo_people, smtp_server
):
    new = register(client, "kerstin.neu@muster.example")
    existing = register(client, "mia.member@muster.example")
    assert page_without(new, "kerstin.neu@muster.example") == page_without(
        existing, "mia.member@muster.example"
    )
    [note] = mails_to(smtp_server, "mia.member@muster.example")
    assert note["Subject"] == "Somebody tried to register your address"
    assert link_in(note) == "/forgot-password"
    with app.app_context():
        mia = User.get(User.email == "mia.member@muster.example")
        assert mia.name == "Mia Member" and mia.approval == Approval.APPROVED
    assert sign_in(client, "mia.member@muster.example", DEMO_PASSWORD).status_code == 302


def test_registering_again_before_confirming_replaces_the_first(
    app, client, demo_people, smtp_server
):
    email = "kerstin.neu@muster.example"
    register(client, email, password="someone-elses-42")
    register(client, email)
    first, second = (link_in(m) for m in mails_to(smtp_server, email))
    assert client.get(first).status_code == 410  # the older link is dead
    assert client.post(second, data={"password": PASSWORD}).status_code == 200


def test_expired_used_and_forged_confirmation_links(app, client, demo_people, smtp_server):
    email = "kerstin.neu@muster.example"
    register(client, email)
    path = link_in(mails_to(smtp_server, email)[0])
    with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
        expired = client.post(path, data={"password": PASSWORD})
    assert expired.status_code == 410
    assert "This link has expired." in expired.get_data(as_text=True)
    assert client.post(path, data={"password": PASSWORD}).status_code == 200
    used = client.post(path, data={"password": PASSWORD})
    assert used.status_code == 410 and "used already" in used.get_data(as_text=True)
    forged = client.get(path[:-3] + "abc")
    assert forged.status_code == 410 and "We do not know this link" in forged.get_data(as_text=True)


def test_registration_is_rate_limited_per_client(make_app, demo_people, smtp_server):
    app = make_app(RATE_LIMITS=limits(registration_client="2 per hour"), **smtp_server.settings)
    client = app.test_client()
    answers = [register(client, f"p{i}@neukunde.example").status_code for i in range(3)]
    assert answers == [200, 200, 429]


def test_registration_post_without_csrf_is_refused(client):
    response = client.post("/register", data={"name": "x", "email": "x@y.example"}, csrf=False)
    assert response.status_code == 400
