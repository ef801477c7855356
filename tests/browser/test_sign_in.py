"""Signing in and out through the real form, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CUSTOMER_EMAIL, unexpected_problems

pytestmark = pytest.mark.browser

WRONG = "The e-mail address or the password is not right."


def sign_out_button(page):
    """Sign-out sits in the menu under the person's name: opened first, if closed."""
    menu = page.locator("details.account")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return page.locator("form[action$='/sign-out'] button")


def test_customer_signs_in_switches_to_german_and_signs_out(page, live_server, sign_in):
    sign_in(page)
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Mia Member")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mia Member")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-pressed", "true")
    expect(sign_out_button(page)).to_have_text("Abmelden")
    # The new page is in place (checked above): no need to wait for the attribute.
    assert page.locator("html").get_attribute("lang") == "de"

    sign_out_button(page).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator("header .who")).to_have_count(0)
    assert page.problems == []


def test_customer_signs_in_and_out_with_javascript(page, live_server, sign_in):
    sign_in(page)
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Mia Member")

    sign_out_button(page).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    expect(page.locator("header .who")).to_have_count(0)
    assert page.problems == []


def test_sign_in_language_switch_and_sign_out_without_javascript(page_nojs, live_server, sign_in):
    page = page_nojs
    sign_in(page)
    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("header .who")).to_have_text("Mia Member")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(sign_out_button(page)).to_have_text("Abmelden")

    sign_out_button(page).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator("header .who")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_failed_sign_in_shows_errors_and_keeps_email(
    request, javascript, browser, live_server, sign_in
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    email = page.get_by_label("E-mail address")

    sign_in(page, email="")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator("#email-error")).to_have_text("This field is required.")
    expect(email).to_have_attribute("aria-invalid", "true")

    sign_in(page, password="not-the-password")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("alert")).to_have_text(WRONG)
    expect(email).to_have_value(CUSTOMER_EMAIL)
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.locator("header .who")).to_have_count(0)
    assert unexpected_problems(page, status=422) == []
