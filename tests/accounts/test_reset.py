"""Forgot password (ACC-2): the mailed link works once, for an hour; the request tells
nobody whether an address has an account."""

from datetime import timedelta

import time_machine

from helpdesk.accounts.models import User
from helpdesk.accounts.tokens import AccountToken
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import limits, link_in, mails_to, page_without
from tests.conftest import DEMO_PASSWORD

MIA = "mia.member@muster.example"
NEW = "glimmering-otter-42"


def ask(client, email):
    return client.post("/forgot-password", data={"email": email})


def test_reset_by_mailed_link_ends_other_sessions(app, client, demo_people, smtp_server):
    other_device = app.test_client().sign_in_as(demo_people["mia.member"])
    assert other_device.get("/portal").status_code == 200

    assert ask(client, MIA).status_code == 200
    [mail] = mails_to(smtp_server, MIA)
    assert mail["Subject"] == "Choose a new password"
    path = link_in(mail)
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": NEW, "repeat": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"

    assert other_device.get("/portal").status_code == 302  # signed out everywhere
    signed_in = client.post("/sign-in", data={"email": MIA, "password": NEW})
    assert signed_in.headers["Location"] == "/"
    old = app.test_client().post("/sign-in", data={"email": MIA, "password": DEMO_PASSWORD})
    assert old.status_code == 422


def test_a_used_link_says_so_and_offers_a_new_one(client, demo_people, smtp_server):
    ask(client, MIA)
    path = link_in(mails_to(smtp_server, MIA)[0])
    client.post(path, data={"password": NEW, "repeat": NEW})
    again = client.post(path, data={"password": NEW + "x", "repeat": NEW + "x"})
    assert again.status_code == 410
    page = again.get_data(as_text=True)
    assert "This link was used already." in page
    assert 'href="/forgot-password"' in page


def test_an_expired_link_says_so(client, demo_people, smtp_server):
    ask(client, MIA)
    path = link_in(mails_to(smtp_server, MIA)[0])
    assert client.get(path).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        response = client.post(path, data={"password": NEW, "repeat": NEW})
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)


def test_a_forged_link_is_unknown(client, demo_people):
    response = client.get("/reset/made-up-secret-of-some-length")
    assert response.status_code == 410
    assert "We do not know this link." in response.get_data(as_text=True)


def test_a_new_link_kills_the_older_one(client, demo_people, smtp_server):
    ask(client, MIA)
    ask(client, MIA)
    first, second = (link_in(m) for m in mails_to(smtp_server, MIA))
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_the_secret_is_not_stored(app, client, demo_people, smtp_server):
    ask(client, MIA)
    secret = link_in(mails_to(smtp_server, MIA)[0]).rsplit("/", 1)[1]
    with app.app_context():
        [token] = AccountToken.select()
        assert secret not in token.hash and len(token.hash) == 64


def test_unknown_address_gets_the_identical_answer(client, demo_people, smtp_server):
    known = ask(client, MIA)
    unknown = ask(client, "nobody@muster.example")
    assert known.status_code == unknown.status_code == 200
    assert page_without(known, MIA) == page_without(unknown, "nobody@muster.example")
    assert mails_to(smtp_server, "nobody@muster.example") == []


def test_a_disabled_account_gets_no_link(app, client, demo_people, smtp_server):
    with app.app_context():
        User.update(active=False).where(User.email == MIA).execute()
    assert ask(client, MIA).status_code == 200
    assert mails_to(smtp_server, MIA) == []


def test_the_answer_waits_for_the_configured_floor(make_app, smtp_server, monkeypatch):
    from helpdesk.accounts import reset

    app = make_app(RESET_MIN_SECONDS=5, **smtp_server.settings)
    slept = []
    monkeypatch.setattr(reset.time, "sleep", slept.append)
    app.test_client().post("/forgot-password", data={"email": "nobody@example.com"})
    assert len(slept) == 1 and 4 < slept[0] <= 5


def test_requests_are_limited_per_address(client, demo_people, smtp_server):
    answers = [ask(client, MIA).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(mails_to(smtp_server, MIA)) == 3


def test_requests_are_limited_per_client(make_app, demo_people, smtp_server):
    app = make_app(
        RESET_MIN_SECONDS=0,
        RATE_LIMITS=limits(reset_client="2 per hour"),
        **smtp_server.settings,
    )
    client = app.test_client()
    answers = [ask(client, f"someone{i}@example.com").status_code for i in range(3)]
    assert answers == [200, 200, 429]
