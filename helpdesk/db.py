"""The database handle: one proxy that every model uses, bound by the app factory.

SQLite runs in WAL mode with foreign keys and a busy timeout; PostgreSQL is reached by a
``postgresql://`` URL. A connection is opened per request and per job and closed after it.
"""

from flask import Flask
from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -32000,
}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def open_database(url: str):
    """Return an unopened peewee database for ``url`` with our settings."""
    if url.startswith("sqlite"):
        database = connect(url, pragmas=SQLITE_PRAGMAS, autoconnect=True)
    else:
        database = connect(url, autoconnect=True)
    return database


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def init_app(app: Flask) -> None:
    """Bind the proxy to the configured database and manage a connection per request."""
    database = open_database(app.config["DATABASE_URL"])
    db.initialize(database)
    app.extensions["database"] = database

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()
