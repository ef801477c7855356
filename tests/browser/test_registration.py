"""Registration with confirmation in a real browser: the form, the mail from the real SMTP
server, the confirmation page's button, then signing in."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMAIL = "kerstin.neu@muster.example"
PASSWORD = "glimmering-otter-42"


@pytest.fixture
def make_app(make_app, smtp_server):
    """The live server's app sends its mail to the test SMTP server."""
    return lambda *plugins, **config: make_app(*plugins, **{**smtp_server.settings, **config})


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_register_confirm_and_sign_in(request, javascript, live_server, smtp_server, sign_in):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    expect(page.get_by_text("At least 12 characters")).to_be_visible()

    page.get_by_label("Your name").fill("Kerstin Neu")
    page.get_by_label("Your personal work address").fill(EMAIL)
    page.get_by_label("New password").fill("hallo12345")
    page.get_by_label("Repeat the password").fill("hallo12345")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("This password is on a list of well-known passwords.")).to_be_visible()
    expect(page.get_by_label("Your personal work address")).to_have_value(EMAIL)

    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")

    [mail] = [m for m in smtp_server.messages if EMAIL in m["To"]]
    [url] = re.findall(r"http://localhost:5000/\S+", mail.get_body(("plain",)).get_content())
    page.goto(live_server.url + urlsplit(url).path)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Address confirmed")
    expect(page.get_by_text("You joined Muster GmbH.")).to_be_visible()

    sign_in(page, email=EMAIL, password=PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Kerstin Neu")
    assert [p for p in page.problems if "status of 422" not in p] == []
