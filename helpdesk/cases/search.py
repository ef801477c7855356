"""Full-text search over cases (CASE-4): call id, subject, description and public messages.

One function for both databases: SQLite's FTS5 or PostgreSQL's full text with German stemming
and a GIN index; every word matches as a prefix. The index is a table of its own
(``case_search``), rewritten for a case whenever its searchable text changes, in the same
transaction. Internal notes are never indexed, so search can never reveal them.

On SQLite the words are ours: ``words`` folds case ("ß" as "ss") and accents and splits the
text, FTS5 indexes the result, and every word indexed is kept once in ``search_term``. A
search word then stands for the indexed words it begins (``"druck"`` for drucker, druckerei,
...), found in that small table, and FTS5 reads each word's matches lazily, newest first. Left
to FTS5, a prefix query first merges every match of every such word: at a million cases that
was the slowest page of the portal.
"""

import re
import unicodedata

from peewee import SQL, Expression, PostgresqlDatabase, Table, fn

from helpdesk.cases.callids import find_call_ids
from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.db import db, is_postgres

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def create_index_table(database) -> None:
    """Create the search table for ``database``'s engine (called by a migration); on SQLite
    also the table of indexed words (``create_term_table``)."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(
            "CREATE TABLE IF NOT EXISTS case_search ("
            ' case_id INTEGER PRIMARY KEY REFERENCES "case" (id) ON DELETE CASCADE,'
            " document TSVECTOR NOT NULL)"
        )
        database.execute_sql(
            "CREATE INDEX IF NOT EXISTS case_search_document ON case_search USING GIN (document)"
            " WITH (fastupdate = off)"  # no pending list for every search to read (0037)
        )
    else:
        database.execute_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5("
            "call_id, subject, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        create_term_table(database)


def create_term_table(database) -> None:
    """SQLite: every word the index holds, once (``expand`` reads it)."""
    database.execute_sql(
        "CREATE TABLE IF NOT EXISTS search_term (term TEXT PRIMARY KEY) WITHOUT ROWID"
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
        index_rows([(case.id, case.call_id, case.subject, body)])


def index_rows(rows, table: str = "case_search") -> None:
    """SQLite: add ``(case id, call id, subject, text)`` rows to the index ``table`` as
    ``words`` sees them, and their words to ``search_term``."""
    documents, seen = [], set()
    for case_id, *parts in rows:
        columns = [words(part or "") for part in parts]
        seen.update(*columns)
        documents.append((case_id, *(" ".join(column) for column in columns)))
    cursor = db.cursor()
    cursor.executemany(
        f"INSERT INTO {table} (rowid, call_id, subject, body) VALUES (?, ?, ?, ?)", documents
    )
    cursor.executemany(
        "INSERT OR IGNORE INTO search_term (term) VALUES (?)", [(t,) for t in sorted(seen)]
    )


#: Cases indexed per batch when the whole index is written at once.
BATCH = 5000


def index_descriptions() -> None:
    """Index every case from its call id, subject and description, for data loaded in bulk
    (the benchmark); messages are left out."""
    if is_postgres():
        db.execute_sql(
            "INSERT INTO case_search (case_id, document) SELECT id,"
            f' {_PG_DOCUMENT.format("call_id", "subject", "description")} FROM "case"'
        )
        return
    last = 0
    while True:
        rows = db.execute_sql(
            'SELECT id, call_id, subject, description FROM "case" WHERE id > ? ORDER BY id LIMIT ?',
            (last, BATCH),
        ).fetchall()
        if not rows:
            return
        index_rows(rows)
        last = rows[-1][0]


def terms(text: str) -> list[str]:
    """The words of a search for PostgreSQL, lower-cased, at most ``MAX_TERMS``."""
    return [word.lower() for word in _WORD.findall(text or "")][:MAX_TERMS]


_LETTERS_AND_DIGITS = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text`` as the SQLite index holds them: case-folded ("Straße" is
    "strasse"), accents removed ("Übergabe" is "ubergabe"), split at every character that is
    not a letter or a digit. Index and search both go through here, so they always agree."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _LETTERS_AND_DIGITS.findall("".join(c for c in folded if not unicodedata.combining(c)))


def narrow(query, text: str, messages: bool = True):
    """``query`` (a select over ``Case``) narrowed to cases matching ``text``, in any order.

    Every word must match (as a prefix); a call id in the text matches that case directly.
    ``messages=False`` searches call id and subject only: for a person under the
    correspondence rule (PERM-3), whom the text of a message they may not read must not
    lead to its case (description and messages share one part of the index).
    """
    call_ids = find_call_ids(text)
    searched = _search_words(_CALL_ID_OR_NOTHING.sub(" ", text))
    if not searched and not call_ids:
        return query
    condition = None
    if searched:
        condition = Case.id.in_(_matching_ids(searched, messages))
    if call_ids:
        by_call_id = Case.call_id.in_(call_ids)
        condition = by_call_id if condition is None else (condition | by_call_id)
    return query.where(condition)


def index_match(text: str, messages: bool = True) -> str | None:
    """``text`` as the search index's match for ``newest_first`` (FTS5's query, PostgreSQL's
    tsquery; ``messages`` as in ``narrow``); None when ``text`` holds no words or a call id,
    which ``narrow`` handles."""
    searched = _search_words(_CALL_ID_OR_NOTHING.sub(" ", text))
    if not searched or find_call_ids(text):
        return None
    return _pg_query(searched, messages) if is_postgres() else _fts_query(searched, messages)


def newest_first(query, text: str, descending: bool = True, messages: bool = True):
    """``query`` narrowed to cases matching ``text`` (``messages`` as in ``narrow``) and
    ordered by case id (creation), read from the search index in that order; None when
    ``text`` holds no words (only call ids), which ``narrow`` handles.

    Ordered by its own row ids, the index hands out matches one by one and the database stops
    after a page: the cost follows the page and how selective the other filters are, not how
    many cases match. ``narrow``'s ``IN`` list must first collect every match.
    """
    match = index_match(text, messages)
    return None if match is None else in_index_order(query, match, descending)


def in_index_order(query, match: str, descending: bool = True):
    """``newest_first`` for the index's ``match`` (``index_match``): the statement's one value
    from the search, its SQL the same for every search."""
    # FTS5 matches on its hidden column named like the table; PostgreSQL on ``document``.
    index = Table("case_search", ("case_id", "rowid", "document", "case_search"))
    if is_postgres():
        key = index.case_id
        condition = Expression(index.document, "@@", fn.to_tsquery("german", match))
    else:
        key = index.rowid
        condition = Expression(index.case_search, "MATCH", match)
    query = query.join_from(Case, index, on=(key == Case.id)).where(condition)
    return query.order_by(key.desc() if descending else key.asc())


#: Cases of a list a PostgreSQL search checks one by one, newest first, before it asks the
#: index for every match (``window_first``).
WINDOW = 1000


def window_first(query, match: str, descending: bool, limit: int, offset: int):
    """PostgreSQL: the page (``limit`` rows from ``offset``) of ``query`` (a select of ``Case``
    fields, ``id`` among them) that matches ``match`` (``index_match``), by case id; with
    the common table expressions it reads, for the statement that holds it to declare
    (peewee writes them inside the parentheses of a subquery, where they cannot stand).

    The planner cannot tell how many cases a prefix matches (40 expected for "drucker
    rechnung", 55,311 found among 100,000), so it either walked every case from the newest,
    checking each (21 ms at 100,000 cases for a word nothing matches, growing with the
    table), or collected every match first (147 ms for "drucker rechnung"). Here the newest
    ``WINDOW`` cases the list holds are checked one by one, each by a scalar subquery (which
    PostgreSQL never turns into a join), and the page is usually among them; only when they
    hold less than the page are the older matches collected from the GIN index: then the
    words are rare among the list's cases and their matches few. ``bench`` data, 100,000
    cases, the agents' open cases, EXPLAIN ANALYZE: "drucker rechnung" 147 -> 0.5 ms, "zzzq"
    21 -> 5 ms. The window is what a rare word pays: checking a case costs 3-5 µs, and the
    index's matches cost about as much each once joined, so a thousand cases bound both.
    """
    index = Table("case_search", ("case_id", "document"))
    needed = limit + offset
    newest = Case.id.desc() if descending else Case.id.asc()
    window = query.order_by(newest).limit(SQL(str(WINDOW))).alias("window")
    document = index.select(index.document).where(index.case_id == window.c.id)
    names = [column.column_name for column in query.selected_columns]
    recent = (
        Case.select(*(window.c[name] for name in names))
        .from_(window)
        .where(Expression(document, "@@", fn.to_tsquery("german", match)))
        .order_by(window.c.id.desc() if descending else window.c.id.asc())
        .limit(SQL(str(needed)))
        .cte("recent", materialized=True)
    )
    edge = window.select(Case.id).alias("edge")
    beyond = Case.select(fn.MIN(edge.c.id) if descending else fn.MAX(edge.c.id)).from_(edge)
    older = (
        index.select(index.case_id)
        .where(
            Expression(index.document, "@@", fn.to_tsquery("german", match))
            & ((index.case_id < beyond) if descending else (index.case_id > beyond))
            & (recent.select(fn.COUNT(SQL("*"))) < needed)
        )
        .cte("older", materialized=True)
    )
    rest = query.where(Case.id.in_(older.select(older.c.case_id))).order_by(newest)
    first = Case.select(*(recent.c[name] for name in names)).from_(recent)
    page = first + rest.limit(SQL(str(needed)))
    order = SQL('"id" DESC' if descending else '"id" ASC')
    return page.order_by(order).limit(SQL(str(limit))).offset(SQL(str(offset))), (recent, older)


_CALL_ID_OR_NOTHING = re.compile(r"\b\d{4}-\d{5,}\b")


def _search_words(text: str) -> list[str]:
    """The words of a search, as the database's index holds them, at most ``MAX_TERMS``."""
    return terms(text) if is_postgres() else words(text)[:MAX_TERMS]


#: A search word standing for more indexed words than this is left to FTS5's own prefix
#: query (slower, but it reads each match once instead of once per word).
MAX_EXPANSION = 64


def _fts_query(searched: list[str], messages: bool = True) -> str:
    """Every word as a prefix: German compounds ("Lagerverwaltungssystem") are found by
    their first part. Without ``messages``, in call id and subject only."""
    match = " AND ".join(expand(word) for word in searched)
    return match if messages else f"{{call_id subject}} : ({match})"


def expand(word: str, table: str = "search_term", most: int | None = None) -> str:
    """``word`` as a prefix in FTS5's query language: the indexed words it begins (from
    ``table``, the index's words), or a prefix query when there are none or more than
    ``most`` (``MAX_EXPANSION`` unless given)."""
    most = MAX_EXPANSION if most is None else most
    following = word[:-1] + chr(ord(word[-1]) + 1)  # the first text after all "word..."
    found = [
        term
        for (term,) in db.execute_sql(
            f"SELECT term FROM {table} WHERE term >= ? AND term < ? LIMIT ?",
            (word, following, most + 1),
        )
    ]
    if not found or len(found) > most:
        return f'"{word}"*'
    return "(" + " OR ".join(f'"{term}"' for term in found) + ")"


def _pg_query(searched: list[str], messages: bool = True) -> str:
    weights = "" if messages else "A"  # call id and subject are weighted A
    return " & ".join(f"{word}:*{weights}" for word in searched)


def _matching_ids(searched: list[str], messages: bool = True):
    if is_postgres():
        return SQL(
            "(SELECT case_id FROM case_search WHERE document @@ to_tsquery('german', %s))",
            (_pg_query(searched, messages),),
        )
    return SQL(
        "(SELECT rowid FROM case_search WHERE case_search MATCH ?)",
        (_fts_query(searched, messages),),
    )
