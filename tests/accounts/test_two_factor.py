"""The second factor (ACC-1): set up with a code pyotp computes like a phone would, asked for
in a second sign-in step, recovery codes single-use, turned off only with the password."""

import re
from datetime import timedelta

import pyotp
import segno
import time_machine

from helpdesk.accounts.models import User
from helpdesk.timeutil import utcnow
from tests.accounts.conftest import limits
from tests.conftest import DEMO_PASSWORD

ERIK = "erik.first@vendor.example"


def enable(client) -> tuple[str, list[str]]:
    """Turn the second factor on through the page; returns the secret and recovery codes."""
    page = client.post("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">(\w+)</code>', page).group(1)
    uri = f"otpauth://totp/Support%20portal:{ERIK.replace('@', '%40')}?secret={secret}"
    assert uri in page
    # The QR code holds the same link: its modules are those of a code made from the link.
    shown = re.search(r'<figure class="totp-qr"[^>]*><svg.*? d="([^"]+)"', page).group(1)
    issuer = uri + "&amp;issuer=Support%20portal"
    expected = segno.make(issuer.replace("&amp;", "&"), error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff"
    )
    assert f' d="{shown}"' in expected
    wrong = client.post("/account/two-factor/confirm", data={"code": "000000"})
    assert wrong.status_code == 422
    done = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def sign_in(client, password=DEMO_PASSWORD, remember=False):
    data = {"email": ERIK, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/sign-in", data=data)


def test_setup_then_sign_in_asks_for_the_code(app, demo_people):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    secret, _codes = enable(agent)

    client = app.test_client()
    first = sign_in(client)
    assert first.headers["Location"] == "/sign-in/code"
    assert client.get("/agent").status_code == 302  # half signed in is not signed in
    assert client.post("/sign-in/code", data={"code": "123456"}).status_code == 422
    later = utcnow() + timedelta(seconds=30)  # the next time step: the setup code is used
    with time_machine.travel(later, tick=False):
        code = pyotp.TOTP(secret).now()
        response = client.post("/sign-in/code", data={"code": code})
        assert response.headers["Location"] == "/"
        assert client.get("/agent").status_code == 200

        # The same code again, on another device: refused (no replay).
        thief = app.test_client()
        sign_in(thief)
        assert thief.post("/sign-in/code", data={"code": code}).status_code == 422


def test_recovery_codes_work_once(app, demo_people):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    _secret, codes = enable(agent)
    client = app.test_client()
    sign_in(client)
    assert client.post("/sign-in/code", data={"code": codes[0].upper()}).status_code == 302
    other = app.test_client()
    sign_in(other)
    assert other.post("/sign-in/code", data={"code": codes[0]}).status_code == 422
    page = agent.get("/account/two-factor").get_data(as_text=True)
    assert "Recovery codes left: 9" in page


def test_new_recovery_codes_replace_the_old_ones(app, demo_people):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    _secret, old = enable(agent)
    refused = agent.post("/account/two-factor/recovery-codes", data={"renew-password": "no"})
    assert refused.status_code == 422
    assert "This is not your password." in refused.get_data(as_text=True)

    page = agent.post("/account/two-factor/recovery-codes", data={"renew-password": DEMO_PASSWORD})
    new = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    stale = app.test_client()
    sign_in(stale)
    assert stale.post("/sign-in/code", data={"code": old[1]}).status_code == 422
    fresh = app.test_client()
    sign_in(fresh)
    assert fresh.post("/sign-in/code", data={"code": new[0]}).status_code == 302
    assert "Recovery codes left: 9" in agent.get("/account/two-factor").get_data(as_text=True)


def test_disabling_needs_the_password(app, demo_people):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    enable(agent)
    wrong = agent.post("/account/two-factor/disable", data={"password": "not-it"})
    assert wrong.status_code == 422
    assert (
        agent.post("/account/two-factor/disable", data={"password": DEMO_PASSWORD}).status_code
        == 302
    )
    with app.app_context():
        assert User.get(User.email == ERIK).totp_secret is None
    assert sign_in(app.test_client()).headers["Location"] == "/"


def test_code_attempts_are_limited_per_account(make_app, demo_people):
    app = make_app(RATE_LIMITS=limits(totp_account="3 per 10 minutes"))
    with app.app_context():
        User.update(totp_secret=pyotp.random_base32()).where(User.email == ERIK).execute()
    client = app.test_client()
    sign_in(client)
    answers = [client.post("/sign-in/code", data={"code": "000000"}).status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]


def test_who_may_turn_it_on(portal_admin_client, customer_client, agent_client):
    assert portal_admin_client.get("/account/two-factor").status_code == 200
    assert agent_client.get("/account/two-factor").status_code == 200
    assert customer_client.get("/account/two-factor").status_code == 404


def test_the_half_signed_in_marker_expires(app, demo_people):
    with app.app_context():
        User.update(totp_secret=pyotp.random_base32()).where(User.email == ERIK).execute()
    client = app.test_client()
    sign_in(client)
    with time_machine.travel(utcnow() + timedelta(minutes=11), tick=False):
        assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_remember_me_ends_with_a_password_change(app, demo_people):
    from helpdesk.accounts import service

    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"email": "mia.member@muster.example", "password": DEMO_PASSWORD, "remember": "y"},
    )
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    cookie = client.get_cookie("remember_token").value
    # A fresh browser with only the remember-me cookie is signed in ...
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie)
    assert fresh.get("/portal").status_code == 200
    # ... until the password changes: then the same cookie is worth nothing.
    with app.app_context():
        service.set_password(User.get(User.email == "mia.member@muster.example"), "x" * 14)
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie)
    assert stale.get("/portal").status_code == 302


def test_sign_out_removes_the_remember_me_cookie(app, demo_people):
    client = app.test_client()
    client.post(
        "/sign-in",
        data={"email": "mia.member@muster.example", "password": DEMO_PASSWORD, "remember": "y"},
    )
    assert client.get_cookie("remember_token") is not None
    client.post("/sign-out")
    assert client.get_cookie("remember_token") is None
    assert client.get("/portal").status_code == 302
