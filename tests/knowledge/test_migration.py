"""Migration 0034: the plain text of articles written before it, and PostgreSQL's index
without a pending list."""

import pytest

from helpdesk import markdown, migrations
from helpdesk.db import db, is_postgres
from tests.test_migrations import empty_database  # noqa: F401  (the fixture)


@pytest.mark.usefixtures("empty_database")
def test_articles_written_before_keep_their_plain_text():
    migrations.upgrade(target=33)
    db.execute_sql(
        "INSERT INTO category (key, name_de, name_en, position, is_faq)"
        " VALUES ('alt', 'Alt', 'Old', 1, %s)" % ("false" if is_postgres() else "0")
    )
    body = "Den **Drucker** im [Handbuch](https://example.com/h) suchen.\n\n```\nlpstat -p\n```"
    p = db.param
    db.execute_sql(
        "INSERT INTO article (category_id, audience, state, title_de, title_en, body_de,"
        f" body_en, reads, created_at, updated_at, proposed) VALUES ((SELECT id FROM category),"
        f" 'public', 'published', 'Drucker', '', {p}, {p}, 0, {p}, {p}, {p})",
        (body, "*Printer*", "2026-12-01 10:00:00", "2026-12-01 10:00:00", False),
    )

    migrations.upgrade()

    from helpdesk.knowledge.models import Article

    article = Article.get()
    assert article.plain_de == "Den Drucker im Handbuch suchen.\n\nlpstat -p"
    assert article.plain_de == markdown.plain(body)
    assert article.plain_en == "Printer"
    if is_postgres():
        options = db.execute_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'knowledge_search_document'"
        ).fetchone()[0]
        assert options == ["fastupdate=off"]
