"""From cases to articles, customers' proposals and article feedback (KB-5)."""

from helpdesk.accounts.models import User
from helpdesk.audit import AuditLog
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article, ArticleFeedback, Audience, State


def test_an_agent_turns_a_case_into_a_draft_linked_to_it(app, people, kb, open_case):
    case = open_case("mia.member", subject="Drucker druckt nicht", description="Seit gestern.")
    agent = app.test_client().sign_in_as(people["erik.first"])
    page = agent.get(f"/cases/{case.call_id}").get_data(True)
    assert f'action="/help/manage/from-case/{case.call_id}"' in page
    response = agent.post(f"/help/manage/from-case/{case.call_id}")
    assert response.status_code == 303
    with app.app_context():
        article = Article.get(Article.source_case == case.id)
        assert article.state == State.DRAFT and article.created_by_id == people["erik.first"].id
        text = article.title_de + article.title_en + article.body_de + article.body_en
        assert "Drucker druckt nicht" in text and "Seit gestern." in text
    editor = agent.get(response.headers["Location"]).get_data(True)
    assert f'href="/cases/{case.call_id}"' in editor
    # A customer has no such button, and the route is not theirs.
    mia = app.test_client().sign_in_as(people["mia.member"])
    assert mia.post(f"/help/manage/from-case/{case.call_id}").status_code == 404


def test_a_customer_proposes_an_article_that_agents_review(app, people, kb):
    mia = app.test_client().sign_in_as(people["mia.member"])
    assert mia.get("/help/propose").status_code == 200
    empty = mia.post("/help/propose", data={"title": "", "text": "Mein Vorschlag"})
    assert empty.status_code == 422 and "Mein Vorschlag" in empty.get_data(True)
    response = mia.post(
        "/help/propose",
        data={"title": "Export nach Excel", "text": "Wie geht das?", "category": kb.category.id},
    )
    assert response.status_code == 303
    with app.app_context():
        proposal = Article.get(Article.proposed)
        assert proposal.state == State.DRAFT
        assert AuditLog.select().where(AuditLog.action == "article.proposed").count() == 1
    # Not published: no customer sees it; agents find it in their list.
    assert mia.get(f"/help/articles/{proposal.id}").status_code == 404
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert "Export nach Excel" in agent.get("/help/manage?state=draft").get_data(True)
    assert "Export nach Excel" not in mia.get("/help/search?q=excel").get_data(True)
    # Published as proposed, it is found (the proposal was indexed when written).
    with app.app_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        service.set_state(admin, Article.get_by_id(proposal.id), State.PUBLISHED)
    found = mia.get("/help/search?q=excel").get_data(True)
    assert "Export nach Excel" in found and '<p class="snippet">Wie geht das?</p>' in found


def test_feedback_is_shown_to_the_authors(app, people, kb):
    article = kb.write("Anleitung", "Text", Audience.CUSTOMERS)
    mia = app.test_client().sign_in_as(people["mia.member"])
    page = mia.get(f"/help/articles/{article.id}").get_data(True)
    assert f'action="/help/articles/{article.id}/feedback"' in page
    mia.post(
        f"/help/articles/{article.id}/feedback", data={"helpful": "no", "comment": "<b>Zu kurz</b>"}
    )
    mia.post(f"/help/articles/{article.id}/feedback", data={"helpful": "yes"})
    with app.app_context():
        assert ArticleFeedback.select().count() == 2
    editor = app.test_client().sign_in_as(people["ada.admin"])
    html = editor.get(f"/help/manage/{article.id}", headers={"Accept-Language": "en"}).get_data(
        True
    )
    assert "Helpful: 1 · Not helpful: 1" in html
    assert "&lt;b&gt;Zu kurz&lt;/b&gt;" in html
    # Someone who may not read the article gives no feedback on it.
    hidden = kb.write("Intern", "x", Audience.AGENTS)
    fritz = app.test_client().sign_in_as(people["fritz"])
    assert (
        fritz.post(f"/help/articles/{hidden.id}/feedback", data={"helpful": "yes"}).status_code
        == 404
    )
