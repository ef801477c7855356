"""The main pages of each role at a desk's and a phone's width, in both languages: nothing
scrolls sideways at 390 px, and the navigation's menus open without JavaScript.

``make screenshots`` runs this module with ``SCREENSHOTS=<folder>``: every page visited is
then also saved as a PNG (``<role>-<page>-<language>-<width>.png``) for a reviewer to look at.
Like every page of the browser tests, each is checked by axe-core and the W3C Nu checker at
both widths (``tests/browser/markup.py``).
"""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import open_page
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LANGUAGES = ("en", "de")

#: Each role's e-mail address (None: not signed in) and the pages to look at (name, path;
#: ``{case}`` is the call id of a case of the demo organisation, ``{organisation}`` that
#: organisation's id). An export asked for leads to its page (every export is prepared by
#: the job here, see ``demo_portal``).
ROLES = {
    "customer": (
        "paula.portal@muster.example",
        [
            ("start", "/"),
            ("cases", "/cases"),
            ("case", "/cases/{case}"),
            ("new", "/cases/new"),
            ("users", "/organisation/users"),
            ("contracts", "/organisations/{organisation}/contracts"),
            ("statement", "/organisations/{organisation}/statement"),
            ("development", "/organisation/development"),
            ("profile", "/account/profile"),
            ("help", "/help"),
            ("search", "/help/search?q=excel"),
            ("export", "/cases/export.csv?status=all"),
        ],
    ),
    "agent": (
        "erik.first@vendor.example",
        [
            ("queue", "/queue"),
            ("case", "/cases/{case}"),
            ("contracts", "/organisations/{organisation}/contracts"),
            ("statement", "/organisations/{organisation}/statement"),
            ("profile", "/account/profile"),
            ("api", "/api/v1/docs"),
            ("export", "/cases/export.xlsx?view=all"),
        ],
    ),
    "admin": (
        "ada.admin@vendor.example",
        [
            ("start", "/"),
            ("agents", "/admin/agents"),
            ("products", "/admin/products"),
            ("calendar", "/admin/calendar"),
            ("outbox", "/admin/outbox"),
            ("settings", "/admin/settings"),
        ],
    ),
    "visitor": (None, [("help", "/help")]),
}


@pytest.fixture
def case_id(live_server):
    from helpdesk.testing.cases import open_case

    with live_server.app.app_context():
        case = open_case(
            "paula.portal",
            subject="Month-end closing stops at the VAT report with a long title",
        )
        return case.call_id


@pytest.fixture
def organisation_id(live_server):
    from helpdesk.testing.cases import person

    with live_server.app.app_context():
        return person("paula.portal").organisation_id


@pytest.fixture
def demo_portal(live_server):
    """The demo's help center written, and every export prepared by the job (its page)."""
    from helpdesk import demo

    with live_server.app.app_context():
        demo.help_center()
    live_server.app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    return live_server


def _sign_in(page, url, email, language):
    page.goto(f"{url}/sign-in")
    if language == "de":
        page.get_by_role("button", name="Deutsch").click()
    if email is None:
        return
    if language == "de":
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
    else:
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/sign-in" not in address)


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_fit_a_phone_in_both_languages(
    browser, demo_portal, case_id, organisation_id, role
):
    email, pages = ROLES[role]
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    too_wide = []
    for language in LANGUAGES:
        # without JavaScript, as every page must work
        context, page = open_page(browser, java_script_enabled=False)
        try:
            _sign_in(page, demo_portal.url, email, language)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for name, path in pages:
                    address = path.format(case=case_id, organisation=organisation_id)
                    response = page.goto(demo_portal.url + address)
                    assert response.status == 200, (role, name, response.status)
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > width:
                        too_wide.append(f"{role} {name} {language} {width}: {scroll} px")
                    if folder:
                        stem = Path(folder) / f"{role}-{name}-{language}-{width}"
                        # a long page (the API description) takes a while on a busy machine
                        page.screenshot(path=f"{stem}.png", full_page=True, timeout=60_000)
        finally:
            context.close()
    assert too_wide == []


def test_menus_open_without_javascript(browser, live_server):
    context, page = open_page(browser, java_script_enabled=False)
    try:
        _sign_in(page, live_server.url, "ada.admin@vendor.example", "en")
        page.set_viewport_size({"width": 390, "height": 800})
        link = page.get_by_role("link", name="Business hours")
        assert not link.is_visible()
        page.get_by_text("Administration", exact=True).click()
        link.click()
        page.wait_for_url("**/admin/calendar")
        page.get_by_text("Ada Admin", exact=True).click()
        assert page.get_by_role("link", name="My profile").is_visible()
        assert page.get_by_role("button", name="Sign out").is_visible()
    finally:
        context.close()


def test_the_filters_show_at_a_desk_and_fold_on_a_phone(browser, live_server):
    context, page = open_page(browser, java_script_enabled=False)
    try:
        _sign_in(page, live_server.url, "paula.portal@muster.example", "en")
        page.goto(f"{live_server.url}/cases")
        search = page.get_by_label("Search", exact=True)
        assert search.is_visible()
        page.set_viewport_size({"width": 390, "height": 800})
        assert not search.is_visible()
        page.get_by_text("Search and filters").click()
        assert search.is_visible()
    finally:
        context.close()
