"""A customer finds an answer while writing a case (KB-3), with and without JavaScript, in
one tab: the suggestion opens the article, "still need help" brings the form back as typed,
"this solved my problem" ends it without a case."""

import pytest
from playwright.sync_api import expect

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article, Deflection, State

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


def still_need_help_then_solved(page, live_server, article_id: int, typed: dict, shown: str):
    """From the form's suggestion to the article in the same tab (at the address ``shown``);
    "still need help" brings the form back as typed; the suggestion again, and "this solved
    my problem" ends it."""
    suggestion = page.locator("#suggestions button", has_text="Reinstalling the printer driver")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.get_by_role("heading", name="Reinstalling the printer driver")).to_be_visible()
    expect(page.locator(".article-body strong")).to_have_text("driver")
    expect(page).to_have_url(f"{live_server.url}{shown}")
    assert len(page.context.pages) == 1  # the same tab
    page.get_by_role("button", name="I still need help: back to my case").click()
    for label, value in typed.items():
        expect(page.get_by_label(label)).to_have_value(value)
    with live_server.app.app_context():
        assert Case.select().count() == 0
        assert Article.get_by_id(article_id).reads == 1  # counted once, on the server
    suggestion.click()
    page.get_by_role("button", name="This solved my problem").click()
    expect(page.locator(".flash")).to_contain_text("No case was opened")
    with live_server.app.app_context():
        assert Deflection.select().where(Deflection.article == article_id).count() == 1
        assert Case.select().count() == 0


def test_suggestions_while_typing_still_need_help_and_solved(page, live_server, sign_in):
    article_id = publish_answer(live_server.app)
    sign_in(page)
    page.goto(f"{live_server.url}/cases/new")
    page.wait_for_function("() => typeof htmx === 'object'")
    page.get_by_label("Description").fill("Since the update nothing prints.\nSecond line.")
    page.get_by_label("Subject").press_sequentially("printer driver", delay=20)
    typed = {
        "Subject": "printer driver",
        "Description": "Since the update nothing prints.\nSecond line.",
    }
    # htmx shows the article's own address, not the form's POST
    still_need_help_then_solved(
        page, live_server, article_id, typed, f"/help/articles/{article_id}"
    )
    assert page.problems == []


def test_without_javascript_the_button_shows_suggestions_and_keeps_the_form(
    page_nojs, live_server, sign_in
):
    article_id = publish_answer(live_server.app)
    page = page_nojs
    sign_in(page)
    page.goto(f"{live_server.url}/cases/new")
    page.get_by_label("Subject").fill("Printer driver broken")
    page.get_by_label("Description").fill("Since the update nothing prints.")
    page.get_by_role("button", name="Search the knowledge base").click()
    typed = {"Subject": "Printer driver broken", "Description": "Since the update nothing prints."}
    for label, value in typed.items():
        expect(page.get_by_label(label)).to_have_value(value)
    shown = f"/help/articles/{article_id}/while-writing"
    still_need_help_then_solved(page, live_server, article_id, typed, shown)


#: The five plugins of ``plugins/`` and the example package (``examples/swiss_hosting``).
VENDOR_PLUGINS = [
    "crm_integrator",
    "erp_handbook",
    "erp_portal",
    "property_software",
    "small_vendor",
    "swiss_hosting",
]


@pytest.mark.parametrize("live_server", VENDOR_PLUGINS, indirect=True)
def test_in_english_and_german_with_each_vendor_plugin(page, live_server, sign_in):
    """The same answer found in English and in German, whatever the vendor's plugin makes of
    the form: in English "still need help" keeps what was typed, in German it solves."""
    article_id = publish_answer(live_server.app)
    sign_in(page)
    page.goto(f"{live_server.url}/cases/new")
    page.wait_for_function("() => typeof htmx === 'object'")
    page.locator("#subject").press_sequentially("printer driver", delay=20)
    page.locator("#suggestions button", has_text="Reinstalling the printer driver").click()
    expect(page.locator(".article-body strong")).to_have_text("driver")
    page.get_by_role("button", name="I still need help: back to my case").click()
    expect(page.locator("#subject")).to_have_value("printer driver")

    page.get_by_role("button", name="Deutsch").click()
    page.goto(f"{live_server.url}/cases/new")
    page.wait_for_function("() => typeof htmx === 'object'")
    page.locator("#subject").press_sequentially("Druckertreiber", delay=20)
    suggestion = page.locator("#suggestions button", has_text="Druckertreiber neu installieren")
    suggestion.click()
    expect(page.locator(".article-body strong")).to_have_text("Treiber")
    page.get_by_role("button", name="Ich brauche weiter Hilfe: zurück zu meinem Fall").click()
    expect(page.locator("#subject")).to_have_value("Druckertreiber")
    suggestion.click()
    page.get_by_role("button", name="Das hat mein Problem gelöst").click()
    expect(page.locator(".flash")).to_contain_text("Es wurde kein Fall eröffnet")
    with live_server.app.app_context():
        assert Deflection.select().where(Deflection.article == article_id).count() == 1
        assert Case.select().count() == 0
    assert page.problems == []
