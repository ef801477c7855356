import pytest


@pytest.fixture
def sso_provider(app, demo_people, oidc_provider):
    """``sso_provider(**values)``: a sign-in provider row for the test provider, made
    through the admin's service (vendor.example may sign in)."""
    from helpdesk.identity import service

    def make(**values):
        settings = {
            "name": "Test ID",
            "issuer": oidc_provider.issuer,
            "client_id": oidc_provider.client_id,
            "allowed_domains": "vendor.example",
            "user_claim": "email",
            "agents_from": "",
            "customers": False,
            "emails_verified": False,
            "trust_mfa": False,
            "active": True,
            **values,
        }
        with app.app_context():
            return service.create_provider(
                demo_people["ada.admin"], settings, oidc_provider.client_secret
            )

    return make
