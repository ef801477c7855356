"""Single sign-on in Chromium: the redirect round trip to the test provider and back."""

import re

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.identity import service

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_through_the_provider(page, live_server, oidc_provider):
    with live_server.app.app_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        values = {"name": "Test ID", "issuer": oidc_provider.issuer, "client_id": "portal"}
        values |= {"allowed_domains": "vendor.example", "user_claim": "email", "agents_from": ""}
        values |= {"customers": False, "emails_verified": False, "trust_mfa": False}
        service.create_provider(admin, values | {"active": True}, oidc_provider.client_secret)
    oidc_provider.sign_in_as("erik.first@vendor.example")

    page.goto(f"{live_server.url}/sign-in")
    # The button is on the sign-in page itself; not boosted, and the page's CSP lets its
    # form go on to the provider.
    with page.expect_request(re.compile(re.escape(oidc_provider.issuer) + "/authorize")):
        page.get_by_role("button", name="Sign in with Test ID").click()
    expect(page).to_have_url(f"{live_server.url}/agent")
    expect(page.locator("header .who")).to_have_text("Erik First")
    assert page.problems == []
