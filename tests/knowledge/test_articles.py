"""Articles (KB-1): writing, publishing, revisions, audit, visibility and sanitising."""

import re

import pytest

from helpdesk.audit import AuditLog
from helpdesk.knowledge.models import Article, ArticleRead, Audience, Revision, State


def titles(response) -> set[str]:
    return set(re.findall(r'data-article="([^"]+)"', response.get_data(as_text=True)))


def test_an_agent_writes_a_draft_and_a_manager_publishes_it(app, people, kb):
    agent = app.test_client().sign_in_as(people["erik.first"])
    page = agent.get("/help/manage/new")
    assert page.status_code == 200
    response = agent.post(
        "/help/manage/new",
        data={
            "category": kb.category.id,
            "audience": "public",
            "product": "",
            "title_de": "Drucker einrichten",
            "title_en": "Setting up a printer",
            "body_de": "So richten Sie den **Drucker** ein.",
            "body_en": "How to set up the **printer**.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        article = Article.get(Article.title_de == "Drucker einrichten")
        assert article.state == State.DRAFT
    # A draft is nobody's but the agents'.
    assert app.test_client().get(f"/help/articles/{article.id}").status_code == 404
    # Erik may not publish; Tom (a team manager) may.
    assert (
        agent.post(f"/help/manage/{article.id}/state", data={"state": "published"}).status_code
        == 404
    )
    manager = app.test_client().sign_in_as(people["tom.third"])
    assert (
        manager.post(f"/help/manage/{article.id}/state", data={"state": "published"}).status_code
        == 303
    )
    anonymous = app.test_client()
    page = anonymous.get(f"/help/articles/{article.id}", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert "<strong>Drucker</strong>" in page.get_data(as_text=True)
    english = anonymous.get(f"/help/articles/{article.id}", headers={"Accept-Language": "en"})
    assert "Setting up a printer" in english.get_data(as_text=True)
    with app.app_context():
        revisions = list(Revision.select().where(Revision.article == article.id))
        assert [r.state for r in revisions] == ["draft", "published"]
        assert {r.author_id for r in revisions} == {people["erik.first"].id, people["tom.third"].id}
        actions = [row.action for row in AuditLog.select().order_by(AuditLog.id)]
        assert actions[-2:] == ["article.created", "article.state"]


def test_a_change_keeps_a_revision_and_an_audit_row(app, people, kb):
    article = kb.write("Alt", "alter Text")
    agent = app.test_client().sign_in_as(people["erik.first"])
    response = agent.post(
        f"/help/manage/{article.id}",
        data={
            "category": kb.category.id,
            "audience": "customers",
            "product": "",
            "title_de": "Neu",
            "title_en": "",
            "body_de": "neuer Text",
            "body_en": "",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        assert Article.get_by_id(article.id).title_de == "Neu"
        assert Revision.select().where(Revision.article == article.id).count() == 3
        row = AuditLog.select().where(AuditLog.action == "article.updated").get()
        assert row.before_values["title_de"] == "Alt"
        assert row.after_values["audience"] == "customers"


def test_a_half_filled_editor_keeps_what_was_typed(app, people, kb):
    agent = app.test_client().sign_in_as(people["erik.first"])
    response = agent.post(
        "/help/manage/new",
        data={
            "category": "",
            "audience": "public",
            "title_de": "",
            "title_en": "",
            "body_de": "Mein **Entwurf**",
            "body_en": "",
        },
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Mein **Entwurf**" in html  # kept in the text area
    assert "<strong>Entwurf</strong>" in html  # and shown in the preview
    assert "Titel" in html


def test_the_live_preview_is_sanitised(app, people):
    agent = app.test_client().sign_in_as(people["erik.first"])
    response = agent.post(
        "/help/manage/preview",
        data={"body_de": "Hallo <script>alert(1)</script> [x](javascript:alert(1))"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script" not in html and "href" not in html  # shown as text, never as a link
    assert "&lt;script&gt;" in html


HOSTILE = [
    "<script>alert(1)</script>",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a]( javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "<img src=x onerror=alert(1)>",
    "![x](data:image/png;base64,AAAA)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](https://tracker.example/p.png)",
    '<a href="javascript:alert(1)">a</a>',
    "<iframe src=https://evil.example></iframe>",
]


def test_article_text_is_sanitised(app, people, kb):
    article = kb.write("Gefährlich", "\n\n".join(HOSTILE))
    html = app.test_client().get(f"/help/articles/{article.id}").get_data(as_text=True)
    body = html.split('class="article-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<iframe" not in body
    assert "<img" not in body  # none of these images is the portal's own
    assert not re.search(r"<[^>]*\son\w+=", body)  # no event handler attribute
    for href in re.findall(r'<a [^>]*href="([^"]*)"', body):
        scheme = re.sub(r"[\x00-\x20]", "", href).split(":", 1)[0].lower()
        assert scheme not in {"javascript", "data", "vbscript"}, href
        assert "%" in href or ":" not in href, href  # no scheme a browser would run


def test_images_only_from_the_articles_files(app, people, kb):
    """The articles' own files are the only images (tests/knowledge/test_article_files.py)."""
    article = kb.write("Bild", "![Logo](/static/img/logo.png)\n\n![Plan](/help/files/3/plan.png)")
    html = app.test_client().get(f"/help/articles/{article.id}").get_data(as_text=True)
    assert '<img src="/help/files/3/plan.png" alt="Plan">' in html
    assert "/static/img/logo.png" not in html


AUDIENCES = {
    # who -> which audiences' articles they read (the product is Muster's, not Fremd's)
    None: {"public"},
    "mia.member": {"public", "customers", "product"},
    "fritz": {"public", "customers"},
    "erik.first": {"public", "customers", "product", "agents", "other-product"},
}


@pytest.mark.parametrize("who", list(AUDIENCES))
def test_each_sees_only_the_articles_for_them(app, people, kb, who):
    articles = {
        "public": kb.write("Sichtbar public", "Schlüsselwort", Audience.PUBLIC),
        "customers": kb.write("Sichtbar customers", "Schlüsselwort", Audience.CUSTOMERS),
        "product": kb.write("Sichtbar product", "Schlüsselwort", Audience.PRODUCT, kb.product),
        "other-product": kb.write(
            "Sichtbar other", "Schlüsselwort", Audience.PRODUCT, kb.other_product
        ),
        "agents": kb.write("Sichtbar agents", "Schlüsselwort", Audience.AGENTS),
        "draft": kb.write("Sichtbar draft", "Schlüsselwort", Audience.PUBLIC, publish=False),
    }
    client = app.test_client()
    if who:
        client.sign_in_as(people[who])
    expected = AUDIENCES[who]
    for name, article in articles.items():
        status = client.get(f"/help/articles/{article.id}").status_code
        if name == "draft":
            assert status == (200 if who == "erik.first" else 404), name
        else:
            assert status == (200 if name in expected else 404), (name, who)
    # The search counts and lists the same.
    found = client.get("/help/search?q=schlüsselwort", headers={"Accept-Language": "de"})
    html = found.get_data(as_text=True)
    assert f'data-count="{len(expected)}"' in html
    for name, article in articles.items():
        assert (f'/help/articles/{article.id}"' in html) == (name in expected), (name, who)
    # The category page and its count.
    category = client.get(f"/help/categories/{kb.category.id}").get_data(as_text=True)
    for name, article in articles.items():
        assert (f'/help/articles/{article.id}"' in category) == (name in expected), (name, who)
    # The suggestions beside the case form (signed-in only).
    if who:
        suggested = client.get(
            "/help/suggestions?subject=Schl%C3%BCsselwort", headers={"HX-Request": "true"}
        ).get_data(as_text=True)
        shown = {
            name for name, a in articles.items() if f"/help/articles/{a.id}/while" in suggested
        }
        assert shown == expected, who


def test_an_faq_shows_questions_and_answers(app, people, kb):
    kb.write("Wie ändere ich mein Passwort?", "Unter *Mein Profil*.", category=kb.faq)
    html = app.test_client().get(f"/help/categories/{kb.faq.id}").get_data(as_text=True)
    assert "<summary>Wie ändere ich mein Passwort?</summary>" in html
    assert "<em>Mein Profil</em>" in html


def test_a_reading_is_counted_when_the_page_is_rendered_once_per_session(app, people, kb):
    """Counted on the server, so a reader without JavaScript counts too; a reload is no new
    reading, another person's (or session's) is."""
    article = kb.write("Gelesen", "Text")
    draft = kb.write("Entwurf", "Text", publish=False)
    mia = app.test_client().sign_in_as(people["mia.member"])
    for _ in range(3):
        assert mia.get(f"/help/articles/{article.id}").status_code == 200
    with app.app_context():
        assert Article.get_by_id(article.id).reads == 1
        assert ArticleRead.select().where(ArticleRead.article == article.id).count() == 1
    anonymous = app.test_client()
    anonymous.get(f"/help/articles/{article.id}")
    anonymous.get(f"/help/articles/{article.id}")
    app.test_client().get(f"/help/articles/{article.id}")
    agent = app.test_client().sign_in_as(people["erik.first"])
    agent.get(f"/help/articles/{draft.id}")  # a draft is not read by customers: not counted
    with app.app_context():
        assert Article.get_by_id(article.id).reads == 3
        assert Article.get_by_id(draft.id).reads == 0
        # only customers' readings are kept by person (what a requester read before writing)
        assert ArticleRead.select().count() == 1
    start = app.test_client().get("/help").get_data(as_text=True)
    assert "Gelesen" in start


def test_the_article_page_has_no_counting_call_of_its_own(app, people, kb):
    article = kb.write("Ohne Skript", "Text")
    html = app.test_client().get(f"/help/articles/{article.id}").get_data(as_text=True)
    assert "/read" not in html and 'hx-trigger="load"' not in html
    assert app.test_client().post(f"/help/articles/{article.id}/read").status_code in {404, 405}


def test_an_admin_says_which_products_an_organisation_has(app, people, kb):
    article = kb.write("Nur mit Produkt", "x", Audience.PRODUCT, kb.other_product)
    fritz = app.test_client().sign_in_as(people["fritz"])
    assert fritz.get(f"/help/articles/{article.id}").status_code == 404
    admin = app.test_client().sign_in_as(people["ada.admin"])
    page = admin.get("/help/manage/products").get_data(as_text=True)
    fremd = people["fritz"].organisation_id
    assert f'action="/help/manage/products/{fremd}"' in page
    response = admin.post(f"/help/manage/products/{fremd}", data={"product": [kb.other_product.id]})
    assert response.status_code == 303
    assert fritz.get(f"/help/articles/{article.id}").status_code == 200
    with app.app_context():
        row = AuditLog.get(AuditLog.action == "organisation.products")
        assert row.after_values == {"products": [kb.other_product.id]}
        assert row.organisation_id == fremd
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert agent.get("/help/manage/products").status_code == 404


def test_a_category_with_a_bad_key_or_long_name_is_refused(app, people, kb):
    admin = app.test_client().sign_in_as(people["ada.admin"])
    for data in (
        {"key": "a b", "name_de": "X"},
        {"key": "k" * 51, "name_de": "X"},
        {"key": "ok", "name_de": "N" * 201},
    ):
        response = admin.post("/help/manage/categories", data=data)
        assert response.status_code == 422, data
    assert (
        admin.post("/help/manage/categories", data={"key": "neu", "name_de": "Neu"}).status_code
        == 303
    )


@pytest.mark.parametrize("path", ["/sign-in", "/", "/register", "/forgot-password", "/help"])
def test_an_anonymous_visitor_finds_the_public_help_center(app, people, kb, path):
    """Wherever an anonymous visitor lands (the start page sends them to sign in), the
    header links the public help center, which opens without signing in."""
    response = app.test_client().get(path, follow_redirects=True)
    assert response.status_code == 200, path
    header = response.get_data(as_text=True).split("</header>", 1)[0]
    assert re.search(r'<a href="/help"[^>]*>Help center</a>', header), path
    if path == "/sign-in":
        assert response.get_data(as_text=True).count('href="/help"') == 2  # and in the text
    assert app.test_client().get("/help").status_code == 200
