"""Changing one's e-mail address (issue 16): the password is asked, the new address gets a
link (double opt-in), the old one a notice; only the link changes the address, once."""

import time_machine

from helpdesk.accounts.models import User
from helpdesk.audit import AuditLog
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import link_in, mails_to
from tests.conftest import DEMO_PASSWORD

MIA = "mia.member@muster.example"
NEW = "mia.neu@muster.example"


def ask(client, email=NEW, password=DEMO_PASSWORD):
    return client.post("/account/email", data={"email": email, "email_password": password})


def email_of(app, person):
    with app.app_context():
        return User.get_by_id(person.id).email


def test_the_new_address_confirms_and_the_old_one_is_told(
    app, demo_people, customer_client, smtp_server
):
    mia = demo_people["mia.member"]
    response = ask(customer_client)
    assert response.status_code == 303
    assert email_of(app, mia) == MIA  # nothing changes before the confirmation
    [notice] = mails_to(smtp_server, MIA)
    assert NEW in notice.get_body(("plain",)).get_content()
    [confirmation] = mails_to(smtp_server, NEW)
    path = link_in(confirmation)
    other_browser = app.test_client()
    assert other_browser.get(path).status_code == 200  # asks first: nothing changed yet
    assert email_of(app, mia) == MIA
    assert other_browser.post(path).status_code == 302  # works in any browser
    assert email_of(app, mia) == NEW
    with app.app_context():
        row = AuditLog.get(AuditLog.action == "user.email")
        assert row.actor_id == mia.id and MIA in row.before and NEW in row.after
    again = other_browser.post(path)  # a second click changes nothing
    assert email_of(app, mia) == NEW and again.status_code == 302


def test_the_password_is_asked_and_a_taken_address_refused(
    app, demo_people, customer_client, smtp_server
):
    wrong = ask(customer_client, password="not my password")
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    taken = ask(customer_client, email="paula.portal@muster.example")
    assert taken.status_code == 422
    page = taken.get_data(as_text=True)
    assert "This address cannot be used for your account." in page
    assert 'value="paula.portal@muster.example"' in page  # what was typed is kept
    assert smtp_server.messages == []


def test_a_link_expires_after_a_day(app, demo_people, customer_client, smtp_server):
    ask(customer_client)
    path = link_in(mails_to(smtp_server, NEW)[0])
    with time_machine.travel(utcnow().timestamp() + 25 * 3600, tick=False):
        app.test_client().post(path)
    assert email_of(app, demo_people["mia.member"]) == MIA


def test_a_forged_link_changes_nothing(app, demo_people):
    assert app.test_client().post("/account/email/not-a-token").status_code == 302
    assert email_of(app, demo_people["mia.member"]) == MIA
