"""The knowledge base through the API: a token reads what its person reads on the help pages
and no more (agents-only articles, a product the organisation lacks, drafts), needs the scope
``knowledge``, and pages with a signed cursor."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Audience, OrganisationProduct, State
from helpdesk.products.models import Product


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def articles(app, people, foreigner):
    """Articles of every audience and a draft; Muster GmbH (Mia's) has the first product,
    Fremd AG (Fritz's) none. Returns title -> id."""
    with app.app_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        category = service.ensure_category("howto", "Anleitungen", "How-tos")
        product = Product.select().order_by(Product.id).first()
        muster = people["mia.member"].organisation_id
        OrganisationProduct.create(organisation=muster, product=product)
        written = {}
        for title, audience, publish in (
            ("Public printing", Audience.PUBLIC, True),
            ("Customers printing", Audience.CUSTOMERS, True),
            ("Product printing", Audience.PRODUCT, True),
            ("Agents printing", Audience.AGENTS, True),
            ("Draft printing", Audience.PUBLIC, False),
        ):
            article = service.create_article(
                admin,
                {
                    "category": category.id,
                    "audience": audience,
                    "product": product.id if audience == Audience.PRODUCT else None,
                    "title_de": title + " (de)",
                    "title_en": title,
                    "body_de": "Drucken **fett**",
                    "body_en": f"{title} **bold** <script>alert(1)</script>",
                },
            )
            if publish:
                service.set_state(admin, article, State.PUBLISHED)
            written[title] = article.id
        return written


def _titles(api, secret, query="") -> set[str]:
    answer = api.get(f"/api/v1/knowledge/articles{query}", headers=auth(secret))
    assert answer.status_code == 200, answer.get_json()
    return {row["title"] for row in answer.get_json()["articles"]}


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("mia.member", {"Public printing", "Customers printing", "Product printing"}),
        ("fritz", {"Public printing", "Customers printing"}),
        (
            "erik.first",
            {"Public printing", "Customers printing", "Product printing", "Agents printing"},
        ),
    ],
)
def test_the_list_and_search_hold_what_the_person_may_read(
    app, people, foreigner, articles, make_token, who, seen
):
    api = app.test_client()
    person = foreigner if who == "fritz" else people[who]
    secret = make_token(person, "knowledge")
    assert _titles(api, secret) == seen
    assert _titles(api, secret, "?q=printing") == seen
    for title, pk in articles.items():
        answer = api.get(f"/api/v1/knowledge/articles/{pk}", headers=auth(secret))
        # An agent opens drafts as on the article page; nobody else does.
        expected = title in seen or (title == "Draft printing" and who == "erik.first")
        assert answer.status_code == (200 if expected else 404), (title, answer.get_json())
    categories = api.get("/api/v1/knowledge/categories", headers=auth(secret)).get_json()
    assert [c["articles"] for c in categories["categories"]] == [len(seen)]


def test_a_search_answers_the_same_fields_as_the_list(app, people, articles, make_token):
    """A search's rows are whole articles: state, audience, product and time as listed."""
    api = app.test_client()
    secret = make_token(people["erik.first"], "knowledge")
    listed = api.get("/api/v1/knowledge/articles", headers=auth(secret)).get_json()
    found = api.get("/api/v1/knowledge/articles?q=printing", headers=auth(secret)).get_json()
    by_id = {row["id"]: row for row in listed["articles"]}
    assert found["articles"]
    for row in found["articles"]:
        assert row == by_id[row["id"]]


def test_an_article_in_the_persons_language_as_sanitised_html(app, people, articles, make_token):
    api = app.test_client()
    secret = make_token(people["mia.member"], "knowledge")
    shown = api.get(
        f"/api/v1/knowledge/articles/{articles['Public printing']}", headers=auth(secret)
    ).get_json()
    assert shown["title"] == "Public printing"
    assert "<strong>bold</strong>" in shown["html"] and "<script" not in shown["html"]
    assert shown["body"].startswith("Public printing **bold**")
    assert "audience" not in shown and "state" not in shown
    with app.app_context():
        User.update(language="de").where(User.id == people["mia.member"].id).execute()
    german = api.get(
        f"/api/v1/knowledge/articles/{articles['Public printing']}", headers=auth(secret)
    ).get_json()
    assert german["title"] == "Public printing (de)"


def test_the_knowledge_scope_is_needed_and_unknown_ids_are_404(app, people, articles, make_token):
    api = app.test_client()
    cases_only = make_token(people["mia.member"], "cases:read")
    for path in ("knowledge/articles", "knowledge/categories"):
        refused = api.get(f"/api/v1/{path}", headers=auth(cases_only))
        assert refused.status_code == 403
        assert refused.mimetype == "application/problem+json"
    secret = make_token(people["mia.member"], "knowledge")
    assert api.get("/api/v1/knowledge/articles/999999", headers=auth(secret)).status_code == 404
    assert api.get("/api/v1/knowledge/articles").status_code == 401


def test_the_list_pages_with_a_signed_cursor(app, people, make_token, monkeypatch):
    from helpdesk.api.views import knowledge

    monkeypatch.setattr(knowledge, "PAGE_SIZE", 2)
    with app.app_context():
        admin = User.get(User.email == "ada.admin@vendor.example")
        category = service.ensure_category("howto", "Anleitungen", "How-tos")
        for number in range(5):
            article = service.create_article(
                admin,
                {"category": category.id, "audience": Audience.PUBLIC, "title_en": f"A{number}"},
            )
            service.set_state(admin, article, State.PUBLISHED)
    api = app.test_client()
    secret = make_token(people["mia.member"], "knowledge")
    seen, link = [], "/api/v1/knowledge/articles"
    while link:
        answer = api.get(link, headers=auth(secret)).get_json()
        seen += [row["title"] for row in answer["articles"]]
        link = answer["links"].get("next")
        assert link is None or ("page" not in link and "cursor=" in link)
    assert sorted(seen) == ["A0", "A1", "A2", "A3", "A4"]
