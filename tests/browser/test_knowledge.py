"""A customer finds an answer while writing a case (KB-3), with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Deflection, State

pytestmark = pytest.mark.browser


def publish_answer(app) -> int:
    with app.app_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        category = service.ensure_category("howto", "Anleitungen", "How-tos")
        article = service.create_article(
            admin,
            {
                "category": category.id,
                "audience": "customers",
                "title_de": "Druckertreiber neu installieren",
                "title_en": "Reinstalling the printer driver",
                "body_de": "Laden Sie den **Treiber** neu.",
                "body_en": "Load the **driver** again.",
            },
        )
        service.set_state(admin, article, State.PUBLISHED)
        return article.id


def test_suggestions_while_typing_and_this_solved_my_problem(page, live_server, sign_in):
    article_id = publish_answer(live_server.app)
    sign_in(page)
    page.goto(f"{live_server.url}/cases/new")
    page.wait_for_function("() => typeof htmx === 'object'")
    page.get_by_label("Subject").press_sequentially("printer driver", delay=20)
    suggestion = page.locator("#suggestions a", has_text="Reinstalling the printer driver")
    expect(suggestion).to_be_visible()
    with page.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    expect(article.get_by_role("heading", name="Reinstalling the printer driver")).to_be_visible()
    expect(article.locator(".article-body strong")).to_have_text("driver")
    # "Still need help": the form is still there in its own tab, as typed.
    expect(page.get_by_label("Subject")).to_have_value("printer driver")
    article.get_by_role("button", name="This solved my problem").click()
    expect(article.locator(".flash")).to_contain_text("No case was opened")
    with live_server.app.app_context():
        assert Deflection.select().where(Deflection.article == article_id).count() == 1
        assert Case.select().count() == 0
    assert page.problems == []


def test_without_javascript_the_button_shows_suggestions_and_keeps_the_form(
    page_nojs, live_server, sign_in
):
    publish_answer(live_server.app)
    page = page_nojs
    sign_in(page)
    page.goto(f"{live_server.url}/cases/new")
    page.get_by_label("Subject").fill("Printer driver broken")
    page.get_by_label("Description").fill("Since the update nothing prints.")
    page.get_by_role("button", name="Search the knowledge base").click()
    expect(
        page.locator("#suggestions a", has_text="Reinstalling the printer driver")
    ).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value("Printer driver broken")
    expect(page.get_by_label("Description")).to_have_value("Since the update nothing prints.")
    with live_server.app.app_context():
        assert Case.select().count() == 0
