"""Faster knowledge search (issue 14): each article keeps the plain text its Markdown shows
(``plain_de``, ``plain_en``), so a search's snippets are cut from it instead of rendering
every result's Markdown on every request; on PostgreSQL the articles' full-text index writes
each entry straight into the index (``fastupdate = off``).

A GIN index with ``fastupdate`` (PostgreSQL's default) collects new entries in a pending
list that every search reads sequentially until a vacuum merges it: with 2,000 articles
pending the index scan of one search took 11 ms instead of 0.8 ms. Articles are written
rarely and searched often, so the list is not worth it. Existing texts are converted here,
in batches. The columns are NOT NULL: added by one raw ALTER TABLE each (never a table
rebuild, see the package docstring).
"""

from peewee import PostgresqlDatabase

from helpdesk.markdown import plain

BATCH = 500


def upgrade(db, migrator):
    for column in ("plain_de", "plain_en"):
        db.execute_sql(f"ALTER TABLE article ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    p = db.param
    last = 0
    while True:
        rows = db.execute_sql(
            f"SELECT id, body_de, body_en FROM article WHERE id > {p} ORDER BY id LIMIT {p}",
            (last, BATCH),
        ).fetchall()
        if not rows:
            break
        for article_id, body_de, body_en in rows:
            db.execute_sql(
                f"UPDATE article SET plain_de = {p}, plain_en = {p} WHERE id = {p}",
                (plain(body_de or ""), plain(body_en or ""), article_id),
            )
        last = rows[-1][0]
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER INDEX knowledge_search_document SET (fastupdate = off)")
        db.execute_sql("SELECT gin_clean_pending_list('knowledge_search_document'::regclass)")
