"""The admin's sign-in provider pages: add, change, test the connection."""

from helpdesk.audit import AuditLog
from helpdesk.identity import crypto
from helpdesk.identity.models import SignInProvider

FORM = {
    "name": "Contoso",
    "issuer": "",
    "client_id": "portal",
    "client_secret": "provider-secret",
    "user_claim": "email",
    "allowed_domains": "Vendor.example, @other.example",
    "agents_from": "",
    "active": "y",
}


def test_an_admin_adds_tests_and_changes_a_provider(app, admin_client, oidc_provider):
    response = admin_client.post(
        "/admin/sign-in-providers", data={**FORM, "issuer": oidc_provider.issuer}
    )
    assert response.status_code == 302
    with app.app_context():
        provider = SignInProvider.get()
        assert provider.allowed_domains == "other.example vendor.example"
        assert crypto.decrypt(provider.client_secret) == "provider-secret"
        logged = AuditLog.get(AuditLog.action == "sign_in_provider.created")
        assert "provider-secret" not in (logged.after or "")
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "/sign-in/sso/callback" in page  # the redirect URI to register
    assert "provider-secret" not in page and provider.client_secret not in page
    tested = admin_client.post(f"/admin/sign-in-providers/{provider.id}/test")
    assert "Test passed" in tested.get_data(as_text=True)
    # A new name without a new secret keeps the stored secret.
    changed = {**FORM, "issuer": oidc_provider.issuer, "name": "Contoso ID", "client_secret": ""}
    assert (
        admin_client.post(f"/admin/sign-in-providers/{provider.id}", data=changed).status_code
        == 302
    )
    with app.app_context():
        provider = SignInProvider.get()
        assert provider.name == "Contoso ID"
        assert crypto.decrypt(provider.client_secret) == "provider-secret"
        assert AuditLog.get(AuditLog.action == "sign_in_provider.updated").after_values == {
            "name": "Contoso ID"
        }


def test_the_test_says_what_failed(app, admin_client, oidc_provider):
    admin_client.post("/admin/sign-in-providers", data={**FORM, "issuer": "http://127.0.0.1:9"})
    with app.app_context():
        provider = SignInProvider.get()
    page = admin_client.post(f"/admin/sign-in-providers/{provider.id}/test").get_data(as_text=True)
    assert "Test failed" in page and "cannot be reached just now" in page


def test_a_half_filled_form_keeps_what_was_typed(app, admin_client):
    response = admin_client.post(
        "/admin/sign-in-providers",
        data={**FORM, "issuer": "not a url", "client_secret": "", "allowed_domains": "a b;c"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please give the client secret." in page
    assert 'value="Contoso"' in page
    response = admin_client.post(
        "/admin/sign-in-providers", data={**FORM, "issuer": "not a url", "allowed_domains": "a;b"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A web address starting with https://." in page
    assert "Mail domains such as example.com" in page
    with app.app_context():
        assert not SignInProvider.select().exists()


def test_a_provider_is_reached_over_https(app, admin_client):
    response = admin_client.post(
        "/admin/sign-in-providers", data={**FORM, "issuer": "http://idp.example.com"}
    )
    assert response.status_code == 422
    assert "A web address starting with https://." in response.get_data(as_text=True)


def test_the_sign_in_page_offers_the_providers(client, sso_provider):
    sso_provider(name="Contoso ID")
    sso_provider(name="Switched off", active=False)
    page = client.get("/sign-in/sso").get_data(as_text=True)
    assert "Sign in with Contoso ID" in page
    assert "Switched off" not in page
    assert "Sign in with Contoso ID" in client.get("/sign-in").get_data(as_text=True)


def test_the_issuer_hint_shows_its_placeholder(admin_client):
    # A lazy string counts as markup: unescaped, "<tenant id>" would vanish as a tag.
    page = admin_client.get("/admin/sign-in-providers").get_data(as_text=True)
    assert "https://login.microsoftonline.com/&lt;tenant id&gt;/v2.0" in page
