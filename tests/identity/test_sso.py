"""Single sign-on through the test OpenID Connect provider: real HTTP, signed tokens."""

import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests

from helpdesk.accounts import sessions, two_factor
from helpdesk.accounts.models import User
from helpdesk.accounts.sessions import SignIn
from helpdesk.audit import AuditLog
from helpdesk.identity import crypto
from helpdesk.identity.models import ProviderLink, SignInProvider, SsoAttempt
from tests.conftest import DEMO_PASSWORD


def start(client, provider, next_url=""):
    """Press the provider's button; returns the provider's answer: the callback URL."""
    response = client.post(f"/sign-in/sso/{provider.id}", data={"next": next_url})
    assert response.status_code == 302, response.status_code
    at_provider = requests.get(response.location, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/sign-in/sso/callback"
    return f"{back.path}?{back.query}"


def round_trip(client, provider, next_url=""):
    return client.get(start(client, provider, next_url))


def refusal(client, response) -> str:
    """The message a refused sign-in shows: it must be a redirect to the sign-in page."""
    assert response.status_code == 302, response.status_code
    assert urlsplit(response.location).path == "/sign-in"
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    return page


def test_an_agent_signs_in_and_is_linked(app, client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example", sub="erik-at-idp")
    response = round_trip(client, provider, next_url="/queue")
    assert response.status_code == 302
    assert response.location == "/queue"
    assert client.get("/queue").status_code == 200
    with app.app_context():
        link = ProviderLink.get(ProviderLink.subject == "erik-at-idp")
        assert link.user.email == "erik.first@vendor.example"
        assert AuditLog.get(AuditLog.action == "sso.linked").target_id == str(link.user_id)
    # Signing out ends this sign-in as any other: the portal's own session rules.
    client.post("/sign-out")
    assert client.get("/queue").status_code == 302
    # The next sign-in finds the account by the link, even with another address claimed.
    oidc_provider.sign_in_as("renamed@elsewhere.example", sub="erik-at-idp")
    assert round_trip(client, provider).status_code == 302
    assert client.get("/queue").status_code == 200


def test_pkce_state_and_nonce_go_out(app, client, sso_provider):
    provider = sso_provider()
    response = client.post(f"/sign-in/sso/{provider.id}")
    query = parse_qs(urlsplit(response.location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0] and query["state"][0] and query["code_challenge"][0]
    with app.app_context():
        attempt = SsoAttempt.get()
        assert attempt.state_hash != query["state"][0]  # only its digest is kept


@pytest.mark.parametrize(
    ("misbehave", "message"),
    [
        ("audience", "meant for another application"),
        ("expired", "had expired"),
        ("signature", "no valid signature"),
        ("unverified", "has not confirmed your e-mail address"),
        ("nonce", "belongs to another sign-in"),
        ("no-nonce", "belongs to another sign-in"),
        ("issuer", "was issued by someone else"),
    ],
)
def test_a_misbehaving_provider_signs_nobody_in(
    app, client, sso_provider, oidc_provider, misbehave, message
):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    oidc_provider.misbehave = misbehave
    page = refusal(client, round_trip(client, provider))
    assert message in page
    assert client.get("/queue").status_code == 302
    with app.app_context():
        assert not ProviderLink.select().exists()
        assert not SignIn.select().exists()


def test_a_replayed_answer_signs_nobody_in(app, client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    callback = start(client, provider)
    with client.session_transaction() as session:
        saved = dict(session)
    assert client.get(callback).status_code == 302
    client.post("/sign-out")
    # The same answer again, even with the session cookie of the time restored.
    with client.session_transaction() as session:
        session.update(saved)
    assert "was used already" in refusal(client, client.get(callback))
    assert client.get("/queue").status_code == 302
    other = app.test_client()
    assert "was used already" in refusal(other, other.get(callback))


def test_an_answer_for_another_browser_signs_nobody_in(app, client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    callback = start(client, provider)
    stranger = app.test_client()
    assert "started in another window" in refusal(stranger, stranger.get(callback))
    assert stranger.get("/queue").status_code == 302


@pytest.mark.parametrize(
    "query",
    ["", "?state=nonsense&code=x", "?error=access_denied", "?state=&code=&error="],
)
def test_a_broken_answer_is_a_clear_refusal(client, sso_provider, query):
    sso_provider()
    assert "Please start again" in refusal(client, client.get("/sign-in/sso/callback" + query))


def test_the_provider_refusing_is_said_so(app, client, sso_provider):
    provider = sso_provider()
    client.post(f"/sign-in/sso/{provider.id}")
    with client.session_transaction() as session:
        state = session["sso_state"]
    response = client.get(f"/sign-in/sso/callback?state={state}&error=access_denied")
    assert "did not sign you in (access_denied)" in refusal(client, response)


def test_nobody_is_created_without_the_admins_word(app, client, sso_provider, oidc_provider):
    provider = sso_provider(allowed_domains="vendor.example newhire.example")
    oidc_provider.sign_in_as("nora.new@newhire.example")
    assert "No account here uses nora.new@newhire.example" in refusal(
        client, round_trip(client, provider)
    )
    with app.app_context():
        assert not User.select().where(User.email == "nora.new@newhire.example").exists()


def test_an_admin_may_let_a_domain_create_agents(app, client, sso_provider, oidc_provider):
    provider = sso_provider(agents_from="newhire.example")
    oidc_provider.sign_in_as("nora.new@newhire.example", name="Nora New")
    assert round_trip(client, provider).status_code == 302
    assert client.get("/queue").status_code == 200
    with app.app_context():
        nora = User.get(User.email == "nora.new@newhire.example")
        assert nora.is_agent and not nora.is_admin and nora.password_hash is None
        assert nora.name == "Nora New"
        assert AuditLog.get(AuditLog.action == "agent.created").target_id == str(nora.id)


def test_other_domains_are_refused(client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("mia.member@muster.example")
    page = refusal(client, round_trip(client, provider))
    assert "Addresses at muster.example may not sign in through Test ID" in page


def test_customers_only_where_the_admin_allows(client, sso_provider, oidc_provider):
    oidc_provider.sign_in_as("mia.member@muster.example")
    agents_only = sso_provider(allowed_domains="muster.example")
    assert "Customers do not sign in through" in refusal(client, round_trip(client, agents_only))
    for_customers = sso_provider(name="Muster ID", allowed_domains="muster.example", customers=True)
    assert round_trip(client, for_customers).status_code == 302
    assert client.get("/portal").status_code == 200


def test_the_second_factor_is_asked_unless_the_provider_did_it(
    app, client, sso_provider, oidc_provider, demo_people
):
    with app.app_context():
        erik = demo_people["erik.first"]
        secret = two_factor.new_secret()
        assert two_factor.enable(erik, secret, pyotp.TOTP(secret).now())
    oidc_provider.sign_in_as("erik.first@vendor.example", amr=["pwd", "mfa"])
    untrusting = sso_provider()
    response = round_trip(client, untrusting)
    assert response.location == "/sign-in/code"
    assert client.get("/queue").status_code == 302
    trusting = sso_provider(name="Trusted", trust_mfa=True)
    assert round_trip(client, trusting).location == "/"
    assert client.get("/queue").status_code == 200
    client.post("/sign-out")
    oidc_provider.sign_in_as("erik.first@vendor.example", amr=["pwd"])
    assert round_trip(client, trusting).location == "/sign-in/code"


def test_an_unreachable_provider_is_said_so(app, client, sso_provider):
    provider = sso_provider(issuer="http://127.0.0.1:9")
    response = client.post(f"/sign-in/sso/{provider.id}")
    assert "cannot be reached just now" in refusal(client, response)


def test_the_client_secret_is_stored_encrypted(app, sso_provider, oidc_provider, client):
    provider = sso_provider()
    with app.app_context():
        stored = SignInProvider.get_by_id(provider.id).client_secret
        assert oidc_provider.client_secret not in stored
        assert crypto.decrypt(stored) == oidc_provider.client_secret
    other = app.test_client()
    app.config["SECRETS_KEY"] = "x" * 43 + "="  # another key: the secret is unreadable
    page = refusal(other, other.post(f"/sign-in/sso/{provider.id}"))
    assert "cannot be read with this installation" in page


def test_a_refused_code_is_a_clear_refusal(client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    oidc_provider.client_secret = "changed-at-the-provider"
    page = refusal(client, round_trip(client, provider))
    assert "did not confirm this sign-in" in page


def forms_of(page: str) -> list[tuple[str, dict]]:
    """The POST forms of ``page``: their action and the values of their hidden fields."""
    found = []
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S
    ):
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body))
        found.append((action, fields))
    return found


def test_the_sign_in_page_has_a_button_per_provider(app, client, sso_provider, oidc_provider):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "/sign-in/sso" not in page
    assert "company account" not in page and "Sign in with Test ID" not in page

    provider = sso_provider()
    sso_provider(name="Switched off", active=False)
    response = client.get("/sign-in?next=/queue")
    page = response.get_data(as_text=True)
    assert page.count("Sign in with Test ID") == 1
    assert "Switched off" not in page
    assert oidc_provider.issuer.rstrip("/") in response.headers["Content-Security-Policy"]
    buttons = [(a, f) for a, f in forms_of(page) if a.startswith("/sign-in/sso/")]
    assert buttons == [(f"/sign-in/sso/{provider.id}", buttons[0][1])]
    action, fields = buttons[0]
    assert fields["next"] == "/queue" and fields["csrf_token"]

    # Pressing it (a plain POST, no JavaScript) goes to the provider and back, signed in.
    oidc_provider.sign_in_as("erik.first@vendor.example")
    at_portal = client.post(action, data=fields, csrf=False)  # the form's own token
    assert at_portal.status_code == 302
    at_provider = requests.get(at_portal.location, allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").location == "/queue"
    assert client.get("/queue").status_code == 200


# The portal's own session rules hold for a sign-in through a provider -------------------


def test_a_sso_sign_in_is_a_server_side_sign_in_like_a_password_one(
    app, client, sso_provider, oidc_provider, demo_people
):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    erik = demo_people["erik.first"]
    assert round_trip(client, provider).status_code == 302
    by_password = app.test_client()
    response = by_password.post("/sign-in", data={"email": erik.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        rows = list(SignIn.select().where(SignIn.user == erik.id).order_by(SignIn.id))
        assert len(rows) == 2 and all(row.revoked_at is None for row in rows)
        # Each cookie carries its own sign-in's id, which the loader turns into the person.
        for browser in (client, by_password):
            with browser.session_transaction() as session:
                assert sessions.load(session["_user_id"]).id == erik.id
    client.post("/sign-out")
    with app.app_context():
        first, second = SignIn.select().where(SignIn.user == erik.id).order_by(SignIn.id)
        assert first.revoked_at is not None and second.revoked_at is None
    assert by_password.get("/queue").status_code == 200


def test_signing_out_everywhere_ends_sso_sign_ins(app, client, sso_provider, oidc_provider):
    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    phone = app.test_client()
    assert round_trip(phone, provider).status_code == 302
    assert round_trip(client, provider).status_code == 302
    assert phone.get("/queue").status_code == 200

    response = client.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "You are signed out on every device." in response.get_data(as_text=True)
    assert phone.get("/queue").status_code == 302
    assert client.get("/queue").status_code == 302
    with app.app_context():
        assert not SignIn.select().where(SignIn.revoked_at.is_null()).exists()
    # The provider signs the person in afresh: only the old sign-ins ended.
    assert round_trip(phone, provider).status_code == 302
    assert phone.get("/queue").status_code == 200


def test_a_disabled_account_loses_its_sso_sign_in_and_gets_no_new_one(
    app, client, sso_provider, oidc_provider, demo_people
):
    from helpdesk.admin import service as admin

    provider = sso_provider()
    oidc_provider.sign_in_as("erik.first@vendor.example")
    assert round_trip(client, provider).status_code == 302
    assert client.get("/queue").status_code == 200
    erik = demo_people["erik.first"]
    with app.app_context():
        values = {name: getattr(erik, name) for name in admin.AGENT_FIELDS}
        admin.update_agent(demo_people["ada.admin"], erik, {**values, "active": False})
    assert client.get("/queue").status_code == 302

    other = app.test_client()
    page = refusal(other, round_trip(other, provider))
    assert "This account may not sign in." in page
    assert other.get("/queue").status_code == 302
    with app.app_context():
        assert not SignIn.select().where(SignIn.revoked_at.is_null()).exists()
