"""Invitations (ACC-4): the portal admin invites, the invitee opts in by choosing a password;
invitations expire, can be revoked and die with the inviter's role or a disabled account."""

from datetime import timedelta

import time_machine

from helpdesk.accounts.models import User
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import limits, link_in, mails_to

EMAIL = "neu.kollege@muster.example"
PASSWORD = "glimmering-otter-42"


def invite(client, email=EMAIL, role="member", **flags):
    data = {"name": "Neu Kollege", "email": email, "role": role, "language": "en"}
    data.update({flag: "y" for flag in flags})
    return client.post("/organisation/invitations", data=data)


def accept(client, path, name="Neo Kollege", password=PASSWORD):
    return client.post(path, data={"name": name, "password": password, "repeat": password})


def test_invited_person_accepts_and_joins_with_the_given_role(
    app, portal_admin_client, demo_people, smtp_server
):
    page = portal_admin_client.get("/organisation/invitations").get_data(as_text=True)
    assert 'href="/organisation/invitations"' in page  # in the navigation
    response = invite(portal_admin_client, role="administrator", support_authorised=True)
    assert response.status_code == 302
    listing = portal_admin_client.get("/organisation/invitations").get_data(as_text=True)
    assert EMAIL in listing and "Administrator" in listing

    [mail] = mails_to(smtp_server, EMAIL)
    assert mail["Subject"] == "Paula Portal invites you to the support portal"
    path = link_in(mail)
    client = app.test_client()
    form = client.get(path).get_data(as_text=True)
    assert "Muster GmbH" in form and 'value="Neu Kollege"' in form
    assert "At least 12 characters" in form

    weak = accept(client, path, password="passwort")
    assert weak.status_code == 422
    assert accept(client, path).headers["Location"] == "/sign-in"
    with app.app_context():
        user = User.get(User.email == EMAIL)
        assert user.name == "Neo Kollege"
        assert user.organisation.name == "Muster GmbH"
        assert user.customer_role == "administrator"
        assert user.support_authorised and not user.information_recipient
    signed_in = client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD})
    assert signed_in.headers["Location"] == "/"
    again = app.test_client().get(path)
    assert again.status_code == 410 and "accepted already" in again.get_data(as_text=True)
    assert EMAIL not in portal_admin_client.get("/organisation/invitations").get_data(as_text=True)


def test_only_portal_admins_invite_and_never_above_their_role(
    portal_admin_client, customer_client, agent_client, demo_people
):
    assert customer_client.get("/organisation/invitations").status_code == 404
    assert agent_client.get("/organisation/invitations").status_code == 404
    assert invite(customer_client).status_code == 404
    refused = invite(portal_admin_client, role="portal_admin")
    assert refused.status_code == 422


def test_an_address_with_an_account_is_not_invited(portal_admin_client, smtp_server):
    response = invite(portal_admin_client, email="mia.member@muster.example")
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert mails_to(smtp_server, "mia.member@muster.example") == []


def test_an_invitation_expires(app, portal_admin_client, smtp_server):
    invite(portal_admin_client)
    path = link_in(mails_to(smtp_server, EMAIL)[0])
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1), tick=False):
        response = app.test_client().get(path)
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)


def test_a_revoked_invitation_is_withdrawn(app, portal_admin_client, smtp_server):
    from helpdesk.accounts.invitations import Invitation

    invite(portal_admin_client)
    path = link_in(mails_to(smtp_server, EMAIL)[0])
    with app.app_context():
        invitation_id = Invitation.get().id
    assert (
        portal_admin_client.post(f"/organisation/invitations/{invitation_id}/revoke").status_code
        == 302
    )
    response = accept(app.test_client(), path)
    assert response.status_code == 410
    assert "withdrawn" in response.get_data(as_text=True)
    with app.app_context():
        assert not User.select().where(User.email == EMAIL).exists()


def test_another_organisation_cannot_revoke(app, portal_admin_client, demo_people, smtp_server):
    from helpdesk.accounts.invitations import Invitation
    from helpdesk.accounts.models import CustomerRole, Organisation

    invite(portal_admin_client)
    with app.app_context():
        other = Organisation.create(name="Andere AG")
        stranger = User.create(
            email="boss@andere.example",
            name="Boss",
            organisation=other,
            customer_role=CustomerRole.PORTAL_ADMIN,
        )
        invitation_id = Invitation.get().id
    client = app.test_client().sign_in_as(stranger)
    assert client.post(f"/organisation/invitations/{invitation_id}/revoke").status_code == 404
    assert EMAIL not in client.get("/organisation/invitations").get_data(as_text=True)


def test_invitation_dies_when_the_inviter_loses_the_role(
    app, portal_admin_client, demo_people, smtp_server
):
    invite(portal_admin_client)
    path = link_in(mails_to(smtp_server, EMAIL)[0])
    with app.app_context():
        User.update(customer_role="member").where(
            User.email == "paula.portal@muster.example"
        ).execute()
    response = app.test_client().get(path)
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)


def test_invitation_dies_with_a_disabled_account(app, portal_admin_client, smtp_server):
    invite(portal_admin_client)
    path = link_in(mails_to(smtp_server, EMAIL)[0])
    with app.app_context():
        User.update(active=False).where(User.email == "paula.portal@muster.example").execute()
    assert app.test_client().get(path).status_code == 410


def test_a_forged_invitation_link(client):
    response = client.get("/invitation/not-a-real-secret-at-all")
    assert response.status_code == 410
    assert "We do not know this link" in response.get_data(as_text=True)


def test_invitations_are_limited_per_inviter(make_app, demo_people, smtp_server):
    app = make_app(RATE_LIMITS=limits(invitation_inviter="2 per hour"), **smtp_server.settings)
    client = app.test_client().sign_in_as(demo_people["paula.portal"])
    answers = [invite(client, email=f"p{i}@muster.example").status_code for i in range(3)]
    assert answers == [302, 302, 429]
