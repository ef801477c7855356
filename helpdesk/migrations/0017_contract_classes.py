"""Contract classes named by the vendor plugin, and the calendar a response clock runs on.

``organisation.contract_class`` held one letter (A, B, C); a plugin's keys are longer
(``premium``). SQLite does not enforce a VARCHAR's length, so only PostgreSQL changes the
column's type (``alter_column_type`` would rebuild the SQLite table). ``case_clock`` gains a
nullable column with one ALTER.
"""

from peewee import PostgresqlDatabase


def upgrade(db, migrator):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE organisation ALTER COLUMN contract_class TYPE VARCHAR(50)")
    db.execute_sql("ALTER TABLE case_clock ADD COLUMN response_calendar TEXT")
