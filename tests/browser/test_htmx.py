"""htmx loads, boosted navigation swaps pages, and nothing trips the CSP."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def csp_violations(page):
    return page.evaluate("window.__cspViolations")


def test_boosted_navigation_without_console_errors(page, live_server, sign_in, tmp_path):
    response = page.goto(f"{live_server.url}/sign-in")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.wait_for_function("() => typeof htmx === 'object'")  # the deferred script ran
    page.screenshot(path=tmp_path / "portal-signin.png", full_page=True)

    # Signing in changes the whole document (language, title): a full page load.
    sign_in(page, goto=False)
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Mia Member")
    page.wait_for_function("() => typeof htmx === 'object'")  # the deferred script ran
    page.screenshot(path=tmp_path / "portal-start.png", full_page=True)
    page.evaluate("window.sameDocument = true")
    page.evaluate("document.addEventListener('htmx:afterSettle', () => window.settled = true)")

    # A boosted link: htmx fetches the page and swaps the body; the document stays, so the
    # marker set on window survives.
    with page.expect_request(lambda r: r.headers.get("hx-boosted") == "true") as boosted:
        page.locator("header a.brand").click()
    assert boosted.value.headers.get("hx-request") == "true"
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Mia Member")
    assert page.evaluate("window.sameDocument") is True
    # the swapped body settled: a menu opened before would be replaced, closed, under the click
    page.wait_for_function("() => window.settled === true")

    # Signing out is a full page load again, with the form's CSRF token accepted.
    page.locator("details.account summary").click()  # the menu under the person's name
    page.locator("form[action$='/sign-out'] button").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert page.evaluate("window.sameDocument") is None

    assert csp_violations(page) == []
    assert page.problems == []
