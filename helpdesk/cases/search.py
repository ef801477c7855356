"""Full-text search over cases (CASE-4): call id, subject, description and public messages.

One function for both databases: SQLite's FTS5 (Unicode, diacritics folded) or PostgreSQL's
full text with German stemming and a GIN index; every word matches as a prefix. The index is a
table of its own (``case_search``), rewritten for a case whenever its searchable text changes,
in the same transaction. Internal notes are never indexed, so search can never reveal them.
"""

import re

from peewee import SQL, Expression, PostgresqlDatabase, Table, fn

from helpdesk.cases.callids import find_call_ids
from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.db import db, is_postgres

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def create_index_table(database) -> None:
    """Create the search table for ``database``'s engine (called by a migration)."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(
            "CREATE TABLE IF NOT EXISTS case_search ("
            ' case_id INTEGER PRIMARY KEY REFERENCES "case" (id) ON DELETE CASCADE,'
            " document TSVECTOR NOT NULL)"
        )
        database.execute_sql(
            "CREATE INDEX IF NOT EXISTS case_search_document ON case_search USING GIN (document)"
        )
    else:
        database.execute_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5("
            "call_id, subject, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


#: A case's PostgreSQL document from its call id, subject and text: the call id as it is,
#: subject and text stemmed as German, subject weighted like the call id.
_PG_DOCUMENT = (
    "setweight(to_tsvector('simple', {0}), 'A') ||"
    " setweight(to_tsvector('german', {1}), 'A') ||"
    " setweight(to_tsvector('german', {2}), 'B')"
)


def _public_text(case: Case) -> str:
    messages = (
        Event.select(Event.body)
        .where(
            (Event.case == case.id)
            & (Event.kind == EventKind.MESSAGE)
            & (Event.visibility == Visibility.PUBLIC)
        )
        .order_by(Event.id)
    )
    return "\n".join([case.description, *(m.body or "" for m in messages)])


def index_case(case: Case) -> None:
    """Rewrite ``case``'s entry in the search index."""
    body = _public_text(case)
    if is_postgres():
        db.execute_sql(
            "INSERT INTO case_search (case_id, document)"
            f" VALUES (%s, {_PG_DOCUMENT.format('%s', '%s', '%s')})"
            " ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document",
            (case.id, case.call_id, case.subject, body),
        )
    else:
        db.execute_sql("DELETE FROM case_search WHERE rowid = ?", (case.id,))
        db.execute_sql(
            "INSERT INTO case_search (rowid, call_id, subject, body) VALUES (?, ?, ?, ?)",
            (case.id, case.call_id, case.subject, body),
        )


def index_descriptions() -> None:
    """Index every case from its call id, subject and description in one statement, for
    data loaded in bulk (the benchmark); messages are left out."""
    if is_postgres():
        db.execute_sql(
            "INSERT INTO case_search (case_id, document) SELECT id,"
            f' {_PG_DOCUMENT.format("call_id", "subject", "description")} FROM "case"'
        )
    else:
        db.execute_sql(
            "INSERT INTO case_search (rowid, call_id, subject, body)"
            ' SELECT id, call_id, subject, description FROM "case"'
        )


def terms(text: str) -> list[str]:
    """The words of a search, lower-cased, at most ``MAX_TERMS``."""
    return [word.lower() for word in _WORD.findall(text or "")][:MAX_TERMS]


def narrow(query, text: str, messages: bool = True):
    """``query`` (a select over ``Case``) narrowed to cases matching ``text``, in any order.

    Every word must match (as a prefix); a call id in the text matches that case directly.
    ``messages=False`` searches call id and subject only: for a person under the
    correspondence rule (PERM-3), whom the text of a message they may not read must not
    lead to its case (description and messages share one part of the index).
    """
    call_ids = find_call_ids(text)
    words = terms(_CALL_ID_OR_NOTHING.sub(" ", text))
    if not words and not call_ids:
        return query
    condition = None
    if words:
        condition = Case.id.in_(_matching_ids(words, messages))
    if call_ids:
        by_call_id = Case.call_id.in_(call_ids)
        condition = by_call_id if condition is None else (condition | by_call_id)
    return query.where(condition)


def newest_first(query, text: str, descending: bool = True, messages: bool = True):
    """``query`` narrowed to cases matching ``text`` (``messages`` as in ``narrow``) and
    ordered by case id (creation), read from the search index in that order; None when
    ``text`` holds no words (only call ids), which ``narrow`` handles.

    Ordered by its own row ids, the index hands out matches one by one and the database stops
    after a page: the cost follows the page and how selective the other filters are, not how
    many cases match. ``narrow``'s ``IN`` list must first collect every match.
    """
    words = terms(_CALL_ID_OR_NOTHING.sub(" ", text))
    if not words or find_call_ids(text):
        return None
    # FTS5 matches on its hidden column named like the table; PostgreSQL on ``document``.
    index = Table("case_search", ("case_id", "rowid", "document", "case_search"))
    if is_postgres():
        key = index.case_id
        match = Expression(
            index.document, "@@", fn.to_tsquery("german", _pg_query(words, messages))
        )
    else:
        key = index.rowid
        match = Expression(index.case_search, "MATCH", _fts_query(words, messages))
    query = query.join_from(Case, index, on=(key == Case.id)).where(match)
    return query.order_by(key.desc() if descending else key.asc())


_CALL_ID_OR_NOTHING = re.compile(r"\b\d{4}-\d{5,}\b")


def _fts_query(words: list[str], messages: bool = True) -> str:
    """Every word as a prefix: German compounds ("Lagerverwaltungssystem") are found by
    their first part. Without ``messages``, in call id and subject only."""
    match = " AND ".join(f'"{word}"*' for word in words)
    return match if messages else f"{{call_id subject}} : ({match})"


def _pg_query(words: list[str], messages: bool = True) -> str:
    weights = "" if messages else "A"  # call id and subject are weighted A
    return " & ".join(f"{word}:*{weights}" for word in words)


def _matching_ids(words: list[str], messages: bool = True):
    if is_postgres():
        return SQL(
            "(SELECT case_id FROM case_search WHERE document @@ to_tsquery('german', %s))",
            (_pg_query(words, messages),),
        )
    return SQL(
        "(SELECT rowid FROM case_search WHERE case_search MATCH ?)", (_fts_query(words, messages),)
    )
