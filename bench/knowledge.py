"""The knowledge base in ``make bench``: 20,000 articles of every audience, the help-center
search and the suggestion call a customer's case form makes while they type.

Seeded once per dataset (a marker beside the database), written with multi-row inserts and
indexed in bulk (``knowledge.search.index_rows``).
"""

import random
from pathlib import Path

from bench.seed import BATCH, WORDS
from helpdesk.accounts.models import Organisation
from helpdesk.db import db, is_postgres
from helpdesk.knowledge import search, service
from helpdesk.knowledge.models import Article, Audience, Category, OrganisationProduct, State
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow

ARTICLES = 20_000
AUDIENCES = [Audience.PUBLIC, Audience.CUSTOMERS, Audience.PRODUCT, Audience.AGENTS]


def seed_once(folder: Path, database: str) -> None:
    """Write the articles unless this dataset has them (call inside an app context); on
    PostgreSQL also the statistics of every table, each time."""
    marker = folder / f"knowledge-{database}.txt"
    if not (marker.exists() or Article.select().count() >= ARTICLES):
        _seed()
    marker.write_text(str(ARTICLES))
    if is_postgres():
        # What autovacuum keeps on a real server (and not on one where it is switched off,
        # as on this machine's): without statistics the planner took the 20,000 articles for
        # one row and hashed all of them for every search (82 ms instead of 9 ms), and knew
        # nothing of the cases the lists and searches read.
        db.execute_sql("ANALYZE")


def _seed() -> None:
    rng = random.Random(14)
    # Each article: a few of the benchmark's domain words among many others, as in a real
    # knowledge base (where not every article names every keyword).
    syllables = ["ka", "lo", "mer", "tin", "sa", "ver", "bu", "ch", "ung", "ter", "an", "ex"]
    filler = sorted({"".join(rng.choice(syllables) for _ in range(4)) for _ in range(6000)})
    products = [p.id for p in Product.select(Product.id).order_by(Product.id)]
    categories = [
        Category.get_or_create(
            key=f"bench-{n}", defaults={"name_de": f"Kategorie {n}", "name_en": f"Category {n}"}
        )[0].id
        for n in range(10)
    ]
    with db.atomic():
        for organisation in Organisation.select(Organisation.id):
            OrganisationProduct.get_or_create(organisation=organisation.id, product=products[0])
    now = utcnow()
    written = 0
    while written < ARTICLES:
        rows = []
        for _ in range(min(BATCH, ARTICLES - written)):
            words = [rng.choice(WORDS) for _ in range(3)] + [rng.choice(filler) for _ in range(57)]
            title = " ".join(words[:2] + words[3:5])
            body = " ".join(words)
            rows.append(
                {
                    "category": rng.choice(categories),
                    "product": rng.choice(products),
                    "audience": rng.choice(AUDIENCES),
                    "state": State.PUBLISHED if rng.random() < 0.9 else State.DRAFT,
                    "title_de": title,
                    "title_en": title,
                    "body_de": body,
                    "body_en": "",
                    **service.plain_texts(body, ""),
                    "reads": rng.randint(0, 500),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        with db.atomic():
            first = Article.select(Article.id).order_by(Article.id.desc()).first()
            start = first.id if first else 0
            Article.insert_many(rows).execute()
            fresh = (
                Article.select(
                    Article.id, Article.title_de, Article.title_en, Article.body_de, Article.body_en
                )
                .where(Article.id > start)
                .tuples()
            )
            search.index_rows(list(fresh))
        written += len(rows)


def pages(customer: str) -> list[tuple[str, str, str]]:
    """The measured pages: (label, path, cookie)."""
    return [
        ("knowledge search, 20,000 articles", "/help/search?q=drucker+rechnung", customer),
        (
            "case form suggestions (htmx)",
            "/help/suggestions?subject=Drucker+druckt+keine+Rechnung&description=",
            customer,
        ),
    ]
