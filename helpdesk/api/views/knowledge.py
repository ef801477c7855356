"""The knowledge base through the API (scope ``knowledge``): the articles and categories the
token's person may read on the help pages, decided by the knowledge area's own functions
(``service.visible``, ``service.article_for``, ``service.find``), so a token never reads
more than its person could: no agents-only article for a customer, no article of a product
their organisation lacks, no draft but for agents (as on the article page)."""

from flask import jsonify

from helpdesk.api import cursors, serialise
from helpdesk.api.openapi import documented
from helpdesk.api.problems import Problem
from helpdesk.api.views.blueprint import bp, needs, person_of_token
from helpdesk.i18n import current_language
from helpdesk.inputs import page_number, parse_id
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article, Category
from helpdesk.knowledge.views import show_markdown
from helpdesk.permissions import may_work_cases

LIST_NAME = "knowledge.articles"
#: Articles per page of the list without a search (a search pages as the search page does).
PAGE_SIZE = 50
LAST_PAGE = 1000
ARTICLE_QUERY = {
    "q": {"type": "string", "description": "words to search for, best matches first"},
    "category": {"type": "integer"},
    "product": {"type": "integer"},
    "page": {"type": "integer", "minimum": 1},
    **cursors.PARAMETER,
}


def _article(article: Article, agent: bool) -> dict:
    shown = {
        "id": article.id,
        "title": article.title_in(current_language()),
        "category": {"id": article.category.id, "name": article.category.name},
        "product_id": article.product_id,
        "updated_at": serialise.when(article.updated_at),
        "url": f"/help/articles/{article.id}",
    }
    if agent:
        shown.update(audience=article.audience, state=article.state)
    return shown


@bp.get("/knowledge/articles")
@needs("knowledge")
@documented(answer="ArticleList", query=ARTICLE_QUERY)
def knowledge_articles():
    """The articles the person may read, newest change first; with ``q`` the search's
    matches, best first."""
    user = person_of_token()
    query = cursors.query_of(LIST_NAME)
    text = " ".join(query.get("q", "").split())[:200]
    category_id, product_id = parse_id(query.get("category")), parse_id(query.get("product"))
    page = page_number(query.get("page"), last=LAST_PAGE)
    if text:
        count, found = service.find(user, text, product_id, category_id, page)
        more = page * service.PAGE_SIZE < count
        # A search result holds only what the search page shows: the page's articles whole,
        # with their categories, in one query (the ids are what the person may read).
        whole = Article.select(Article, Category).join(Category)
        by_id = {a.id: a for a in whole.where(Article.id.in_([a.id for a in found]))}
        rows = [by_id[a.id] for a in found if a.id in by_id]
    else:
        listed = service.visible(Article.select(Article, Category).join(Category), user)
        if category_id:
            listed = listed.where(Article.category == category_id)
        if product_id:
            listed = listed.where(Article.product == product_id)
        listed = listed.order_by(Article.updated_at.desc(), Article.id.desc())
        rows = list(listed.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
        more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    links = {}
    if more and page < LAST_PAGE:
        following = {"q": text, "category": category_id, "product": product_id, "page": page + 1}
        links["next"] = cursors.next_link(LIST_NAME, {k: v for k, v in following.items() if v})
    agent = may_work_cases(user)
    return jsonify(articles=[_article(a, agent) for a in rows], page=page, links=links)


@bp.get("/knowledge/articles/<int:article_id>")
@needs("knowledge")
@documented(answer="Article")
def knowledge_article(article_id: int):
    """An article the person may read: its text as Markdown and as sanitised HTML."""
    user = person_of_token()
    found = service.article_for(user, article_id)
    if found is None:
        raise Problem(404)
    body = found.body_in(current_language())
    return jsonify(
        {
            **_article(found, may_work_cases(user)),
            "body": body,
            "html": str(show_markdown(body)),
        }
    )


@bp.get("/knowledge/categories")
@needs("knowledge")
@documented(answer="ArticleCategories")
def knowledge_categories():
    """The help center's categories holding articles the person may read, with how many."""
    counts = service.category_counts(person_of_token())
    return jsonify(
        categories=[
            {"id": c.id, "key": c.key, "name": c.name, "faq": c.is_faq, "articles": counts[c.id]}
            for c in service.categories()
            if counts.get(c.id)
        ]
    )
