"""Personal access tokens (issue 18): made in the profile, shown once, stored hashed, listed
with their last use, revocable by their owner and their organisation's portal admin."""

import re
from datetime import timedelta

from helpdesk.accounts.models import User
from helpdesk.api import tokens
from helpdesk.api.models import ApiToken
from helpdesk.timeutil import utcnow
from tests.api.conftest import audit_rows


def in_days(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def create(client, **fields):
    data = {"name": "ERP", "expires_on": in_days(30), "scopes": ["cases:read"]} | fields
    return client.post("/account/tokens", data=data)


def test_a_token_is_shown_once_and_stored_hashed(app, customer_client):
    page = create(customer_client, scopes=["cases:read", "cases:write"])
    assert page.status_code == 201
    secret = re.search(r'<code id="new-token">(hd_[\w-]+)</code>', page.get_data(as_text=True))[1]
    with app.app_context():
        token = ApiToken.get()
        assert token.hash == tokens.digest(secret) and secret not in token.hash
        assert token.scope_names == ("cases:read", "cases:write")
        assert token.name == "ERP"
    again = customer_client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and secret[:10] in again and "ERP" in again
    [row] = audit_rows(app, "api_token.created")
    assert row.actor_id == token.user_id and secret not in (row.after or "")


def test_bad_input_keeps_what_was_typed_and_says_why_in_german(app, demo_people):
    with app.app_context():
        User.update(language="de").where(User.id == demo_people["mia.member"].id).execute()
    client = app.test_client().sign_in_as(demo_people["mia.member"])
    page = create(client, name="Mein ERP", expires_on=in_days(-1), scopes=["admin"])
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'value="Mein ERP"' in text
    assert "Das Token läuft nach heute und innerhalb von 366 Tagen ab." in text
    with app.app_context():
        assert ApiToken.select().count() == 0


def test_a_customer_cannot_give_a_token_the_admin_scope(app, customer_client, admin_client):
    refused = create(customer_client, scopes=["cases:read", "admin"])
    assert refused.status_code == 422
    assert "at least one of the offered scopes" in refused.get_data(as_text=True)
    assert 'value="admin"' not in customer_client.get("/account/tokens").get_data(as_text=True)
    assert create(admin_client, scopes=["admin"]).status_code == 201


def test_the_owner_revokes_a_token_and_it_is_audited(app, people, customer_client, make_token):
    make_token(people["mia.member"])
    with app.app_context():
        token = ApiToken.get()
    answer = customer_client.post(f"/account/tokens/{token.id}/revoke")
    assert answer.status_code == 303
    with app.app_context():
        assert ApiToken.get_by_id(token.id).revoked_at is not None
    assert "revoked" in customer_client.get("/account/tokens").get_data(as_text=True)
    [row] = audit_rows(app, "api_token.revoked")
    assert row.organisation_id == people["mia.member"].organisation_id


def test_the_portal_admin_sees_and_revokes_their_peoples_tokens(
    app, people, portal_admin_client, foreigner, make_token
):
    make_token(people["mia.member"])
    make_token(foreigner)
    with app.app_context():
        mine, foreign = ApiToken.select().order_by(ApiToken.id)
    page = portal_admin_client.get("/organisation/tokens").get_data(as_text=True)
    assert "Mia" in page and "Fritz" not in page
    assert portal_admin_client.post(f"/account/tokens/{foreign.id}/revoke").status_code == 404
    answer = portal_admin_client.post(
        f"/account/tokens/{mine.id}/revoke", data={"back": "organisation"}
    )
    assert answer.status_code == 303 and answer.location.endswith("/organisation/tokens")
    with app.app_context():
        assert ApiToken.get_by_id(mine.id).revoked_at is not None
        assert ApiToken.get_by_id(foreign.id).revoked_at is None


def test_a_colleague_cannot_revoke_anothers_token(app, people, make_token):
    make_token(people["paula.portal"])
    client = app.test_client().sign_in_as(people["mia.member"])
    with app.app_context():
        token = ApiToken.get()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
