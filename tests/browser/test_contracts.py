"""Seed 004's customer in Chromium, in German, with and without JavaScript (DOC-3): the
"Contracts and documents" area shows the support units left, and this month's time statement
groups the records by call id with free fix and billable time, downloadable as a PDF."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from helpdesk.contracts import billing, service
from helpdesk.testing.cases import open_case, person
from tests.browser.conftest import open_page
from tests.browser.test_screens import _sign_in
from tests.contracts.conftest import text_of

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "paula.portal@muster.example"


@pytest.fixture
def recorded(live_server):
    """Seed 004's customer with a units contract, an error fixed free and billable help."""
    with live_server.app.app_context():
        erik = person("erik.first")
        service.add_contract(
            erik,
            person("mia.member").organisation,
            kind="units",
            title="Supportpaket 10",
            starts_on=date.today() - timedelta(days=10),
            units_bought=10,
        )
        error = open_case("mia.member", case_type="error", subject="Absturz beim Drucken")
        help_case = open_case("mia.member", case_type="help", subject="Einrichtung Drucker")
        billing.record_time(erik, error, minutes=20, activity="Fehler behoben")
        billing.record_time(erik, help_case, minutes=90, activity="Telefonat")
        return error.call_id, help_case.call_id


@pytest.mark.parametrize("live_server", ["small_vendor"], indirect=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_seed_004_customer_reads_units_and_the_statement_in_german(
    browser, live_server, recorded, javascript
):
    error, help_case = recorded
    context, page = open_page(browser, java_script_enabled=javascript)
    try:
        _sign_in(page, live_server.url, ADMIN_EMAIL, "de")
        page.get_by_role("link", name="Dokumente", exact=True).first.click()
        units = page.locator(".units-balance", has_text="Supportpaket 10")
        expect(units.locator(".units-left")).to_have_text("8.50")  # 90 billable minutes
        page.locator("section[aria-labelledby='statements-title'] a").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Zeitnachweis")
        groups = page.locator("tbody.statement-case")
        expect(groups).to_have_count(2)
        expect(groups.nth(0).locator("th")).to_contain_text(error)
        expect(groups.nth(0)).to_contain_text("kostenlose Fehlerbehebung")
        expect(groups.nth(1).locator("th")).to_contain_text(help_case)
        expect(groups.nth(1)).to_contain_text("kostenpflichtig")
        expect(page.locator("#statement-total")).to_contain_text(
            "Kostenlos: 0:20 · kostenpflichtig: 1:30"
        )
        with page.expect_download() as statement:
            page.get_by_role("link", name="Als PDF herunterladen").click()
        text = text_of(statement.value.path().read_bytes())
        assert error in text and help_case in text
        page.goto(f"{live_server.url}/organisation/development")  # in the Organisation menu
        expect(page.get_by_role("heading", level=1)).to_have_text("Entwicklungsprojekte")
    finally:
        context.close()
