"""Suggestions while a case is written (KB-3), deflection, and what the requester read."""

import io
import re
from datetime import datetime, timedelta
from html import unescape

from werkzeug.datastructures import MultiDict

from helpdesk.cases.models import Attachment, Case
from helpdesk.i18n import speaking
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article, ArticleRead, Audience, Deflection


def test_typing_a_subject_suggests_matching_articles(app, people, kb):
    kb.write("Druckertreiber installieren", "Den Treiber laden.", Audience.CUSTOMERS)
    kb.write("Passwort vergessen", "Zurücksetzen.", Audience.CUSTOMERS)
    kb.write("Nur für Agenten: Drucker", "Intern.", Audience.AGENTS)
    client = app.test_client().sign_in_as(people["mia.member"])
    response = client.get(
        "/help/suggestions",
        query_string={"subject": "Drucker druckt nicht", "description": ""},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="suggestions"')  # the partial alone
    assert "Druckertreiber installieren" in html
    assert "Passwort" not in html and "Agenten" not in html
    assert len(response.get_data()) < 5000


def test_the_description_suggests_when_the_subject_does_not(app, people, kb):
    kb.write("Passwort vergessen", "So setzen Sie Ihr Kennwort zurück.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    html = client.get(
        "/help/suggestions",
        query_string={"subject": "Hilfe", "description": "Ich habe mein Kennwort verloren"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Passwort vergessen" in html


def test_the_form_has_the_suggestions_beside_subject_and_description(app, people, kb):
    client = app.test_client().sign_in_as(people["mia.member"])
    html = client.get("/cases/new").get_data(as_text=True)
    assert 'id="suggestions"' in html
    assert html.count('data-hx-get="/help/suggestions"') == 2
    assert 'data-hx-trigger="keyup changed delay:500ms"' in html


def test_without_javascript_the_button_shows_suggestions_and_keeps_the_form(app, people, kb):
    kb.write("Druckertreiber installieren", "Den Treiber laden.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    form = client.get("/cases/new").get_data(as_text=True)
    assert 'name="knowledge"' in form
    response = client.post(
        "/cases/new",
        data={
            "subject": "Drucker geht nicht",
            "description": "Seit gestern <b>keine</b> Ausdrucke",
            "knowledge": "1",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Drucker geht nicht"' in html
    assert "Seit gestern &lt;b&gt;keine&lt;/b&gt; Ausdrucke" in html
    assert "Druckertreiber installieren" in html
    with app.app_context():
        assert Case.select().count() == 0


#: The new-case form as a customer typed it (what a suggestion's button posts along).
TYPED = {
    "subject": "Drucker geht nicht",
    "description": 'Seit gestern\n<b>keine</b> Ausdrucke & "nichts"',
    "severity": "normal",
    "topic": "Druck",
}


def carried(html: str) -> list[tuple[str, str]]:
    """The hidden fields of the article page's "still need help" form."""
    form = html.split('action="/cases/new"', 1)[1].split("</form>", 1)[0]
    return [
        (name, unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    ]


def test_a_suggestion_opens_in_the_same_tab_with_the_form_carried_along(app, people, kb):
    article = kb.write("Druckertreiber", "Den **Treiber** laden.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    form = client.post("/cases/new", data={**TYPED, "knowledge": "1"}).get_data(as_text=True)
    button = f'formaction="/help/articles/{article.id}/while-writing"'
    assert button in form and 'target="_blank"' not in form
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page = client.post(
        f"/help/articles/{article.id}/while-writing",
        data={**TYPED, "files": (png, "screen.png")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["HX-Push-Url"] == f"/help/articles/{article.id}"
    assert "<strong>Treiber</strong>" in html
    assert f'action="/help/articles/{article.id}/solved"' in html
    fields = carried(html)
    assert {name: value for name, value in fields if name in TYPED} == TYPED
    (pending,) = [value for name, value in fields if name == "pending"]
    with app.app_context():
        assert Article.get_by_id(article.id).reads == 1  # counted on the server
        assert Attachment.get_by_id(int(pending)).filename == "screen.png"
        assert Case.select().count() == 0
    # "Still need help": back to the form, everything as typed, the file kept.
    back = client.post("/cases/new", data=MultiDict([*fields, ("knowledge", "1")]))
    form = back.get_data(as_text=True)
    assert back.status_code == 200
    assert 'value="Drucker geht nicht"' in form and 'value="Druck"' in form
    assert "Seit gestern\n&lt;b&gt;keine&lt;/b&gt; Ausdrucke &amp; &#34;nichts&#34;" in form
    assert "screen.png" in form and f'name="pending" value="{pending}"' in form
    with app.app_context():
        assert Case.select().count() == 0
        assert Article.get_by_id(article.id).reads == 1  # the way back is no new reading


def test_this_solved_my_problem_ends_without_a_case_counted_once(app, people, kb):
    article = kb.write("Druckertreiber", "Den Treiber laden.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    page = client.post(f"/help/articles/{article.id}/while-writing", data=TYPED)
    assert "This solved my problem" in page.get_data(as_text=True)
    for _ in range(2):
        response = client.post(f"/help/articles/{article.id}/solved")
        assert response.status_code == 303
    with app.app_context():
        assert Deflection.select().where(Deflection.article == article.id).count() == 1
        assert Case.select().count() == 0
    # An agent is no customer: nothing to count, and no case form to carry.
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert agent.post(f"/help/articles/{article.id}/solved").status_code == 404
    assert agent.post(f"/help/articles/{article.id}/while-writing").status_code == 404


def test_an_article_opened_directly_offers_a_new_case_instead(app, people, kb):
    article = kb.write("Druckertreiber", "Den Treiber laden.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    html = client.get(f"/help/articles/{article.id}").get_data(as_text=True)
    assert 'href="/cases/new"' in html and 'action="/cases/new"' not in html


def test_a_customer_cannot_solve_with_an_article_they_may_not_read(app, people, kb):
    hidden = kb.write("Intern", "x", Audience.AGENTS)
    client = app.test_client().sign_in_as(people["mia.member"])
    assert client.post(f"/help/articles/{hidden.id}/solved").status_code == 404
    assert client.post(f"/help/articles/{hidden.id}/while-writing", data=TYPED).status_code == 404
    with app.app_context():
        assert Deflection.select().count() == 0


def test_agents_see_what_the_requester_read_before_writing(app, people, kb, open_case):
    article = kb.write("Druckertreiber", "Den Treiber laden.", Audience.CUSTOMERS)
    customer = app.test_client().sign_in_as(people["mia.member"])
    assert customer.get(f"/help/articles/{article.id}").status_code == 200
    case = open_case("mia.member", subject="Drucker geht nicht")
    agent = app.test_client().sign_in_as(people["erik.first"])
    html = agent.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert 'id="case-reads-title"' in html
    assert f'href="/help/articles/{article.id}">Druckertreiber</a>' in html
    mine = customer.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert "case-reads-title" not in mine  # agents only


def test_only_the_day_before_the_case_counts_as_read_before_writing(app, people, kb):
    """Readings in the day up to the case's opening, newest first; not those before that
    day, after the opening, or by someone else."""
    older = kb.write("Rechnung drucken", "x", Audience.CUSTOMERS)
    newer = kb.write("Drucker einrichten", "y", Audience.CUSTOMERS, title_en="Set up printers")
    opened = datetime(2026, 12, 1, 12, 0)
    mia, tom = people["mia.member"].id, people["tom.third"].id
    with app.app_context():
        for user, article, at in (
            (mia, older, opened - timedelta(hours=3)),
            (mia, newer, opened - timedelta(minutes=5)),
            (mia, newer, opened - timedelta(days=1, minutes=1)),  # the day before that
            (mia, older, opened + timedelta(minutes=1)),  # after writing
            (tom, older, opened - timedelta(minutes=1)),
        ):
            ArticleRead.create(user=user, article=article.id, read_at=at)
        readings = service.read_before(mia, opened)
        with speaking("en"):
            shown = [(r.id, r.title, r.read_at) for r in readings]
    assert shown == [
        (newer.id, "Set up printers", opened - timedelta(minutes=5)),
        (older.id, "Rechnung drucken", opened - timedelta(hours=3)),
    ]


def test_all_but_one_of_the_subjects_words_before_any_word(app, people, kb):
    """No article holds every word of the subject: those holding all but one come first,
    and an article sharing a single word is no suggestion while such articles exist."""
    kb.write("Rechnung drucken", "Der Drucker druckt die Rechnung.", Audience.CUSTOMERS)
    kb.write("Drucker einrichten", "Einen Drucker anschließen.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    html = client.get(
        "/help/suggestions",
        query_string={"subject": "Drucker Rechnung Zauberwort"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Rechnung drucken" in html and "Drucker einrichten" not in html
