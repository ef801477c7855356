"""Suggestions while a case is written (KB-3), deflection, and what the requester read."""

from helpdesk.cases.models import Case
from helpdesk.knowledge.models import Audience, Deflection


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


def test_this_solved_my_problem_ends_without_a_case_counted_once(app, people, kb):
    article = kb.write("Druckertreiber", "Den Treiber laden.", Audience.CUSTOMERS)
    client = app.test_client().sign_in_as(people["mia.member"])
    page = client.get(f"/help/articles/{article.id}?from=case").get_data(as_text=True)
    assert "This solved my problem" in page or "Das hat mein Problem gelöst" in page
    for _ in range(2):
        response = client.post(f"/help/articles/{article.id}/solved")
        assert response.status_code == 303
    with app.app_context():
        assert Deflection.select().where(Deflection.article == article.id).count() == 1
        assert Case.select().count() == 0
    # An agent is no customer: nothing to count.
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert agent.post(f"/help/articles/{article.id}/solved").status_code == 404


def test_a_customer_cannot_solve_with_an_article_they_may_not_read(app, people, kb):
    hidden = kb.write("Intern", "x", Audience.AGENTS)
    client = app.test_client().sign_in_as(people["mia.member"])
    assert client.post(f"/help/articles/{hidden.id}/solved").status_code == 404
    with app.app_context():
        assert Deflection.select().count() == 0


def test_agents_see_what_the_requester_read_before_writing(app, people, kb, open_case):
    article = kb.write("Druckertreiber", "Den Treiber laden.", Audience.CUSTOMERS)
    customer = app.test_client().sign_in_as(people["mia.member"])
    assert customer.post(f"/help/articles/{article.id}/read").status_code == 204
    case = open_case("mia.member", subject="Drucker geht nicht")
    agent = app.test_client().sign_in_as(people["erik.first"])
    html = agent.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert 'id="case-reads-title"' in html
    assert f'href="/help/articles/{article.id}">Druckertreiber</a>' in html
    mine = customer.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert "case-reads-title" not in mine  # agents only
