"""The case page in Chromium: agents act through htmx without reloads; customers without JS."""

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.products.models import Product
from tests.browser.conftest import unexpected_problems

pytestmark = pytest.mark.browser


def _case(app):
    with app.app_context():
        mia = User.get(User.email == "mia.member@muster.example")
        return service.open_case(
            service.NewCase(
                requester=mia,
                product=Product.select().first(),
                subject="Printer",
                description="Line one\nLine two",
                case_type="fault",
                severity="normal",
            )
        ).call_id


#: True once htmx has no request in flight and nothing left to swap or settle.
HTMX_IDLE = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def test_agent_actions_with_htmx(page, live_server, sign_in, tmp_path):
    call_id = _case(live_server.app)
    sign_in(page, email="erik.first@vendor.example")
    page.goto(f"{live_server.url}/cases/{call_id}")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Message").fill("Internal thought")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator(".entry-note")).to_contain_text("Internal thought")
    page.get_by_label("Message").fill("Public reply")
    page.get_by_role("button", name="Send reply to the customer").click()
    expect(page.locator(".entry-message")).to_contain_text("Public reply")
    # the properties panel saves each change through htmx: a text left changes nothing yet
    page.locator("#prop-reason").fill("prod down")
    page.locator("#prop-severity").select_option("critical")
    expect(page.locator(".timeline")).to_contain_text("changed Severity from Normal to Critical")
    expect(page.locator("#prop-severity")).to_have_value("critical")
    # the panel was swapped in: a choice made before htmx has settled it would go unheard
    page.wait_for_function(HTMX_IDLE)
    # a waiting status without the words for the customer is refused, then saved with them
    page.locator("#prop-status").select_option("waiting")
    expect(page.locator("#properties-problems")).to_contain_text("what exactly you need")
    page.locator("#prop-waiting_for").fill("the log")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".banner.waiting")).to_contain_text("the log")
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".timeline")).to_contain_text("Erik First took the case")
    # an error: empty message
    page.get_by_label("Message").fill("")
    page.get_by_role("button", name="Send reply to the customer").click()
    expect(page.locator("#message-problems")).to_contain_text("Please write a message")
    # a refused file keeps the text
    page.get_by_label("Message").fill("text kept")
    page.set_input_files(
        "#message-files",
        files=[
            {
                "name": "bad.exe",
                "mimeType": "application/octet-stream",
                "buffer": b"MZ\x90\x00" + b"\x00" * 64,
            },
            {"name": "ok.txt", "mimeType": "text/plain", "buffer": b"hello\n"},
        ],
    )
    page.get_by_role("button", name="Send reply to the customer").click()
    expect(page.locator("#message-problems")).to_contain_text("bad.exe")
    expect(page.get_by_label("Message")).to_have_value("text kept")
    page.get_by_role("button", name="Send reply to the customer").click()
    expect(page.locator(".entry-message").last).to_contain_text("text kept")
    expect(page.locator(".entry-message").last).to_contain_text("ok.txt")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=tmp_path / "case-agent.png", full_page=True)
    assert page.evaluate("window.__cspViolations") == []
    assert unexpected_problems(page, 422) == []


def test_customer_without_js(page_nojs, live_server, sign_in, tmp_path):
    page = page_nojs
    call_id = _case(live_server.app)
    sign_in(page)
    page.goto(f"{live_server.url}/cases/{call_id}")
    page.get_by_label("Message").fill("Added info")
    page.set_input_files(
        "#message-files",
        files=[{"name": "Prüf „x“.txt", "mimeType": "text/plain", "buffer": b"hello\n"}],
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash")).to_contain_text("The message was sent.")
    expect(page.locator(".entry-message")).to_contain_text("Added info")
    with page.expect_download() as download:
        page.get_by_role("link", name="Prüf „x“.txt").click()
    assert download.value.suggested_filename == "Prüf „x“.txt"
    page.get_by_role("button", name="Follow this case").click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    page.screenshot(path=tmp_path / "case-customer.png", full_page=True)


def test_agent_on_a_phone_sees_the_clock_first_and_goes_on_with_a_key(
    page_nojs, live_server, sign_in
):
    """At 390 px the response clock is above the reply box, the team is in the properties
    panel, and the access keys work without JavaScript: Alt+N adds the typed text as a note,
    Alt+J opens the next case of the agent's queue."""
    page = page_nojs
    first, second = _case(live_server.app), _case(live_server.app)
    with live_server.app.app_context():
        erik = User.get(User.email == "erik.first@vendor.example")
        for call_id in (first, second):
            service.assign(Case.get(Case.call_id == call_id), erik, erik)
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, email="erik.first@vendor.example")
    page.goto(f"{live_server.url}/cases/{first}")
    clock = page.get_by_role("heading", name="Response time").bounding_box()
    reply = page.get_by_label("Message").bounding_box()
    assert clock["y"] < reply["y"] and clock["y"] < 800
    expect(page.locator(".agent-actions").get_by_label("Team")).to_be_visible()
    page.get_by_label("Message").fill("Checked the logs by key.")
    press_access_key(page, "n")
    expect(page.locator(".timeline")).to_contain_text("Checked the logs by key.")
    press_access_key(page, "j")
    expect(page).to_have_url(f"{live_server.url}/cases/{second}")
    press_access_key(page, "j")
    expect(page).to_have_url(f"{live_server.url}/cases/{first}")


def press_access_key(page, key: str) -> None:
    """Alt+``key`` as Chromium on Linux takes an access key. Playwright's ``keyboard.press``
    drops the key's text when Alt is held, and Chromium looks for access keys only in a key
    event with text, so the key goes through the DevTools protocol with its text (and the
    unmodified text Chromium matches), marked as a system key as the window system marks
    Alt+key (else a focused text box takes the letter)."""
    session = page.context.new_cdp_session(page)
    code = {"key": key, "code": f"Key{key.upper()}", "windowsVirtualKeyCode": ord(key.upper())}
    down = {"type": "keyDown", "modifiers": 1, "text": key, "unmodifiedText": key}
    down["isSystemKey"] = True
    session.send("Input.dispatchKeyEvent", {**down, **code})
    session.send("Input.dispatchKeyEvent", {"type": "keyUp", "modifiers": 1, **code})
    session.detach()
