"""Full-text search over articles (KB-2), the same way as case search (``cases.search``).

SQLite: FTS5 over the portal's own words (``cases.search.words``: case folded, "ß" as "ss",
accents and umlauts removed), every search word a prefix, so a compound ("Druckertreiber") is
found by its first part and an inflected form by its stem. PostgreSQL: the same folded words
through the German stemmer, weighted title over text, with a GIN index, every word a prefix.
Search words are stemmed the same way on both (``stem``): "Druckern" searches "drucker*".

Ranking is the database's (FTS5's bm25, PostgreSQL's ts_rank); the highlighted snippet is cut
from the article's own text here, so it shows the words as written.
"""

import re
from functools import lru_cache
from itertools import combinations

from markupsafe import Markup, escape
from peewee import CTE, SQL, PostgresqlDatabase

from helpdesk.cases.search import MAX_TERMS, words
from helpdesk.db import db, is_postgres

TABLE = "knowledge_search"


def create_index_table(database) -> None:
    """Create the article index for ``database``'s engine (called by the migration)."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            " article_id INTEGER PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)"
        )
        database.execute_sql(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING GIN (document)"
        )
    else:
        database.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


_PG_DOCUMENT = (
    "setweight(to_tsvector('german', %s), 'A') || setweight(to_tsvector('german', %s), 'B')"
)

#: German endings taken off a search word before it is used as a prefix (longest first).
_ENDINGS = ("ern", "em", "en", "er", "es", "e", "n", "s")


def stem(word: str) -> str:
    """A search word without its German inflection ending ("druckern" is "drucker"), when
    at least four letters stay, so the prefix finds every form of the word."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _folded(text: str) -> str:
    return " ".join(words(text or ""))


def index_article(article) -> None:
    """Rewrite ``article``'s entry: both languages' titles and texts."""
    title = f"{article.title_de} {article.title_en}"
    body = f"{article.body_de}\n{article.body_en}"
    if is_postgres():
        db.execute_sql(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {_PG_DOCUMENT})"
            " ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            (article.id, _folded(title), _folded(body)),
        )
    else:
        db.execute_sql(f"DELETE FROM {TABLE} WHERE rowid = ?", (article.id,))
        db.execute_sql(
            f"INSERT INTO {TABLE} (rowid, title, body) VALUES (?, ?, ?)",
            (article.id, _folded(title), _folded(body)),
        )


def index_rows(rows) -> None:
    """Index ``(id, title_de, title_en, body_de, body_en)`` rows at once (the benchmark)."""
    documents = [(i, _folded(f"{td} {te}"), _folded(f"{bd}\n{be}")) for i, td, te, bd, be in rows]
    cursor = db.cursor()
    if is_postgres():
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {_PG_DOCUMENT})",
            documents,
        )
    else:
        cursor.executemany(f"INSERT INTO {TABLE} (rowid, title, body) VALUES (?, ?, ?)", documents)


#: Words that say nothing about a problem (folded as ``words`` folds them), left out of a
#: search unless nothing else is left.
_STOP_LINES = (
    "der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine",
    "keinen ist sind war wird werden hat haben mit von zu im in am an auf fur bei nach aus",
    "ich sie er es wir mein meine wie was wo warum bitte",
    "the a an and or not no is are was be to of in on at for with my how what why please",
    "does do it",
)
STOP_WORDS = frozenset(" ".join(_STOP_LINES).split())


def search_words(text: str) -> list[str]:
    """The stemmed, folded words of a search without stop words, at most ``MAX_TERMS``."""
    found = words(text or "")
    meaningful = [word for word in found if word not in STOP_WORDS] or found
    return [stem(word) for word in meaningful][:MAX_TERMS]


#: How many of the search words an article must hold: all, all but one, or any.
ALL, ALL_BUT_ONE, ANY = "all", "all but one", "any"


def _matching(terms: list[str], needed: str, both: str, either: str) -> str:
    """The index's query for ``terms`` (each already a prefix term) with ``needed`` of them,
    in the engine's words for "and" (``both``) and "or" (``either``)."""
    if needed == ANY or len(terms) < 2:
        return either.join(terms) if needed == ANY else both.join(terms)
    if needed == ALL_BUT_ONE:
        return either.join(f"({both.join(some)})" for some in combinations(terms, len(terms) - 1))
    return both.join(terms)


def ranked(query, key, text: str, needed: str = ALL, best: int | None = None):
    """``query`` joined to the articles matching ``text`` on ``key`` (the article id) and
    ordered best first; None when ``text`` holds no words. ``needed`` says how many of the
    words an article must hold (``ALL``; the suggestions try ``ALL_BUT_ONE``, then ``ANY``:
    a case's words are more than any article shares, and "any" matches, and ranks, a large
    part of the knowledge base).

    The matches are read from the index first, as a materialised table of id and score, and
    then joined: left to itself SQLite's planner may walk every article and ask the index
    once for each. ``best`` keeps only that many best matches before the join (suggestions:
    no count, only the first few that the person may read)."""
    searched = search_words(text)
    if not searched:
        return None
    if is_postgres():
        # PostgreSQL stems the search words itself, as it stemmed the document's.
        found = words(text)
        meaningful = [word for word in found if word not in STOP_WORDS] or found
        terms = _matching([f"{word}:*" for word in meaningful[:MAX_TERMS]], needed, " & ", " | ")
        matches = SQL(
            "SELECT article_id, ts_rank(document, to_tsquery('german', %s))"
            f" FROM {TABLE} WHERE document @@ to_tsquery('german', %s)"
            + (f" ORDER BY 2 DESC LIMIT {int(best)}" if best else ""),
            (terms, terms),
        )
    else:
        terms = _matching([f'"{word}"*' for word in searched], needed, " AND ", " OR ")
        matches = SQL(  # bm25: lower is better
            f"SELECT rowid, -bm25({TABLE}, 10.0, 1.0) FROM {TABLE} WHERE {TABLE} MATCH ?"
            + (f" ORDER BY 2 DESC LIMIT {int(best)}" if best else ""),
            (terms,),
        )
    found = CTE("knowledge_match", matches, materialized=True, columns=("article_id", "score"))
    return (
        query.with_cte(found)
        .join_from(key.model, found, on=(found.c.article_id == key))
        .order_by(found.c.score.desc(), key.desc())
    )


_ASCII_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=50_000)
def _token_words(token: str) -> tuple[str, ...]:
    """The index's words of one token of a text as written (a token repeats across
    articles: folding each once per process spares the Unicode work on every snippet)."""
    low = token.casefold()
    return tuple(_ASCII_WORD.findall(low) if low.isascii() else words(token))


@lru_cache(maxsize=1024)
def _wanted(searched: str) -> tuple[str, ...]:
    return tuple(search_words(searched))


def snippet(text: str, searched: str, length: int = 30) -> Markup:
    """About ``length`` words of ``text`` around the first searched word, the searched words
    marked; escaped otherwise (the shown words escaped at once, the marks put in after)."""
    wanted = _wanted(searched)

    def hit(token: str) -> bool:
        return bool(wanted) and any(word.startswith(wanted) for word in _token_words(token))

    plain = (text or "").replace(_OPEN, "").replace(_CLOSE, "").split()
    first = next((i for i, t in enumerate(plain) if hit(t)), 0)
    start = max(0, first - length // 3)
    shown = " ".join(f"{_OPEN}{t}{_CLOSE}" if hit(t) else t for t in plain[start : start + length])
    out = str(escape(shown)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    if start > 0:
        out = "… " + out
    if start + length < len(plain):
        out = out + " …"
    return Markup(out)


#: Stand-ins for the marks while the text is escaped (taken out of the text first).
_OPEN, _CLOSE = "\x00", "\x01"
