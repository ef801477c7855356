"""PostgreSQL: a search's prefixes spelled as the indexed words they begin (``knowledge_term``,
``search._pg_spelled``) find exactly what the prefixes found, ranked as before."""

import pytest

from helpdesk.db import db, is_postgres
from helpdesk.knowledge import search
from tests.knowledge.test_search import found

QUERIES = [
    "Drucker",
    "Druck Rechnung",
    "Drucker druckt keine Rechnung",
    "alle Drucker",  # "alle" is a stop word of PostgreSQL's German dictionary, not ours
    "Straße Übergabe",
    "xyzzy",
    "Drucker xyzzy",
    "und oder alle",
]


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if not is_postgres():
            pytest.skip("SQLite spells its prefixes with expand() since migration 0037")


def _matches(condition: str, value: str, rank: str) -> list[tuple[int, float]]:
    return db.execute_sql(
        "SELECT article_id, ts_rank(document, to_tsquery('german', %s)) AS score"
        f" FROM {search.TABLE} WHERE document @@ {condition}"
        " ORDER BY score DESC, article_id DESC",
        (rank, value),
    ).fetchall()


def _compare_every_query() -> None:
    searches = [(q, needed) for q in QUERIES for needed in (search.ALL_BUT_ONE, search.ALL)]
    for (text, needed), terms in zip(searches, search.match_each(searches), strict=True):
        rank = search._pg_rank(text, needed)
        before = _matches("to_tsquery('german', %s)", rank, rank)
        if terms is None:  # not asked: it can match nothing
            assert before == [], (text, needed)
            continue
        assert terms.rank == rank
        assert _matches("%s::tsquery", terms.match, rank) == before, (text, needed, terms)


@pytest.mark.usefixtures("postgres_only")
def test_spelled_prefixes_find_and_rank_what_the_prefixes_did(app, kb, monkeypatch):
    kb.write("Druckertreiber installieren", "Laden Sie den Treiber für Ihren Drucker.")
    kb.write("Rechnungen drucken", "Mehrere Rechnungen auf einmal drucken, alle.")
    kb.write("Druck der Rechnung", "Der Drucker druckt die Rechnung nicht.")
    kb.write("Straßennamen", "Die Übergabe an die Strasse.")
    kb.write("Lager", "Nichts davon.")
    with app.app_context():
        terms = search.match_terms("Drucker Rechnung")
        assert terms.rank == "drucker:* & rechnung:*"
        assert ":*" not in terms.match  # every prefix spelled as words
        assert "'druckertreib'" in terms.match
        _compare_every_query()
        monkeypatch.setattr(search, "MAX_EXPANSION", 1)  # more words than that: a prefix
        assert "'druck':*" in search.match_terms("Drucker").match
        _compare_every_query()


@pytest.mark.usefixtures("postgres_only")
def test_a_query_that_can_match_nothing_is_not_asked(app, kb):
    kb.write("Drucker", "Die Rechnung.")
    with app.app_context():
        assert search.match_terms("Drucker xyzzy") is None  # every word, one begins nothing
        assert search.match_terms("und oder alle") is None  # PostgreSQL's stop words only
        assert search.match_terms("Drucker Rechnung") is not None
        assert search.match_terms("Drucker xyzzy", search.ANY).match == "('druck') | 'xyzzy':*"
    client = app.test_client()
    assert found(client, "Drucker xyzzy") == []
    assert found(client, "Drucker Rechnung") == ["Drucker"]


@pytest.mark.usefixtures("postgres_only")
def test_a_word_written_later_is_found_by_a_prefix_spelled_before(app, kb):
    kb.write("Drucker", "Der Drucker.")
    client = app.test_client()
    assert found(client, "Druck") == ["Drucker"]
    with app.app_context():
        assert search.match_terms("Druck").match == "('druck')"
    kb.write("Druckertreiber", "Der Treiber.")  # a word the prefix did not begin before
    with app.app_context():
        assert search.match_terms("Druck").match == "('druck' | 'druckertreib')"
    assert sorted(found(client, "Druck")) == ["Drucker", "Druckertreiber"]
