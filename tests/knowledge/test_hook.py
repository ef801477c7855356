"""The ``helpdesk_knowledge`` hook: a plugin's categories, article templates and announcement
kinds reach the editor, the help center and the announcements."""

import pytest

from helpdesk import demo
from helpdesk.accounts.models import User
from helpdesk.hookspecs import hookimpl
from helpdesk.knowledge.announcements import AnnouncementKind
from helpdesk.knowledge.extensions import ArticleTemplate, KnowledgeCategory
from helpdesk.knowledge.models import Category
from helpdesk.policy import Label


class VendorKnowledge:
    @hookimpl
    def helpdesk_knowledge(self):
        return {
            "categories": [KnowledgeCategory("faq", "Häufige Fragen", "Questions", is_faq=True)],
            "templates": [
                ArticleTemplate("howto", Label("Anleitung", "How-to"), body_de="## Schritte")
            ],
            "announcement_kinds": [AnnouncementKind("webinar", Label("Webinar", "Webinar"))],
        }


@pytest.mark.hook("helpdesk_knowledge")
def test_a_plugins_category_template_and_kind_reach_the_pages(make_app):
    app = make_app(VendorKnowledge())
    with app.app_context():
        demo.load(password="irrelevant-here")
        admin = User.get(User.email == "ada.admin@vendor.example")
    client = app.test_client().sign_in_as(admin)
    editor = client.get("/help/manage/new", headers={"Accept-Language": "en"}).get_data(True)
    assert '<option value="plugin:faq"' in editor and "Questions" in editor
    assert '/help/manage/new?template=howto">How-to</a>' in editor
    started = client.get("/help/manage/new?template=howto").get_data(True)
    assert "## Schritte</textarea>" in started
    response = client.post(
        "/help/manage/new",
        data={
            "category": "plugin:faq",
            "audience": "public",
            "title_de": "Frage?",
            "body_de": "Antwort.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        faq = Category.get(Category.key == "faq")
        assert faq.is_faq and faq.name_de == "Häufige Fragen"
    page = client.get("/help/announcements", headers={"Accept-Language": "de"}).get_data(True)
    assert '<option value="webinar"' in page
