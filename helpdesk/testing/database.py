"""The test database: a fresh PostgreSQL database per session, and empty tables per test."""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
from peewee import AutoField

from helpdesk.db import db, is_postgres
from helpdesk.models import ALL_MODELS


def fresh_postgres_database(url: str):
    """Create a uniquely named database beside ``url``'s; return its URL and a dropper."""
    name = f"helpdesk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    parts = urlsplit(url)
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        if not db.is_closed():
            db.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunsplit(parts._replace(path="/" + name)), drop


def empty_tables() -> None:
    """Delete every row, so each test starts from the schema alone."""
    db.connect(reuse_if_open=True)
    models = list(reversed(ALL_MODELS))
    with db.atomic():
        for model in models:
            model.delete().execute()
        if is_postgres():
            # DELETE and a restarted sequence: TRUNCATE of every table costs 120 ms a test.
            serial = [
                m._meta.table_name for m in models if isinstance(m._meta.primary_key, AutoField)
            ]
            db.execute_sql(
                "SELECT "
                + ", ".join(
                    f"setval(pg_get_serial_sequence('\"{t}\"', 'id'), 1, false)" for t in serial
                )
            )
        else:
            db.execute_sql("DELETE FROM case_search")  # FTS5 knows no foreign keys
            db.execute_sql("DELETE FROM search_term")
            db.execute_sql("DELETE FROM knowledge_search")
            db.execute_sql("DELETE FROM knowledge_term")
    db.close()
