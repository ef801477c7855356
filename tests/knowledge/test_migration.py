"""Migrations 0034, 0037 and 0043: the plain text of articles written before them, the index's
words, and PostgreSQL's indexes without a pending list."""

import pytest

from helpdesk import markdown, migrations
from helpdesk.db import db, is_postgres
from helpdesk.knowledge import search
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


@pytest.mark.usefixtures("empty_database")
def test_articles_indexed_before_are_found_through_their_words():
    """Migration 0037: on SQLite the index's words fill ``knowledge_term``, which a search
    spells its prefixes with; on PostgreSQL the case search's index keeps no pending list."""
    migrations.upgrade(target=35)
    if is_postgres():
        db.execute_sql("ALTER INDEX case_search_document SET (fastupdate = on)")  # as before
    else:
        db.execute_sql(f"DROP TABLE {search.TERMS}")  # not there before
        db.execute_sql(
            f"INSERT INTO {search.TABLE} (rowid, title, body)"
            " VALUES (3, 'drucker', 'strasse ubergabe')"
        )

    migrations.upgrade()

    if is_postgres():
        options = db.execute_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'case_search_document'"
        ).fetchone()[0]
        assert options == ["fastupdate=off"]
        return
    terms = {row[0] for row in db.execute_sql(f"SELECT term FROM {search.TERMS}")}
    assert terms == {"drucker", "strasse", "ubergabe"}
    matching = search.match_terms("Druckern Straße").match
    assert matching == '("drucker") AND ("strasse")'
    query = f"SELECT rowid FROM {search.TABLE} WHERE {search.TABLE} MATCH ?"
    assert [row[0] for row in db.execute_sql(query, (matching,))] == [3]


@pytest.mark.usefixtures("empty_database")
def test_articles_indexed_before_spell_prefixes_with_their_words_on_postgresql():
    """Migration 0043: on PostgreSQL the index's words fill ``knowledge_term`` (SQLite's
    came with 0037), and a search spells its prefixes with them."""
    if not is_postgres():
        pytest.skip("SQLite's table came with 0037")
    migrations.upgrade(target=42)
    db.execute_sql(
        "INSERT INTO category (key, name_de, name_en, position, is_faq)"
        " VALUES ('alt', 'Alt', 'Old', 1, false)"
    )
    db.execute_sql(
        "INSERT INTO article (category_id, audience, state, title_de, title_en, body_de,"
        " body_en, reads, created_at, updated_at, proposed, plain_de, plain_en) VALUES"
        " ((SELECT id FROM category), 'public', 'published', 'Drucker', '', '', '', 0,"
        " now(), now(), false, '', '')"
    )
    db.execute_sql(
        f"INSERT INTO {search.TABLE} (article_id, document)"
        " SELECT id, to_tsvector('german', 'druckertreiber strasse ubergabe') FROM article"
    )

    migrations.upgrade()

    terms = {row[0] for row in db.execute_sql(f"SELECT term FROM {search.TERMS}")}
    assert terms == {"druckertreib", "strass", "ubergab"}
    assert search.match_terms("Drucker Straße").match == "('druckertreib') & ('strass')"
