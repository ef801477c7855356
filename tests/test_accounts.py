"""Signing in and out with the real form (CSRF on), and what a session is worth afterwards."""

import re

import pytest
from argon2 import PasswordHasher

from helpdesk.accounts import service
from helpdesk.accounts.models import User
from tests.conftest import DEMO_PASSWORD


def _sign_in(client, email, password, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_sign_in_with_the_right_password(client, demo_people):
    response = _sign_in(client, "Mia.Member@muster.example ", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/portal").status_code == 200


def test_wrong_password_keeps_the_address_and_says_why(client, demo_people):
    response = _sign_in(client, "mia.member@muster.example", "wrong")
    assert response.status_code == 422
    assert b"not right" in response.data
    assert b'value="mia.member@muster.example"' in response.data
    assert client.get("/portal").status_code == 302


def test_unknown_address_gets_the_same_answer(client, demo_people):
    unknown = _sign_in(client, "nobody@muster.example", "wrong")
    known = _sign_in(client, "mia.member@muster.example", "wrong")
    assert unknown.status_code == known.status_code == 422
    flash = re.compile(rb'<p class="flash[^>]*>(.*?)</p>')
    assert flash.findall(unknown.data) == flash.findall(known.data)


def test_disabled_user_cannot_sign_in(app, client, demo_people):
    with app.app_context():
        User.update(active=False).where(User.email == "mia.member@muster.example").execute()
    assert _sign_in(client, "mia.member@muster.example", DEMO_PASSWORD).status_code == 422


def test_sign_in_without_csrf_token_is_refused(client, demo_people):
    response = client.post(
        "/sign-in",
        data={"email": "mia.member@muster.example", "password": DEMO_PASSWORD},
        csrf=False,
    )
    assert response.status_code == 400
    assert client.get("/portal").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/agent?x=1", "/agent?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_redirect_after_sign_in_stays_on_this_site(client, demo_people, target, expected):
    response = _sign_in(client, "erik.first@vendor.example", DEMO_PASSWORD, next=target)
    assert response.headers["Location"] == expected


def test_sign_out_needs_post_and_ends_the_session(customer_client):
    assert customer_client.get("/sign-out").status_code == 405
    assert customer_client.post("/sign-out").status_code == 302
    assert customer_client.get("/portal").status_code == 302


def test_password_change_ends_other_sessions_and_remember_me(app, client, demo_people):
    response = _sign_in(client, "mia.member@muster.example", DEMO_PASSWORD, remember="y")
    assert "remember_token" in response.headers.get("Set-Cookie", "") + "".join(
        response.headers.getlist("Set-Cookie")
    )
    with app.app_context():
        service.set_password(User.get(User.email == "mia.member@muster.example"), "new-secret-1")
    assert client.get("/portal").status_code == 302  # the old session and cookie are dead


def test_agent_and_customer_pages_are_kept_apart(customer_client, agent_client):
    assert customer_client.get("/agent").status_code == 404
    assert agent_client.get("/portal").status_code == 404
    assert customer_client.get("/").headers["Location"] == "/portal"
    assert agent_client.get("/").headers["Location"] == "/agent"


def test_signed_in_pages_are_not_cached(customer_client):
    response = customer_client.get("/portal")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_password_hash_is_argon2_and_rehashed_when_outdated(app, demo_people):
    with app.app_context():
        user = User.get(User.email == "mia.member@muster.example")
        assert user.password_hash.startswith("$argon2id$")
        assert service.authenticate("mia.member@muster.example", DEMO_PASSWORD).id == user.id
        assert service.authenticate("mia.member@muster.example", "wrong") is None
        # one of OWASP's argon2id settings: 12 MiB, three passes, one lane
        assert "$m=12288,t=3,p=1$" in user.password_hash

        # A hash of other settings (argon2-cffi's default) still lets its owner in, and is
        # made anew with the portal's at that sign-in.
        older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(DEMO_PASSWORD)
        User.update(password_hash=older).where(User.id == user.id).execute()
        assert service.authenticate("mia.member@muster.example", DEMO_PASSWORD).id == user.id
        renewed = User.get_by_id(user.id).password_hash
        assert renewed != older and "$m=12288,t=3,p=1$" in renewed
        assert service.authenticate("mia.member@muster.example", DEMO_PASSWORD).id == user.id


def test_a_concurrent_burst_of_wrong_passwords_stays_within_the_limit(make_app):
    """Twenty-five wrong passwords for one account at once: at most the account's limit is
    ever checked against the password; the rest are told to wait (429)."""
    from concurrent.futures import ThreadPoolExecutor

    from helpdesk import demo

    app = make_app(
        RATE_LIMITS={"sign_in_address": "100 per minute", "sign_in_account": "5 per minute"}
    )
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)

    def attempt(_):
        return _sign_in(app.test_client(), "mia.member@muster.example", "wrong").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(25)))
    assert statuses.count(422) == 5
    assert statuses.count(429) == 20
    # the right password is refused too while the account is locked: no guessing around it
    refused = _sign_in(app.test_client(), "mia.member@muster.example", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert b"Too many sign-in attempts" in refused.data
    # another account from the same address still gets in
    other = _sign_in(app.test_client(), "martin.main@muster.example", DEMO_PASSWORD)
    assert other.status_code == 302


def test_one_address_is_limited_across_accounts(make_app, demo_people):
    app = make_app(
        RATE_LIMITS={"sign_in_address": "3 per minute", "sign_in_account": "9 per minute"}
    )
    client = app.test_client()
    statuses = [_sign_in(client, f"guess{n}@muster.example", "wrong").status_code for n in range(5)]
    assert statuses == [422, 422, 422, 429, 429]
