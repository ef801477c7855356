"""Faster searches (issue 14). SQLite: the table of the words the article index holds
(``knowledge_term``), which a knowledge search spells its prefixes with, as case search does
(``knowledge.search``), filled from the index itself. PostgreSQL: the case search's GIN
index writes each entry straight into the index (``fastupdate = off``), as the articles'
does since 0034.

With ``fastupdate`` (PostgreSQL's default) new entries wait in a pending list that every
search reads sequentially until a vacuum merges it: with 2,000 entries pending an index scan
took 11 ms instead of 0.8 ms. Cases are written one at a time and searched all day, so the
faster writes the list buys are not worth it.
"""

from peewee import PostgresqlDatabase

from helpdesk.knowledge import search


def upgrade(db, migrator):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER INDEX case_search_document SET (fastupdate = off)")
        db.execute_sql("SELECT gin_clean_pending_list('case_search_document'::regclass)")
        return
    search.create_term_table(db)
    # fts5vocab: one row per word of the index (a temporary table, gone with the connection)
    db.execute_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.knowledge_vocabulary"
        f" USING fts5vocab(main, {search.TABLE}, row)"
    )
    db.execute_sql(
        f"INSERT OR IGNORE INTO {search.TERMS} (term) SELECT term FROM temp.knowledge_vocabulary"
    )
    db.execute_sql("DROP TABLE temp.knowledge_vocabulary")
