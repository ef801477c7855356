"""A deactivated organisation (issue 12, item 4): every way in is closed (sign-in, existing
sessions, password reset, invitations, registration by its domain), its data is kept, and
reactivating it lets its people sign in again without reviving the earlier sessions."""

import pytest

from helpdesk.accounts import invitations, registration, sessions
from helpdesk.accounts.models import Approval, Organisation, User
from helpdesk.admin import service as admin
from helpdesk.cases.models import Case
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import link_in, mails_to, pending_person
from tests.cases.conftest import ctx, open_case  # noqa: F401  (fixtures)
from tests.conftest import DEMO_PASSWORD

MIA = "mia.member@muster.example"


def _switch(app, demo_people, active: bool) -> None:
    """The vendor admin (de)activates Muster GmbH through the admin page."""
    ada = app.test_client().sign_in_as(demo_people["ada.admin"])
    with app.app_context():
        muster = Organisation.get(Organisation.name == "Muster GmbH")
    data = {"name": muster.name, "case_visibility": muster.case_visibility}
    if active:
        data["is_active"] = "y"
    assert ada.post(f"/admin/organisations/{muster.id}", data=data).status_code == 302
    with app.app_context():
        assert Organisation.get_by_id(muster.id).is_active is active


@pytest.fixture
def mias_case(open_case):  # noqa: F811
    return open_case(subject="Kept after deactivation")


def test_its_people_are_signed_out_and_cannot_sign_in(app, client, demo_people, mias_case):
    browser = app.test_client().sign_in_as(demo_people["mia.member"])
    assert browser.get(f"/cases/{mias_case.call_id}").status_code == 200

    _switch(app, demo_people, active=False)

    assert browser.get(f"/cases/{mias_case.call_id}").status_code == 302
    assert browser.get("/cases/new").status_code == 302
    refused = client.post("/sign-in", data={"email": MIA, "password": DEMO_PASSWORD})
    assert refused.status_code == 403
    assert "access to the portal is switched off" in refused.get_data(as_text=True)
    # A wrong password learns nothing about the organisation.
    wrong = client.post("/sign-in", data={"email": MIA, "password": "wrong"})
    assert wrong.status_code == 422 and "switched off" not in wrong.get_data(as_text=True)
    with app.app_context():
        assert Case.get_by_id(mias_case.id).subject == "Kept after deactivation"
        with pytest.raises(PermissionError):
            sessions.start(User.get(User.email == MIA))

    _switch(app, demo_people, active=True)

    assert browser.get(f"/cases/{mias_case.call_id}").status_code == 302  # stays ended
    again = client.post("/sign-in", data={"email": MIA, "password": DEMO_PASSWORD})
    assert again.status_code == 302
    assert client.get(f"/cases/{mias_case.call_id}").status_code == 200


def test_agents_keep_working_on_its_cases(app, demo_people, mias_case):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    _switch(app, demo_people, active=False)
    assert agent.get(f"/cases/{mias_case.call_id}").status_code == 200


def test_a_half_finished_sign_in_with_a_second_factor_is_not_completed(app, demo_people):
    client = app.test_client()
    with client.session_transaction() as session:
        session["half_signed_in"] = {
            "user": demo_people["paula.portal"].id,
            "remember": False,
            "next": None,
            "at": utcnow().timestamp(),
        }
    assert client.get("/sign-in/code").status_code == 200
    _switch(app, demo_people, active=False)
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_no_reset_link_goes_out(app, client, demo_people, smtp_server):
    _switch(app, demo_people, active=False)
    assert client.post("/forgot-password", data={"email": MIA}).status_code == 200
    assert mails_to(smtp_server, MIA) == []


def test_no_invitation_is_made_or_accepted(app, portal_admin_client, demo_people, smtp_server):
    data = {"name": "Neo", "email": "neo@muster.example", "role": "member", "language": "de"}
    assert portal_admin_client.post("/organisation/invitations", data=data).status_code == 302
    path = link_in(mails_to(smtp_server, "neo@muster.example")[0])

    _switch(app, demo_people, active=False)

    with app.app_context():
        paula = User.get(User.email == "paula.portal@muster.example")
        with pytest.raises(invitations.Refused):
            invitations.invite(paula, "Nia", "nia@muster.example", "member")
    accepted = app.test_client().post(
        path, data={"name": "Neo", "password": "long-enough-pass", "repeat": "long-enough-pass"}
    )
    assert accepted.status_code == 410
    with app.app_context():
        assert not User.select().where(User.email == "neo@muster.example").exists()


def test_registration_by_its_domain_waits_and_cannot_be_approved_into_it(app, demo_people):
    _switch(app, demo_people, active=False)
    with app.app_context():
        muster = Organisation.get(Organisation.name == "Muster GmbH")
        person = pending_person("new@muster.example")
        with pytest.raises(registration.Refused):
            registration.approve(demo_people["ada.admin"], person, muster)
        assert User.get_by_id(person.id).approval == Approval.PENDING


def test_deactivating_through_the_service_signs_everyone_out(app, demo_people):
    with app.app_context():
        muster = Organisation.get(Organisation.name == "Muster GmbH")
        for person in ("mia.member", "paula.portal"):
            sessions.start(demo_people[person])
        values = {name: getattr(muster, name) for name in admin.ORGANISATION_FIELDS}
        admin.update_organisation(demo_people["ada.admin"], muster, {**values, "is_active": False})
        live = sessions.SignIn.select().where(sessions.SignIn.revoked_at.is_null())
        assert [row.user_id for row in live] == []
