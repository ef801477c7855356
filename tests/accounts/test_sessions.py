"""Sign-ins are server-side records (ACC-1): signing out, signing out everywhere, a new
password and a disabled account make every copy of the earlier cookies worthless."""

import pytest

from helpdesk.accounts import service, sessions
from helpdesk.accounts.models import User
from tests.conftest import DEMO_PASSWORD

MIA = "mia.member@muster.example"


def _sign_in(client, remember=True):
    data = {"email": MIA, "password": DEMO_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302, response.status_code
    return {c.split("=", 1)[0]: c.split("=", 1)[1].split(";")[0] for c in _set_cookies(response)}


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def _replayed(app, cookies: dict[str, str]) -> int:
    """The portal's answer to a bare request that carries exactly ``cookies``, in a raw
    ``Cookie`` header, from a client without a cookie jar of its own."""
    stranger = app.test_client(use_cookies=False)
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return stranger.get("/portal", headers={"Cookie": header}, csrf=False).status_code


def _jar(app, cookies: dict[str, str]) -> int:
    """The same through a real test client's cookie jar."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief.get("/portal").status_code


def test_copied_cookies_are_worthless_after_signing_out(app, client, demo_people):
    cookies = _sign_in(client)
    assert set(cookies) >= {"session", "remember_token"}
    # Each copy works while the sign-in lasts: the replay below proves something.
    for name in ("session", "remember_token"):
        assert _replayed(app, {name: cookies[name]}) == 200, name
    assert _jar(app, cookies) == 200

    assert client.post("/sign-out").status_code == 302

    for name in ("session", "remember_token"):
        assert _replayed(app, {name: cookies[name]}) == 302, name
    assert _replayed(app, cookies) == 302
    assert _jar(app, cookies) == 302
    assert _jar(app, {"remember_token": cookies["remember_token"]}) == 302
    assert client.get("/portal").status_code == 302


def test_signing_out_ends_only_that_sign_in(app, client, demo_people):
    other = app.test_client()
    _sign_in(other)
    _sign_in(client)
    client.post("/sign-out")
    assert other.get("/portal").status_code == 200


def test_sign_out_everywhere_ends_every_sign_in(app, client, demo_people):
    phone = app.test_client()
    phone_cookies = _sign_in(phone)
    laptop_cookies = _sign_in(client)

    response = client.post("/account/sign-out-everywhere", follow_redirects=True)
    assert response.status_code == 200
    assert "You are signed out on every device." in response.get_data(as_text=True)

    assert phone.get("/portal").status_code == 302
    for cookies in (phone_cookies, laptop_cookies):
        for name in ("session", "remember_token"):
            assert _replayed(app, {name: cookies[name]}) == 302
    # Signing in again works: the account itself is untouched.
    _sign_in(client)
    assert client.get("/portal").status_code == 200


def test_sign_out_everywhere_is_offered_on_the_profile_and_needs_csrf(customer_client):
    page = customer_client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in page
    assert customer_client.get("/account/sign-out-everywhere").status_code == 405
    refused = customer_client.post("/account/sign-out-everywhere", csrf=False)
    assert refused.status_code == 400
    assert customer_client.get("/portal").status_code == 200


def test_a_new_password_ends_every_sign_in_and_remember_token(app, client, demo_people):
    cookies = _sign_in(client)
    with app.app_context():
        service.set_password(User.get(User.email == MIA), "a-new-secret-phrase")
    for name in ("session", "remember_token"):
        assert _replayed(app, {name: cookies[name]}) == 302


@pytest.mark.parametrize("who", ["mia.member", "erik.first"])
def test_disabling_the_account_ends_every_sign_in(app, demo_people, who):
    person = demo_people[who]
    device = app.test_client().sign_in_as(person)
    home = "/portal" if person.is_customer else "/agent"
    assert device.get(home).status_code == 200
    with app.app_context():
        actor = demo_people["paula.portal" if person.is_customer else "ada.admin"]
        if person.is_customer:
            from helpdesk.organisations.service import set_active

            set_active(actor, person, False)
            set_active(actor, User.get_by_id(person.id), True)
        else:
            from helpdesk.admin import service as admin

            values = {name: getattr(person, name) for name in admin.AGENT_FIELDS}
            admin.update_agent(actor, person, {**values, "active": False})
            admin.update_agent(actor, User.get_by_id(person.id), {**values, "active": True})
    # Enabled again, but the sign-in from before stays ended.
    assert device.get(home).status_code == 302


def test_the_session_id_is_stored_hashed_and_an_unknown_one_signs_nobody_in(app, demo_people):
    with app.app_context():
        user = sessions.start(User.get(User.email == MIA))
        session_id = user.get_id()
        stored = sessions.SignIn.get(sessions.SignIn.user == user.id)
        assert session_id not in (stored.hash, str(stored.id))
        assert sessions.load(session_id).id == user.id
        assert sessions.load(session_id + "x") is None
        assert sessions.load("") is None
        sessions.end(user)
        assert sessions.load(session_id) is None


def test_people_are_the_same_by_their_row_not_their_sign_in(app, demo_people):
    """Two people loaded without a sign-in were "equal" once ``get_id()`` named the sign-in
    (flask-login's ``UserMixin.__eq__``): any check ``author == user`` would let anyone by."""
    with app.app_context():
        mia, martin = User.get_by_id(demo_people["mia.member"].id), demo_people["martin.main"]
        assert (mia == martin) is False and mia != martin
        assert (
            mia == demo_people["mia.member"] and len({mia, martin, demo_people["mia.member"]}) == 2
        )
        signed_in = sessions.start(mia)
        assert signed_in == mia and signed_in != martin
