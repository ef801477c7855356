"""The case list in Chromium: htmx filters swap the table, the URL follows, no CSP trouble."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PORTAL = "paula.portal@muster.example"


@pytest.fixture
def cases(live_server):
    from helpdesk.accounts.models import User
    from helpdesk.cases import service
    from helpdesk.products.models import Product

    with live_server.app.app_context():
        paula = User.get(User.email == PORTAL)
        product = Product.select().first()
        made = []
        for subject, severity in [
            ("Printer jammed", "normal"),
            ("Server down", "critical"),
            ("Typo on invoice", "low"),
        ] + [(f"Filler case {n}", "normal") for n in range(27)]:
            made.append(
                service.open_case(
                    service.NewCase(
                        requester=paula,
                        product=product,
                        subject=subject,
                        description="Something is wrong.",
                        case_type="fault",
                        severity=severity,
                        impact="Everyone" if severity == "critical" else None,
                    )
                )
            )
        return made


def test_filters_swap_the_table_and_push_the_url(page, live_server, sign_in, cases, tmp_path):
    sign_in(page, email=PORTAL)
    page.goto(f"{live_server.url}/cases")
    expect(page.locator("#case-table tbody tr")).to_have_count(25)
    page.evaluate("window.sameDocument = true")

    page.locator("#case-severity").select_option("critical")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"severity=critical"))
    assert page.evaluate("window.sameDocument") is True

    page.locator("#case-severity").select_option("")
    page.locator("#case-q").fill("Printer")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text("Printer jammed")
    expect(page).to_have_url(re.compile(r"q=Printer"))

    page.locator("#case-q").fill("")
    expect(page.locator("#case-table tbody tr")).to_have_count(25)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#case-table tbody tr")).to_have_count(5)
    expect(page).to_have_url(re.compile(r"page=2"))

    page.get_by_role("link", name="Status").click()
    expect(page).to_have_url(re.compile(r"sort=status"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"page=2"))
    page.reload()
    expect(page.locator("#case-table tbody tr")).to_have_count(5)

    page.get_by_text("Choose columns").click()
    page.locator("input[name=columns][value=product]").check()
    page.get_by_role("button", name="Save columns").click()
    expect(page.locator("#case-table th", has_text="Product")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"page=2"))
    assert page.evaluate("window.__cspViolations") == []
    assert page.problems == []
    page.screenshot(path=tmp_path / "case-list.png", full_page=True)


def test_list_without_javascript(page_nojs, live_server, sign_in, cases, tmp_path):
    page = page_nojs
    sign_in(page, email=PORTAL)
    page.goto(f"{live_server.url}/cases")
    page.locator("#case-severity").select_option("critical")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"severity=critical"))
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    page.get_by_text("Choose columns").click()
    page.locator("input[name=columns][value=created]").check()
    page.get_by_role("button", name="Save columns").click()
    expect(page.locator("#case-table th", has_text="Created")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"severity=critical"))
    page.screenshot(path=tmp_path / "case-list-nojs.png", full_page=True)


def test_agent_queue_and_start_page(page, live_server, sign_in, cases, tmp_path):
    sign_in(page, email="erik.first@vendor.example")
    expect(page).to_have_url(f"{live_server.url}/agent")
    page.screenshot(path=tmp_path / "agent-start.png", full_page=True)
    page.get_by_role("link", name=re.compile("All open")).click()
    expect(page.locator("#case-table tbody tr")).to_have_count(25)
    assert page.evaluate("window.__cspViolations") == []
    assert page.problems == []
    page.screenshot(path=tmp_path / "agent-queue.png", full_page=True)
