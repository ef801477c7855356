"""The heart of the portal end to end in Chromium, two people in two browsers:
the customer opens a case with a screenshot, the agent answers through htmx and asks for
something, the customer sees the answer and what support waits for, and answers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page, unexpected_problems

pytestmark = pytest.mark.browser

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_customer_opens_agent_answers_customer_sees_waiting_banner(
    browser, page, live_server, sign_in
):
    # The customer opens a case with an attachment through the form.
    sign_in(page)
    main = page.get_by_role("navigation", name="Main")
    main.get_by_text("Cases", exact=True).click()  # the folded menu opens, without JavaScript
    main.get_by_role("link", name="New case").click()
    page.locator("#case_type").select_option("fault")
    page.locator("input[name=severity][value=normal]").check()
    page.locator("#subject").fill("Invoices do not print")
    page.locator("#description").fill("Since the update the invoice run stops.")
    page.set_input_files(
        "input[type=file]", files=[{"name": "screen.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d{4}-\d{5}$"))
    call_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".flash")).to_contain_text(call_id)
    expect(page.get_by_role("link", name="screen.png")).to_be_visible()

    # The agent, in a browser of their own, answers and asks for the log through htmx.
    agent_context, agent = open_page(browser)
    try:
        sign_in(agent, email="erik.first@vendor.example")
        agent.goto(f"{live_server.url}/cases/{call_id}")
        expect(agent.get_by_role("link", name="screen.png")).to_be_visible()
        agent.evaluate("window.sameDocument = true")
        agent.get_by_label("Message").fill("Please send us the log file of the invoice run.")
        agent.get_by_role("button", name="Send reply to the customer").click()
        expect(agent.locator(".entry-message")).to_contain_text("Please send us the log file")
        agent.get_by_label(re.compile("What do you need from the customer")).fill(
            "the log file of Monday"
        )
        agent.locator("#prop-status").select_option("waiting")  # saved at once by htmx
        expect(agent.locator(".banner.waiting")).to_contain_text("the log file of Monday")
        assert agent.evaluate("window.sameDocument") is True  # no page was reloaded
        assert agent.evaluate("window.__cspViolations") == []
        assert agent.problems == []
    finally:
        agent_context.close()

    # The customer sees the answer and what support waits for, and answers.
    page.reload()
    expect(page.locator(".entry-message")).to_contain_text("Please send us the log file")
    banner = page.locator(".banner.waiting")
    expect(banner).to_contain_text("Waiting for you")
    expect(banner).to_contain_text("the log file of Monday")
    page.get_by_label("Message").fill("Here it is.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".entry-message").last).to_contain_text("Here it is.")
    expect(page.locator(".banner.waiting")).to_have_count(0)  # the ball is back with support
    assert page.evaluate("window.__cspViolations") == []
    assert unexpected_problems(page, 422) == []
