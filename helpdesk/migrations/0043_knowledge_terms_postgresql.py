"""PostgreSQL: the table of the words the article index holds (``knowledge_term``), filled
from the index itself, which a knowledge search spells its prefixes with, as SQLite's has
since 0037 (``knowledge.search._pg_spelled``).

A prefix ('druck':*) made the GIN index gather the entries of every word it begins before
matching anything; spelled as words, an AND skips through the rarer word's entries. With
20,000 articles the case form's suggestions for "Drucker druckt keine Rechnung" cost the
database server 3.8-4.4 ms of CPU per request (two statements, all the subject's words and
all but one), the search "drucker rechnung" 1.7-2.2 ms.
"""

from peewee import PostgresqlDatabase

from helpdesk.knowledge import search


def upgrade(db, migrator):
    if not isinstance(db, PostgresqlDatabase):
        return  # SQLite's came with 0037
    search.create_term_table(db)
    db.execute_sql(
        f"INSERT INTO {search.TERMS} (term)"
        f" SELECT DISTINCT unnest(tsvector_to_array(document)) FROM {search.TABLE}"
        " ON CONFLICT DO NOTHING"
    )
