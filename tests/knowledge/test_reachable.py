"""Every self-service promise of the seeds is reached by following links, from a customer's
start page: the help center with its search, categories, FAQ and articles; downloads,
documentation and the learning center per product; proposing an article; announcements
(seed 001's news); and the case form's search of the knowledge base. Agents reach their
editor, announcements and downloads from theirs."""

import re

import pytest

from helpdesk.accounts.models import User
from helpdesk.knowledge import announcements
from helpdesk.knowledge.models import Audience
from tests.conftest import DEMO_PASSWORD
from tests.knowledge.test_downloads import items  # noqa: F401  (the fixture)


def links(client, path: str) -> set[str]:
    """The addresses a page links to and posts or sends its forms to."""
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    found = re.findall(r'(?:href|action|formaction|data-hx-get)="([^"?#]+)', html)
    return set(found)


@pytest.mark.usefixtures("items")
def test_a_customer_reaches_every_self_service_page_from_the_start_page(app, people, kb):
    question = kb.write("Wie setze ich mein Passwort zurück?", "So.", category=kb.faq)
    kb.write("Drucker einrichten", "Den Treiber laden.", Audience.CUSTOMERS)
    with app.app_context():
        admin = User.get_by_id(people["ada.admin"].id)
        announcements.publish(admin, {"kind": "warning", "title_de": "Technische Warnung"})
    client = app.test_client().sign_in_as(people["mia.member"])
    start = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Technische Warnung" in start  # the announcement, until read
    assert "/help" in links(client, "/")

    center = links(client, "/help")
    assert {"/help/search", "/help/downloads", "/help/propose"} <= center
    assert f"/help/categories/{kb.faq.id}" in center
    assert f"/help/articles/{question.id}" in links(client, f"/help/categories/{kb.faq.id}")
    assert client.get("/help/search?q=passwort").status_code == 200

    downloads = client.get("/help/downloads").get_data(as_text=True)
    assert "Handbuch product" in downloads  # documentation of the organisation's product
    case_form = links(client, "/cases/new")
    assert {"/help/suggestions", "/help/search"} <= case_form


def test_an_agent_reaches_the_editor_announcements_and_downloads(app, people, kb):
    client = app.test_client().sign_in_as(people["erik.first"])
    assert "/help/manage" in links(client, "/")
    editor = links(client, "/help/manage")
    assert {"/help/manage/new", "/help/announcements", "/help/manage/downloads"} <= editor


def test_a_visitor_reaches_the_public_help_center_without_signing_in(app, people, kb):
    kb.write("Öffnungszeiten", "Mo-Fr.", Audience.PUBLIC)
    client = app.test_client()
    assert "/help" in links(client, "/sign-in")
    assert "/help/search" in links(client, "/help")


def test_a_visitor_signs_in_from_the_help_center_and_comes_back(app, people, kb):
    kb.write("Öffnungszeiten", "Mo-Fr.", Audience.PUBLIC)
    client = app.test_client()
    html = client.get("/help/search?q=offen").get_data(as_text=True)
    header = html.split("</header>", 1)[0]
    link = re.search(r'<a class="sign-in" href="([^"]+)">Sign in</a>', header).group(1)
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    back = re.search(r'name="next" type="hidden" value="([^"]*)"', form).group(1)
    assert back.replace("&amp;", "&") == "/help/search?q=offen"
    signed_in = client.post(
        "/sign-in",
        data={"email": people["mia.member"].email, "password": DEMO_PASSWORD, "next": back},
    )
    assert signed_in.location == "/help/search?q=offen"
    # the sign-in page itself offers no second way to it; other pages lead to the start page
    visitor = app.test_client()
    assert 'class="sign-in"' not in visitor.get("/sign-in").get_data(as_text=True)
    reset = visitor.get("/password/reset").get_data(as_text=True)
    assert '<a class="sign-in" href="/sign-in">' in reset
