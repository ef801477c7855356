"""The AVV round trip in Chromium (DOC-2, seed 001): the portal admin sees the warning on the
new-ticket form, gets the blank made out to Muster GmbH, uploads it signed; an agent uploads
the countersigned version; the portal admin then finds it in place of the blank."""

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.contracts import agreement
from tests.contracts.conftest import pdf, text_of

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "paula.portal@muster.example"
AGENT_EMAIL = "erik.first@vendor.example"


@pytest.mark.parametrize("live_server", ["erp_portal"], indirect=True)
def test_avv_round_trip(browser, page, live_server, sign_in, tmp_path):
    with live_server.app.app_context():
        vendor_admin = User.get(User.email == "ada.admin@vendor.example")
        agreement.upload_template(vendor_admin, "avv.pdf", pdf("AVV Vertragstext"))
    sign_in(page, email=ADMIN_EMAIL)
    page.goto(f"{live_server.url}/cases/new")
    expect(page.locator(".contract-notice")).to_contain_text("online support is not lawful")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    page.get_by_role("button", name="Get the agreement to sign").click()
    with page.expect_download() as blank:
        page.get_by_role("link", name="The blank agreement to sign").click()
    assert "Muster GmbH" in text_of(blank.value.path().read_bytes())

    signed = tmp_path / "signed.pdf"
    signed.write_bytes(pdf("Unterschrieben von Muster GmbH"))
    page.get_by_label("The signed copy (PDF)").set_input_files(str(signed))
    page.get_by_role("button", name="Upload the signed copy").click()
    expect(page.locator("#agreement-state")).to_contain_text("Signed copy received")

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    try:
        sign_in(agent, email=AGENT_EMAIL)
        agent.goto(page.url)
        countersigned = tmp_path / "countersigned.pdf"
        countersigned.write_bytes(pdf("Gegengezeichnet"))
        agent.get_by_label("The countersigned version (PDF)").set_input_files(str(countersigned))
        agent.get_by_role("button", name="Upload the countersigned version").click()
        expect(agent.locator("#agreement-state")).to_contain_text("Countersigned")
    finally:
        agent_context.close()

    page.reload()
    expect(page.get_by_role("link", name="The countersigned agreement")).to_be_visible()
    expect(page.get_by_role("link", name="The blank agreement to sign")).to_have_count(0)
    page.goto(f"{live_server.url}/cases/new")
    expect(page.locator(".contract-notice")).to_have_count(0)
