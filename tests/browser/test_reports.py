"""A manager sees the dashboard's pictures in the browser, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MANAGER = "tom.third@vendor.example"


def test_the_dashboard_draws_pictures_and_filters_with_htmx(
    page, live_server, sign_in, open_case, tmp_path
):
    open_case("mia.member", channel="mail")
    sign_in(page, email=MANAGER)
    page.locator("nav summary", has_text="Reports").click()  # the Reports menu
    page.locator("nav a", has_text="Overview").first.click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    pictures = page.locator("svg[role=img]")
    assert pictures.count() >= 10
    box = pictures.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 80  # really drawn
    page.locator("#figure-channels summary").click()
    expect(page.locator("#figure-channels table")).to_be_visible()
    # the filter form goes through htmx and the address follows it
    page.locator("#report-start").fill("2026-01-01")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"start=2026-01-01"))
    page.screenshot(path=tmp_path / "portal-reports.png", full_page=True)
    assert page.problems == []


def test_the_dashboard_works_without_javascript(page_nojs, live_server, sign_in):
    sign_in(page_nojs, email=MANAGER)
    page_nojs.goto(f"{live_server.url}/reports/?start=2026-01-01&end=2026-01-31")
    assert page_nojs.locator("svg[role=img]").count() >= 10
    page_nojs.get_by_role("link", name="Printable page").click()
    expect(page_nojs.locator("details[open]").first).to_be_visible()
