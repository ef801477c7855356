"""SQLite's search index written with the portal's own words (``search.words``), and the table
of indexed words that lets a prefix search read matches newest first (see ``cases.search``).

The index is written anew from its own stored text into a fresh table, which then takes the
old one's name: about a minute per 500,000 cases. PostgreSQL's index is left as it was.
"""

from peewee import SqliteDatabase

from helpdesk.cases import search

_FRESH = "case_search_fresh"


def upgrade(db, migrator):
    if not isinstance(db, SqliteDatabase):
        return
    search.create_term_table(db)
    db.execute_sql(
        f"CREATE VIRTUAL TABLE {_FRESH} USING fts5("
        "call_id, subject, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    last = 0
    while True:
        rows = db.execute_sql(
            "SELECT rowid, call_id, subject, body FROM case_search WHERE rowid > ?"
            " ORDER BY rowid LIMIT ?",
            (last, search.BATCH),
        ).fetchall()
        if not rows:
            break
        search.index_rows(rows, table=_FRESH)
        last = rows[-1][0]
    db.execute_sql("DROP TABLE case_search")
    db.execute_sql(f"ALTER TABLE {_FRESH} RENAME TO case_search")
