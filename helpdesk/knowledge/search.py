"""Full-text search over articles (KB-2), the same way as case search (``cases.search``).

SQLite: FTS5 over the portal's own words (``cases.search.words``: case folded, "ß" as "ss",
accents and umlauts removed), every search word a prefix, so a compound ("Druckertreiber") is
found by its first part and an inflected form by its stem. As in case search, a search word
is replaced by the indexed words it begins (``knowledge_term``, ``cases.search.expand``)
before FTS5 sees it: ranking a prefix query made bm25 merge the entries of every word with
that prefix (the search "drucker rechnung" over 20,000 articles took 0.46 ms, as the
indexed words 0.28 ms). PostgreSQL: the same folded words
through the German stemmer, weighted title over text, with a GIN index, every word a prefix.
Search words are stemmed the same way on both (``stem``): "Druckern" searches "drucker*".

Ranking is the database's (FTS5's bm25, PostgreSQL's ts_rank); the highlighted snippet is cut
from the article's own text here, so it shows the words as written.
"""

import heapq
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

from markupsafe import Markup, escape
from peewee import CTE, SQL, PostgresqlDatabase

from helpdesk.cases.search import MAX_TERMS, expand, words
from helpdesk.db import db, is_postgres

TABLE = "knowledge_search"
#: SQLite: every word the article index holds, once.
TERMS = "knowledge_term"


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
        create_term_table(database)


def create_term_table(database) -> None:
    """The table of the index's words (``expand`` reads it on SQLite, ``_PG_SPELLING`` on
    PostgreSQL, where they are compared byte by byte so that a range holds a prefix's)."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(
            f'CREATE TABLE IF NOT EXISTS {TERMS} (term TEXT COLLATE "C" PRIMARY KEY)'
        )
        return
    database.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {TERMS} (term TEXT PRIMARY KEY) WITHOUT ROWID"
    )


def keep_terms(database, article_ids) -> None:
    """PostgreSQL: add the words of these articles' documents to ``knowledge_term`` (a word
    no article holds any more stays: it finds nothing, and a search still finds all)."""
    database.execute_sql(
        f"INSERT INTO {TERMS} (term) SELECT DISTINCT unnest(tsvector_to_array(document))"
        f" FROM {TABLE} WHERE article_id = ANY(%s) ON CONFLICT DO NOTHING",
        (list(article_ids),),
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
    texts = (article.title_de, article.title_en, article.body_de, article.body_en)
    if is_postgres():
        title, body = f"{texts[0]} {texts[1]}", f"{texts[2]}\n{texts[3]}"
        db.execute_sql(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {_PG_DOCUMENT})"
            " ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            (article.id, _folded(title), _folded(body)),
        )
        keep_terms(db, [article.id])
    else:
        db.execute_sql(f"DELETE FROM {TABLE} WHERE rowid = ?", (article.id,))
        index_rows([(article.id, *texts)])


def index_rows(rows) -> None:
    """Index ``(id, title_de, title_en, body_de, body_en)`` rows at once (the benchmark),
    on SQLite with their words."""
    documents = [(i, _folded(f"{td} {te}"), _folded(f"{bd}\n{be}")) for i, td, te, bd, be in rows]
    cursor = db.cursor()
    if is_postgres():
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {_PG_DOCUMENT})",
            documents,
        )
        keep_terms(db, [i for i, _title, _body in documents])
    else:
        cursor.executemany(f"INSERT INTO {TABLE} (rowid, title, body) VALUES (?, ?, ?)", documents)
        seen = {term for _id, title, body in documents for term in f"{title} {body}".split()}
        cursor.executemany(
            f"INSERT OR IGNORE INTO {TERMS} (term) VALUES (?)", [(t,) for t in sorted(seen)]
        )


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


#: A search word standing for more indexed words than this is left to FTS5's prefix query:
#: bm25 weighs every word of the query for every match (a word standing for 35 others
#: ranked its 6,000 matches in 11.4 ms instead of 8.7 ms; for 8 others, as fast as a prefix).
MAX_EXPANSION = 16

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


class Terms(NamedTuple):
    """A search's words as the index takes them: ``match`` finds the articles, ``rank``
    ranks them. On SQLite both are FTS5's MATCH string. On PostgreSQL ``rank`` is the text of
    a German ``tsquery``, every word a prefix; ``match`` is that query as PostgreSQL reads it,
    each prefix spelled as the indexed words it begins (``_pg_spelled``), so it finds the
    same articles, and they are ranked as before."""

    match: str
    rank: str


def match_terms(text: str, needed: str = ALL) -> Terms | None:
    """The index's query for the words of ``text`` (``Terms``), every word a prefix (spelled
    as the indexed words it begins, ``expand``, ``_pg_spelled``); None when ``text`` holds
    no words (on PostgreSQL also when the query can match nothing). ``needed`` says how
    many of the words an article must hold (``ALL``; the suggestions try ``ALL_BUT_ONE``,
    then ``ANY``: a case's words are more than any article shares, and "any" matches, and
    ranks, a large part of the knowledge base). Values, not SQL, so the query around them
    keeps one shape (``ranked``)."""
    return next(match_each([(text, needed)]))


def match_each(searches) -> Iterator[Terms | None]:
    """``match_terms`` of each ``(text, needed)``: on PostgreSQL all in one statement, on
    SQLite each when it is asked for (``expand`` asks SQLite once per word, and a query
    that is not tried need not be spelled)."""
    if not is_postgres():
        return (_fts_terms(text, needed) for text, needed in searches)
    ranks = [_pg_rank(text, needed) for text, needed in searches]
    spelled = _pg_spelled([rank for rank in ranks if rank is not None])
    return iter(
        [None if spelled.get(rank) is None else Terms(spelled[rank], rank) for rank in ranks]
    )


def _fts_terms(text: str, needed: str) -> Terms | None:
    searched = search_words(text)
    if not searched:
        return None
    match = _matching(
        [expand(word, TERMS, MAX_EXPANSION) for word in searched], needed, " AND ", " OR "
    )
    return Terms(match, match)


def _pg_rank(text: str, needed: str) -> str | None:
    if not search_words(text):
        return None
    # PostgreSQL stems the search words itself, as it stemmed the document's.
    found = words(text)
    meaningful = [word for word in found if word not in STOP_WORDS] or found
    return _matching([f"{word}:*" for word in meaningful[:MAX_TERMS]], needed, " & ", " | ")


#: PostgreSQL: each query as ``to_tsquery`` reads it (stemmed, stop words left out), and for
#: each of its prefixes the first indexed words it begins (a range of the byte-wise order).
_PG_SPELLING = (
    "SELECT q.text, q.normal, p.prefix, p.terms FROM"
    " (SELECT text, to_tsquery('german', text)::text AS normal"
    " FROM unnest(string_to_array(%s, chr(10))) AS text) AS q"
    " LEFT JOIN LATERAL (SELECT m[1] AS prefix,"
    f" ARRAY(SELECT term FROM {TERMS} WHERE term >= m[1] AND term < m[1] || chr(1114111)"
    " ORDER BY term LIMIT %s) AS terms"
    r" FROM regexp_matches(q.normal, '''([^'']+)'':\*', 'g') AS m) AS p ON true"
)
#: A prefix in a tsquery's text ('druck':*). Its words are folded letters and digits
#: (``words``), so a word never holds a quote.
_PG_PREFIX = re.compile(r"'([^']+)':\*")


def _pg_spelled(ranks: list[str]) -> dict[str, str | None]:
    """Per ``tsquery`` text, the same query with every prefix spelled as the indexed words
    it begins, as on SQLite (``expand``); None for a query that can match nothing. For a
    prefix the GIN index gathers the entries of every word it begins into a bitmap before
    anything is matched; words it looks up directly, and an AND skips through the rarer
    word's entries. With 20,000 articles (``EXPLAIN ANALYZE`` of the index scan) the
    suggestions' "Drucker druckt keine Rechnung", all but one word, took 2.25 -> 0.53 ms,
    all words 0.75 -> 0.04 ms, the search "drucker rechnung" 1.3 -> 0.25 ms. A prefix that
    begins more than ``MAX_EXPANSION`` words stays a prefix.

    A query of stop words only matches nothing, and so does one without an OR (every word
    needed) that holds a prefix beginning no indexed word ("Drucker druckt keine Rechnung":
    no article holds a word beginning "druckt"): such a query is not asked. The suggestions
    ran it for each request before the one that finds, and because its plans were cheap
    PostgreSQL never settled on one generic plan for both, but planned each anew."""
    if not ranks:
        return {}
    # One text, a query a line: psycopg adapting a list took a third of the call's Python.
    rows = db.execute_sql(_PG_SPELLING, ("\n".join(ranks), MAX_EXPANSION + 1)).fetchall()
    normal, spelling, unknown = {}, {}, set()
    for text, normalised, prefix, terms in rows:
        normal[text] = normalised
        if prefix is None:
            continue
        if not terms:
            unknown.add(prefix)
        elif len(terms) <= MAX_EXPANSION:
            spelling[prefix] = "(" + " | ".join(f"'{term}'" for term in terms) + ")"
    spelled = {}
    for text, normalised in normal.items():
        prefixes = set(_PG_PREFIX.findall(normalised))
        if not normalised or ("|" not in text and prefixes & unknown):
            spelled[text] = None
        else:
            spelled[text] = _PG_PREFIX.sub(lambda m: spelling.get(m[1], m[0]), normalised)
    return spelled


def ranked(query, key, terms: Terms, best: int | None = None):
    """``query`` joined to the articles matching ``terms`` (``match_terms``) on ``key`` (the
    article id), with their ``score``, ordered best first.

    The matches are read from the index first, as a materialised table of id and score, and
    then joined: left to itself SQLite's planner may walk every article and ask the index
    once for each. ``best`` keeps only that many best matches before the join (suggestions:
    no count, only the first few that the person may read). ``terms`` are the query's only
    values from the search, so the query is compiled once per shape (``db.Prepared``)."""
    if is_postgres():
        matches = SQL(
            f"SELECT article_id, ts_rank(document, terms) FROM {TABLE},"
            " to_tsquery('german', %s) AS terms WHERE document @@ %s::tsquery"
            + (f" ORDER BY 2 DESC LIMIT {int(best)}" if best else ""),
            (terms.rank, terms.match),
        )
    else:
        matches = SQL(  # bm25: lower is better
            f"SELECT rowid, -bm25({TABLE}, 10.0, 1.0) FROM {TABLE} WHERE {TABLE} MATCH ?"
            + (f" ORDER BY 2 DESC LIMIT {int(best)}" if best else ""),
            (terms.match,),
        )
    found = CTE("knowledge_match", matches, materialized=True, columns=("article_id", "score"))
    return (
        query.with_cte(found)
        .select_extend(found.c.score.alias("score"))
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


def _fold_one(character: str) -> str:
    """One character as ``words`` folds it (case folded, decomposed, marks removed)."""
    decomposed = unicodedata.normalize("NFKD", character.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folding() -> tuple[dict[int, str], re.Pattern]:
    """A table that folds a text as ``words`` does, character by character (``str.translate``),
    and the pattern of the characters it cannot fold that way: those outside the Latin
    scripts and the common punctuation, and those that would fold away or change a text's
    split into words or into whitespace-separated tokens. A text with one of them takes the
    exact, slower path (``_token_words`` per token)."""
    table, safe = {}, []
    letter_or_digit = re.compile(r"[^\W_]")
    for point in (*range(0x250), *range(0x1E00, 0x1F00), *range(0x2000, 0x2070)):
        character = chr(point)
        folded = _fold_one(character)
        if letter_or_digit.match(character):  # stays letters and digits
            keeps = all(letter_or_digit.match(c) for c in folded)
        elif character.isspace():  # stays whitespace
            keeps = folded.isspace()
        else:  # stays neither
            keeps = not (letter_or_digit.search(folded) or any(c.isspace() for c in folded))
        if not (folded and keeps):
            continue
        safe.append(point)
        folded = "-" if character == "_" else folded  # not a letter: a word begins after it
        if folded != character:
            table[point] = folded
    ranges, first, last = [], safe[0], safe[0]
    for point in safe[1:]:
        if point != last + 1:
            ranges.append((first, last))
            first = point
        last = point
    ranges.append((first, last))
    allowed = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return table, re.compile(f"[^{allowed}]")


_FOLD, _UNFOLDABLE = _folding()


def _hits(plain: list[str], text: str, wanted: tuple[str, ...], length: int) -> set[int]:
    """The indexes of the tokens (``plain``: ``text`` split at whitespace) holding a word
    that begins with a searched word, at least up to the end of the snippet of ``length``
    tokens around the first. Where the text allows (``_folding``) the searched words are
    looked up in the folded text, and only the tokens before each are counted: token by
    token, a page of 20 snippets took 0.6 ms, this way 0.35 ms."""
    if not wanted:
        return set()
    if not text.isascii() and _UNFOLDABLE.search(text):  # the table folds all of ASCII
        return {
            i
            for i, token in enumerate(plain)
            if any(word.startswith(wanted) for word in _token_words(token))
        }
    folded = text.translate(_FOLD)  # the same whitespace as text, so the same tokens
    found = heapq.merge(*(_word_starts(folded, word) for word in wanted))  # in order, lazily
    hits, index, counted, end = set(), -1, 0, None
    for at in found:
        # ``index``: the token holding ``at``, from the tokens begun since the last one
        pieces = len(folded[counted : at + 1].split())
        if 0 < counted <= at and not (folded[counted - 1].isspace() or folded[counted].isspace()):
            pieces -= 1  # the first piece is the rest of a token already counted
        index, counted = index + pieces, at + 1
        if end is None:
            end = max(0, index - length // 3) + length
        if index >= end:
            break
        hits.add(index)
    return hits


def _word_starts(folded: str, word: str):
    """Where ``word`` begins a word of ``folded`` (a word: letters and digits)."""
    at = folded.find(word)
    while at >= 0:
        if at == 0 or not folded[at - 1].isalnum():
            yield at
        at = folded.find(word, at + 1)


def snippet(text: str, searched: str, length: int = 30) -> Markup:
    """About ``length`` words of ``text`` around the first searched word, the searched words
    marked; escaped otherwise (the shown words escaped at once, the marks put in after)."""
    text = (text or "").replace(_OPEN, "").replace(_CLOSE, "")
    plain = text.split()
    hits = _hits(plain, text, _wanted(searched), length)
    start = max(0, min(hits, default=0) - length // 3)
    shown = " ".join(
        f"{_OPEN}{t}{_CLOSE}" if i in hits else t
        for i, t in enumerate(plain[start : start + length], start)
    )
    out = str(escape(shown)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    if start > 0:
        out = "… " + out
    if start + length < len(plain):
        out = out + " …"
    return Markup(out)


#: Stand-ins for the marks while the text is escaped (taken out of the text first).
_OPEN, _CLOSE = "\x00", "\x01"
