"""The API's pages in a real browser: the description page shows every operation, at 390 px
too, and its anchors lead to them; a token is made and shown once; a sign-in link opens with
one click; an admin registers and pauses a webhook without JavaScript."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.api import sign_in_links
from helpdesk.web import external_url
from tests.browser.conftest import unexpected_problems

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_description_page_shows_every_operation(page, live_server, width):
    described = live_server.app.test_client().get("/api/v1/openapi.json").get_json()
    count = sum(len(methods) for methods in described["paths"].values())
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator("article.api-operation")).to_have_count(count)
    page.locator(".api-toc").get_by_role("link", name="PATCH /api/v1/cases/{call_id}").click()
    expect(page).to_have_url(f"{live_server.url}/api/v1/docs#change_fields")
    expect(page.locator("#change_fields")).to_be_in_viewport()
    page.get_by_role("link", name="Fields", exact=True).first.click()
    expect(page.locator("#schema-Fields")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("window.__cspViolations") == []
    assert page.problems == []


def test_a_token_is_made_and_shown_once(page, live_server, sign_in):
    sign_in(page)
    page.goto(f"{live_server.url}/account/tokens")
    page.get_by_label("Name").fill("Our ERP")
    page.get_by_label("Write cases").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"hd_[\w-]{40,}", token)
    expect(page.locator("table")).to_contain_text("Our ERP")
    page.goto(f"{live_server.url}/account/tokens")
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()
    assert page.problems == []


def test_a_sign_in_link_opens_the_page_with_one_click(page, live_server):
    app = live_server.app
    with app.test_request_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        mia = User.get(User.email == "mia.member@muster.example")
        secret, _token = sign_in_links.create(admin, mia)
        url = external_url("sign_in_link.open_link", secret=secret, next="/cases")
    path = urlsplit(url)._replace(scheme="", netloc="").geturl()
    page.goto(live_server.url + path)
    expect(page).to_have_url(f"{live_server.url}/cases")
    expect(page.locator("header .who")).to_have_text("Mia Member")
    assert page.problems == []


def test_an_admin_registers_a_webhook_without_javascript(page_nojs, live_server, sign_in):
    sign_in(page_nojs, email="ada.admin@vendor.example")
    page_nojs.goto(f"{live_server.url}/admin/webhooks")
    page_nojs.get_by_label("Address").fill("http://127.0.0.1:9/hook")
    page_nojs.get_by_label("Case opened").check()
    page_nojs.get_by_role("button", name="Register webhook").click()
    expect(page_nojs.locator(".error").first).to_contain_text("loopback")
    page_nojs.get_by_label("Address").fill("https://hooks.example.com/hook")
    page_nojs.get_by_label("Allowed internal host").fill("hooks.example.com")
    page_nojs.get_by_role("button", name="Register webhook").click()
    secret = page_nojs.locator("#webhook-secret").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    page_nojs.get_by_role("button", name="Pause").click()
    expect(page_nojs.locator("table")).to_contain_text("paused")
    assert secret not in page_nojs.content()
    page_nojs.get_by_role("link", name="https://hooks.example.com/hook").click()
    expect(page_nojs.locator("h1")).to_have_text("Deliveries of a webhook")
    assert unexpected_problems(page_nojs, 422) == []  # the refused loopback address
