"""The portal admin's user management in Chromium: with JavaScript the role change swaps only
the person's row (htmx); without it the same forms post and come back to the list."""

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "paula.portal@muster.example"


def stored(live_server, email):
    with live_server.app.app_context():
        return User.get(User.email == email)


def change_and_disable(page, live_server, sign_in):
    sign_in(page, email=ADMIN_EMAIL)
    main = page.get_by_role("navigation", name="Main")
    main.get_by_text("Organisation", exact=True).first.click()  # the menu opens
    main.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users of Muster GmbH")).to_be_visible()

    mia = page.locator("tr", has_text="mia.member@muster.example")
    mia.get_by_label("Role").select_option("main_contact")
    mia.get_by_label("Information recipient").check()
    mia.get_by_role("button", name="Save").click()
    expect(
        page.locator("tr", has_text="mia.member@muster.example").get_by_label("Role")
    ).to_have_value("main_contact")

    alma = page.locator("tr", has_text="alma.admin@muster.example")
    alma.get_by_role("button", name="Disable").click()
    alma = page.locator("tr", has_text="alma.admin@muster.example")
    expect(alma.get_by_role("button", name="Enable")).to_be_visible()

    mia = stored(live_server, "mia.member@muster.example")
    assert mia.customer_role == "main_contact" and mia.information_recipient
    assert not stored(live_server, "alma.admin@muster.example").active


def test_with_javascript_rows_change_in_place(page, live_server, sign_in):
    change_and_disable(page, live_server, sign_in)
    # htmx swapped rows: no navigation happened, so no flash message appeared.
    expect(page.locator(".flash")).to_have_count(0)
    paula = page.locator("tr", has_text=ADMIN_EMAIL)
    paula.get_by_role("button", name="Disable").click()
    expect(page.locator("tr", has_text=ADMIN_EMAIL).get_by_role("alert")).to_contain_text(
        "at least one active portal admin"
    )
    assert stored(live_server, ADMIN_EMAIL).active
    assert [p for p in page.problems if "status of 422" not in p] == []
    assert page.evaluate("window.__cspViolations") == []


def test_without_javascript_the_forms_post(page_nojs, live_server, sign_in):
    change_and_disable(page_nojs, live_server, sign_in)
    expect(page_nojs.locator(".flash").first).to_contain_text("Saved.")
