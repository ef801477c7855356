"""Changing one's password while signed in (issue 16): the current one is asked, the new one
follows the policy, other sign-ins end and this one stays, an audit row is written."""

from helpdesk.accounts import service
from helpdesk.accounts.models import User
from helpdesk.audit import AuditLog
from tests.conftest import DEMO_PASSWORD

NEW = "Correct horse battery staple 42"


def test_the_current_password_is_asked(app, demo_people, customer_client):
    mia = demo_people["mia.member"]
    data = {"current": "not my password", "password": NEW, "repeat": NEW}
    response = customer_client.post("/account/password", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This is not your current password." in page
    with app.app_context():
        assert service.authenticate(mia.email, DEMO_PASSWORD) is not None
        assert not AuditLog.select().where(AuditLog.action == "user.password").exists()


def test_a_changed_password_signs_out_other_devices_only(app, demo_people, customer_client):
    mia = demo_people["mia.member"]
    other_device = app.test_client().sign_in_as(mia)
    data = {"current": DEMO_PASSWORD, "password": NEW, "repeat": NEW}
    response = customer_client.post("/account/password", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/profile")
    assert customer_client.get("/account/profile").status_code == 200  # still signed in
    assert other_device.get("/account/profile").status_code == 302  # sent to sign in
    with app.app_context():
        assert service.authenticate(mia.email, NEW) is not None
        assert service.authenticate(mia.email, DEMO_PASSWORD) is None
        row = AuditLog.get(AuditLog.action == "user.password")
        assert row.actor_id == mia.id and row.target_id == str(mia.id)


def test_a_weak_or_unrepeated_password_is_refused_in_the_users_language(
    app, demo_people, customer_client
):
    with app.app_context():
        User.update(language="de").where(User.id == demo_people["mia.member"].id).execute()
    data = {"current": DEMO_PASSWORD, "password": NEW, "repeat": NEW + "x"}
    response = customer_client.post("/account/password", data=data)
    assert response.status_code == 422
    assert "Die Passwörter unterscheiden sich." in response.get_data(as_text=True)
