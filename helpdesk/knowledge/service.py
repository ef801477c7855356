"""The knowledge base's rules (KB-1..KB-3), for the pages, mail and jobs alike.

Which articles a person sees is decided in one place, ``visible``: anonymous visitors the
published public ones; customers also those for every customer and those for a product their
organisation has; agents every published article. Search, suggestions, categories and the
most read all start from it, so counts and results never hold more.
"""

import re
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from peewee import JOIN, SQL, IntegrityError, fn

from helpdesk import audit, markdown
from helpdesk.accounts.models import Organisation
from helpdesk.cases.errors import CaseError
from helpdesk.db import Prepared, db
from helpdesk.i18n import current_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.knowledge import search
from helpdesk.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleRead,
    Audience,
    Category,
    Deflection,
    OrganisationProduct,
    Revision,
    State,
)
from helpdesk.knowledge.rights import ensure_publisher, ensure_writer
from helpdesk.permissions import is_customer, may_work_cases
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow

#: Search results per page; suggestions beside the case form.
PAGE_SIZE = 20
SUGGESTIONS = 5
#: The best matches a suggestion looks at for the few its reader may see.
SUGGESTION_POOL = 200
TEXT_FIELDS = ("title_de", "title_en", "body_de", "body_en")
MAX_BODY = 100_000


_KEY = re.compile(r"[A-Za-z0-9_.-]+")


class KnowledgeError(CaseError):
    """A change the knowledge base refuses; the message says why, in the actor's language."""


# Who sees what --------------------------------------------------------------------------


#: Who reads: the three kinds of reader ``visible`` tells apart.
AGENT, CUSTOMER, ANONYMOUS = "agent", "customer", "anonymous"


def reader(user) -> tuple[str, int | None]:
    """``(kind, organisation id)`` of ``user`` as ``visible`` sees them: agents read every
    published article, customers some, everyone else the public ones."""
    if may_work_cases(user):
        return AGENT, None
    if not is_customer(user):
        return ANONYMOUS, None
    return CUSTOMER, user.organisation_id


def visible(query, user):
    """``query`` (over ``Article``) narrowed to the published articles ``user`` may read."""
    return visible_to(query, *reader(user))


def visible_to(query, kind: str, organisation_id: int | None):
    """``visible`` for a reader of ``kind`` (``reader``) in organisation ``organisation_id``
    (customers): the one rule, also of the queries compiled once per kind."""
    query = query.where(Article.state == State.PUBLISHED)
    if kind == AGENT:
        return query
    if kind != CUSTOMER:
        return query.where(Article.audience == Audience.PUBLIC)
    own_products = OrganisationProduct.select(OrganisationProduct.product).where(
        OrganisationProduct.organisation == organisation_id
    )
    return query.where(
        Article.audience.in_([Audience.PUBLIC, Audience.CUSTOMERS])
        | ((Article.audience == Audience.PRODUCT) & Article.product.in_(own_products))
    )


def article_for(user, article_id: int) -> Article | None:
    """The article if ``user`` may read it: agents any (drafts too), others published ones."""
    query = Article.select(Article, Category).join(Category).where(Article.id == article_id)
    if may_work_cases(user):
        return query.first()
    return visible(query, user).first()


_CATEGORIES = Prepared(lambda: Category.select().order_by(Category.position, Category.id))


def categories() -> list[Category]:
    return _CATEGORIES()


def category_counts(user) -> dict[int, int]:
    """Per category id, how many articles ``user`` sees there."""
    query = visible(
        Article.select(Article.category, fn.COUNT(Article.id).alias("n")), user
    ).group_by(Article.category)
    return {row.category_id: row.n for row in query}


def in_category(user, category_id: int) -> list[Article]:
    return list(
        visible(Article.select(), user)
        .where(Article.category == category_id)
        .order_by(Article.id)
        .limit(500)
    )


def most_read(user, limit: int = 5) -> list[Article]:
    return list(
        visible(Article.select(), user)
        .order_by(Article.reads.desc(), Article.id.desc())
        .limit(limit)
    )


_PRODUCTS = Prepared(lambda: Product.select().where(Product.active).order_by(Product.key))


def products() -> list[Product]:
    return _PRODUCTS()


# Search and suggestions -----------------------------------------------------------------


#: What a search result shows of an article (the snippet is cut from the plain text).
_SHOWN = (
    Article.id,
    Article.category,
    Article.title_de,
    Article.title_en,
    Article.plain_de,
    Article.plain_en,
)


class Found(NamedTuple):
    """An article as a search result shows it (``_SHOWN``), and the number of all matches.
    A row, not an ``Article``: making 20 models took a third of the search's Python."""

    id: int
    category_id: int
    title_de: str
    title_en: str
    plain_de: str
    plain_en: str
    total: int

    title_in = Article.title_in
    plain_in = Article.plain_in


#: Stand-ins for the values of the compiled search queries (``db.Prepared``): of the right
#: type, and found nowhere else in the queries.
_STAND_INS = {
    "match": "\x00knowledge match",
    "rank": "\x00knowledge rank",
    "organisation": -9_000_401,
    "product": -9_000_402,
    "category": -9_000_403,
    "limit": -9_000_404,
    "offset": -9_000_405,
}


def _compiled(names: list[str], build) -> Prepared:
    """A query compiled once, its values given in the order of ``names``; ``build`` takes
    them by name."""
    return Prepared(
        lambda *values: build(dict(zip(names, values, strict=True))),
        *(_STAND_INS[name] for name in names),
    )


@cache
def _finder(kind: str, by_product: bool, by_category: bool) -> Prepared:
    """The search's query for a reader of ``kind``, with or without the filters: a page of
    the matches and the number of all of them (a window over the whole result counts it,
    where a second query would match and rank everything again)."""
    names = ["match", "rank", *(["organisation"] if kind == CUSTOMER else [])]
    names += [*(["product"] if by_product else []), *(["category"] if by_category else [])]

    def build(value: dict):
        query = visible_to(Article.select(Article.id), kind, value.get("organisation"))
        if by_product:
            query = query.where(Article.product == value["product"])
        if by_category:
            query = query.where(Article.category == value["category"])
        total = fn.COUNT(SQL("*")).over().alias("total")
        terms = search.Terms(value["match"], value["rank"])
        query = search.ranked(query, Article.id, terms).select_extend(total)
        # The texts are read for the page only, not carried through the ranking of all.
        page = query.limit(value["limit"]).offset(value["offset"]).alias("page")
        return (
            Article.select(*_SHOWN, page.c.total)
            .join(page, on=(Article.id == page.c.id))
            .order_by(page.c.score.desc(), Article.id.desc())
            .tuples()
        )

    return _compiled([*names, "limit", "offset"], build)


def find(user, text: str, product_id=None, category_id=None, page: int = 1):
    """``(count, articles)``: the articles ``user`` sees matching ``text``, best first, one
    page, as ``Found`` rows; ``product_id`` and ``category_id`` narrow it."""
    terms = search.match_terms(text)
    if terms is None:
        return 0, []
    kind, organisation_id = reader(user)
    finder = _finder(kind, bool(product_id), bool(category_id))
    values = [*terms, *([organisation_id] if kind == CUSTOMER else [])]
    values += [value for value in (product_id, category_id) if value]
    articles = [Found(*row) for row in finder(*values, PAGE_SIZE, (page - 1) * PAGE_SIZE)]
    if not articles and page > 1:  # past the last page: the count of the first
        first = finder(*values, 1, 0)
        return (Found(*first[0]).total if first else 0), []
    return (articles[0].total if articles else 0), articles


@cache
def _suggester(kind: str) -> Prepared:
    """The suggestions' query for a reader of ``kind``: the best few of the best matches."""
    names = ["match", "rank", *(["organisation"] if kind == CUSTOMER else []), "limit"]

    def build(value: dict):
        query = Article.select(Article.id, Article.title_de, Article.title_en)
        query = visible_to(query, kind, value.get("organisation"))
        terms = search.Terms(value["match"], value["rank"])
        query = search.ranked(query, Article.id, terms, best=SUGGESTION_POOL)
        return query.limit(value["limit"])

    return _compiled(names, build)


def suggest(user, subject: str, description: str = "") -> list[Article]:
    """The articles best matching a case being written: the subject's words must all match
    when they can, else all but one of them, else any of the subject's and description's
    words (the last matches much of the knowledge base, and ranking that costs most)."""
    kind, organisation_id = reader(user)
    suggester = _suggester(kind)
    attempts = (
        (subject, search.ALL),
        (subject, search.ALL_BUT_ONE),
        (f"{subject} {description}", search.ANY),
    )
    tried = set()
    # The three queries at once: on PostgreSQL that is one statement (``match_each``).
    for terms in search.match_each(attempts):
        if terms is None or terms in tried:
            continue  # no words, or the same query as before (one word: all is any)
        tried.add(terms)
        found = suggester(*terms, *([organisation_id] if kind == CUSTOMER else []), SUGGESTIONS)
        if found:
            return found
    return []


# Writing --------------------------------------------------------------------------------


def _clean(values: dict) -> dict:
    cleaned = {name: (values.get(name) or "").strip() for name in TEXT_FIELDS}
    if not (cleaned["title_de"] or cleaned["title_en"]):
        raise KnowledgeError(_l("Give the article a title in German or English."), "title_de")
    if any(len(cleaned[n]) > 200 for n in ("title_de", "title_en")):
        raise KnowledgeError(_l("A title has at most 200 characters."), "title_de")
    if any(len(cleaned[n]) > MAX_BODY for n in ("body_de", "body_en")):
        raise KnowledgeError(_l("The text is too long."), "body_de")
    category = _category(values.get("category"))
    if category is None:
        raise KnowledgeError(_l("Choose a category."), "category")
    cleaned["category"] = category.id
    audience = values.get("audience")
    if audience not in set(Audience):
        raise KnowledgeError(_l("Choose who may read the article."), "audience")
    cleaned["audience"] = audience
    product = values.get("product") or None
    if product is not None:
        product_id = product if isinstance(product, int) else parse_id(product)
        product = Product.get_or_none(Product.id == product_id) if product_id else None
        if product is None:
            raise KnowledgeError(_l("Choose a product."), "product")
        product = product.id
    if audience == Audience.PRODUCT and product is None:
        raise KnowledgeError(_l("An article for one product needs its product."), "product")
    cleaned["product"] = product
    return cleaned


#: The value of a plugin's category that is not created yet, in the editor's choice.
PLUGIN_CATEGORY = "plugin:"


def _category(value) -> Category | None:
    """The chosen category: an id, or a plugin's category by key (created now)."""
    from helpdesk.knowledge.extensions import contributions

    if isinstance(value, str) and value.startswith(PLUGIN_CATEGORY):
        key = value[len(PLUGIN_CATEGORY) :]
        wanted = next((c for c in contributions().categories if c.key == key), None)
        if wanted is None:
            return None
        return ensure_category(wanted.key, wanted.name_de, wanted.name_en, wanted.is_faq)
    category_id = value if isinstance(value, int) else parse_id(value)
    return Category.get_or_none(Category.id == category_id) if category_id else None


def category_choices() -> list[tuple[str, str, bool]]:
    """The editor's categories as ``(value, name, is_faq)``: those that exist, then the
    plugins' that do not yet."""
    from helpdesk.knowledge.extensions import contributions

    existing = categories()
    keys = {c.key for c in existing}
    choices = [(str(c.id), c.name, c.is_faq) for c in existing]
    for wanted in contributions().categories:
        if wanted.key not in keys:
            keys.add(wanted.key)
            name = wanted.name_de if current_language() == "de" else wanted.name_en
            choices.append((PLUGIN_CATEGORY + wanted.key, name, wanted.is_faq))
    return choices


def _revise(article: Article, actor) -> None:
    Revision.create(
        article=article.id,
        author=actor.id,
        state=article.state,
        **{name: getattr(article, name) for name in TEXT_FIELDS},
    )


def plain_texts(body_de: str = "", body_en: str = "") -> dict:
    """An article's ``plain_de`` and ``plain_en``: what its Markdown texts show, without
    markup. Kept with the texts so a search's snippets need no Markdown rendered: that took
    2.6 of 15 s (cProfile) of 200 searches of 20 results each."""
    return {"plain_de": markdown.plain(body_de), "plain_en": markdown.plain(body_en)}


def create_article(actor, values: dict) -> Article:
    """A new draft from ``values`` (the form's fields by name)."""
    ensure_writer(actor)
    cleaned = _clean(values)
    plain = plain_texts(cleaned["body_de"], cleaned["body_en"])
    with db.atomic():
        article = Article.create(created_by=actor.id, state=State.DRAFT, **cleaned, **plain)
        _revise(article, actor)
        search.index_article(article)
        audit.record(actor, "article.created", article, None, _logged(cleaned))
    return article


def update_article(actor, article: Article, values: dict) -> Article:
    ensure_writer(actor)
    cleaned = _clean(values)
    values = {
        **{name: cleaned[name] for name in TEXT_FIELDS},
        "audience": cleaned["audience"],
        "category_id": cleaned["category"],
        "product_id": cleaned["product"],
    }
    with db.atomic():
        before, after = audit.changes(article, list(values), values)
        if not before:
            return article
        for name, text in plain_texts(article.body_de, article.body_en).items():
            setattr(article, name, text)
        article.updated_at = utcnow()
        article.save()
        _revise(article, actor)
        search.index_article(article)
        audit.record(actor, "article.updated", article, _logged(before), _logged(after))
    return article


def _logged(values: dict) -> dict:
    """What the audit log keeps of an article's change: texts by length, not in full."""
    return {
        name: (f"{len(value)} characters" if name.startswith("body") else value)
        for name, value in values.items()
    }


def set_state(actor, article: Article, state: str) -> Article:
    """Publish, archive or return to draft."""
    ensure_publisher(actor)
    if state not in set(State):
        raise KnowledgeError(_l("Unknown state."))
    if article.state == state:
        return article
    with db.atomic():
        before = article.state
        article.state = state
        if state == State.PUBLISHED and article.published_at is None:
            article.published_at = utcnow()
        article.updated_at = utcnow()
        article.save()
        _revise(article, actor)
        audit.record(actor, "article.state", article, {"state": before}, {"state": state})
    return article


def revisions(article: Article):
    from helpdesk.accounts.models import User

    return list(
        Revision.select(Revision, User)
        .join(User, JOIN.LEFT_OUTER, on=(Revision.author == User.id))
        .where(Revision.article == article.id)
        .order_by(Revision.id.desc())
        .limit(100)
    )


def all_articles(actor, state: str | None = None):
    """Every article for the agents' list, newest change first."""
    ensure_writer(actor)
    query = Article.select(Article, Category).join(Category).order_by(Article.updated_at.desc())
    if state in set(State):
        query = query.where(Article.state == state)
    return list(query.limit(500))


def create_category(actor, key: str, name_de: str, name_en: str, is_faq: bool) -> Category:
    ensure_publisher(actor)
    key, name_de, name_en = key.strip(), " ".join(name_de.split()), " ".join(name_en.split())
    if not key or not (name_de or name_en):
        raise KnowledgeError(_l("A category needs a key and a name."), "key")
    if len(key) > 50 or not _KEY.fullmatch(key):
        raise KnowledgeError(
            _l("Letters, digits, dots, dashes and underscores only, at most 50."), "key"
        )
    if len(name_de) > 200 or len(name_en) > 200:
        raise KnowledgeError(_l("A title has at most 200 characters."), "name_de")
    position = (Category.select(fn.MAX(Category.position)).scalar() or 0) + 1
    try:
        with db.atomic():
            category = Category.create(
                key=key,
                name_de=name_de or name_en,
                name_en=name_en or name_de,
                is_faq=is_faq,
                position=position,
            )
            audit.record(
                actor, "category.created", category, None, {"key": key, "name": category.name}
            )
    except IntegrityError:
        raise KnowledgeError(_l("This key is taken."), "key") from None
    return category


def ensure_category(key: str, name_de: str, name_en: str, is_faq: bool = False) -> Category:
    """The category ``key``, created when missing (plugins and the demo)."""
    category = Category.get_or_none(Category.key == key)
    if category is None:
        position = (Category.select(fn.MAX(Category.position)).scalar() or 0) + 1
        category = Category.create(
            key=key, name_de=name_de, name_en=name_en, is_faq=is_faq, position=position
        )
    return category


def set_products(actor, organisation: Organisation, product_ids: list[int]) -> None:
    """The products ``organisation`` has (which product articles its people read)."""
    from helpdesk.permissions import ensure_admin

    ensure_admin(actor)
    wanted = {p.id for p in Product.select(Product.id).where(Product.id.in_(product_ids))}
    current = {
        row.product_id
        for row in OrganisationProduct.select().where(
            OrganisationProduct.organisation == organisation.id
        )
    }
    if wanted == current:
        return
    with db.atomic():
        OrganisationProduct.delete().where(
            OrganisationProduct.organisation == organisation.id
        ).execute()
        OrganisationProduct.insert_many(
            [{"organisation": organisation.id, "product": p} for p in sorted(wanted)]
        ).execute()
        audit.record(
            actor,
            "organisation.products",
            organisation,
            {"products": sorted(current)},
            {"products": sorted(wanted)},
        )


# What customers do with articles --------------------------------------------------------


def record_read(user, article: Article) -> None:
    """Count a reading; remember it for a signed-in customer (shown on their next case)."""
    with db.atomic():
        Article.update(reads=Article.reads + 1).where(Article.id == article.id).execute()
        if is_customer(user):
            ArticleRead.create(user=user.id, article=article.id)


def deflect(user, article: Article) -> bool:
    """``user`` says ``article`` solved their problem: counted once per customer and article;
    True when this was the first time."""
    if not is_customer(user):
        raise KnowledgeError(_l("Only customers answer this."))
    try:
        with db.atomic():
            Deflection.create(user=user.id, article=article.id)
    except IntegrityError:
        return False
    return True


def deflections(article_id: int) -> int:
    return Deflection.select().where(Deflection.article == article_id).count()


#: How long before a case's opening a reading counts as read "before writing".
READ_BEFORE = timedelta(days=1)


#: How many of those readings an agent sees.
READ_BEFORE_SHOWN = 10


class Reading(NamedTuple):
    """An article a requester read before writing (id and titles), and when."""

    id: int
    title_de: str
    title_en: str
    read_at: datetime

    title_in = Article.title_in
    title = Article.title


#: Compiled once (``db.Prepared``): it runs on every case page an agent opens, where building
#: it with peewee (and reading whole articles) cost 9 % of the page.
_READINGS = Prepared(
    lambda user_id, earliest, latest: (
        ArticleRead.select(Article.id, Article.title_de, Article.title_en, ArticleRead.read_at)
        .join(Article)
        .where(
            (ArticleRead.user == user_id)
            & (ArticleRead.read_at <= latest)
            & (ArticleRead.read_at >= earliest)
        )
        .order_by(ArticleRead.read_at.desc())
        .limit(READ_BEFORE_SHOWN)
        .tuples()
    ),
    -9_000_501,
    datetime(1901, 2, 3, 4, 5, 6),
    datetime(1901, 2, 3, 4, 5, 7),
)


def read_before(user_id: int, before: datetime) -> list[Reading]:
    """The articles ``user_id`` opened in the day up to ``before`` (a case's opening),
    newest first, at most ``READ_BEFORE_SHOWN``."""
    return [Reading(*row) for row in _READINGS(user_id, before - READ_BEFORE, before)]


# Feedback, articles from cases, customers' proposals (KB-5) ------------------------------

MAX_COMMENT = 2000


def give_feedback(user, article: Article, helpful: bool, comment: str) -> ArticleFeedback:
    """ "Was this helpful?" from ``user`` (who may read ``article``), with a comment."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise KnowledgeError(_l("The comment is too long."), "comment")
    return ArticleFeedback.create(
        article=article.id, user=user.id, helpful=bool(helpful), comment=comment
    )


def feedback_for(article: Article) -> dict:
    """What the authors see: the counts and the newest comments."""
    from helpdesk.accounts.models import User

    rows = list(
        ArticleFeedback.select(ArticleFeedback, User)
        .join(User, JOIN.LEFT_OUTER, on=(ArticleFeedback.user == User.id))
        .where(ArticleFeedback.article == article.id)
        .order_by(ArticleFeedback.id.desc())
        .limit(50)
    )
    counts = dict(
        ArticleFeedback.select(ArticleFeedback.helpful, fn.COUNT(ArticleFeedback.id))
        .where(ArticleFeedback.article == article.id)
        .group_by(ArticleFeedback.helpful)
        .tuples()
    )
    return {
        "helpful": counts.get(True, 0),
        "unhelpful": counts.get(False, 0),
        "comments": [row for row in rows if row.comment],
        "deflections": deflections(article.id),
    }


def draft_from_case(actor, case) -> Article:
    """A draft article from ``case``: its subject, description and public messages, for the
    agent to rewrite and free of personal data before publishing; the case stays linked."""
    from helpdesk.cases.models import Event, EventKind, Visibility

    ensure_writer(actor)
    category = Category.select().order_by(Category.position, Category.id).first()
    if category is None:
        raise KnowledgeError(_l("Create a category first."))
    messages = (
        Event.select(Event.body)
        .where(
            (Event.case == case.id)
            & (Event.kind == EventKind.MESSAGE)
            & (Event.visibility == Visibility.PUBLIC)
        )
        .order_by(Event.id)
    )
    text = "\n\n---\n\n".join([case.description or "", *(m.body or "" for m in messages)])
    field = "de" if (case.requester.language or "de") == "de" else "en"
    with db.atomic():
        article = Article.create(
            category=category.id,
            audience=Audience.CUSTOMERS,
            state=State.DRAFT,
            created_by=actor.id,
            source_case=case.id,
            product=case.product_id,
            **{f"title_{field}": case.subject[:200], f"body_{field}": text[:MAX_BODY]},
            **{f"plain_{field}": markdown.plain(text[:MAX_BODY])},
        )
        _revise(article, actor)
        search.index_article(article)
        audit.record(actor, "article.created", article, None, {"case": case.call_id})
    return article


def propose(actor, values: dict) -> Article:
    """A customer's proposal for an article: a draft agents review (seed 000's "knowledge
    base suggestion")."""
    if not is_customer(actor):
        raise KnowledgeError(_l("Only customers propose articles."))
    title = (values.get("title") or "").strip()
    text = (values.get("text") or "").strip()
    if not title:
        raise KnowledgeError(_l("Give the article a title in German or English."), "title")
    if len(title) > 200 or len(text) > MAX_BODY:
        raise KnowledgeError(_l("The text is too long."), "text")
    category = _category(values.get("category")) or (
        Category.select().order_by(Category.position, Category.id).first()
    )
    if category is None:
        raise KnowledgeError(_l("Choose a category."), "category")
    field = "de" if current_language() == "de" else "en"
    with db.atomic():
        article = Article.create(
            category=category.id,
            audience=Audience.CUSTOMERS,
            state=State.DRAFT,
            created_by=actor.id,
            proposed=True,
            **{f"title_{field}": title, f"body_{field}": text},
            **{f"plain_{field}": markdown.plain(text)},
        )
        _revise(article, actor)
        search.index_article(article)  # found once an agent publishes it, edited or not
        audit.record(actor, "article.proposed", article, None, {"title": title})
    return article


def source_call_id(article: Article | None) -> str | None:
    """The call id of the case ``article`` was written from, if any."""
    if article is None or article.source_case_id is None:
        return None
    from helpdesk.cases.models import Case

    case = Case.select(Case.call_id).where(Case.id == article.source_case_id).first()
    return case.call_id if case else None


def organisations_with_products() -> list[tuple[Organisation, set[int]]]:
    """Every organisation with the ids of the products it has, by name."""
    have: dict[int, set[int]] = {}
    for row in OrganisationProduct.select(
        OrganisationProduct.organisation, OrganisationProduct.product
    ).tuples():
        have.setdefault(row[0], set()).add(row[1])
    organisations = Organisation.select().order_by(Organisation.name, Organisation.id).limit(500)
    return [(organisation, have.get(organisation.id, set())) for organisation in organisations]
