"""The database handle: one proxy that every model uses, bound by the app factory.

SQLite runs in WAL mode with foreign keys and a busy timeout; PostgreSQL is reached by a
``postgresql://`` URL. Every request and every job takes a connection from a small pool and
gives it back when it ends (an open transaction is rolled back then).

Writers wait their turn on SQLite: every transaction (``db.atomic()``) begins with
``BEGIN IMMEDIATE``, which takes the one write lock up front and so waits the busy timeout
for it. A deferred ``BEGIN`` takes it only at the first write, after the transaction has
read; SQLite cannot let such a transaction wait (the writer before it may have changed what
it read), so it failed at once with "database is locked": 11 of 60 posts of three people
writing to one case were lost that way. Reads outside a transaction take no lock beyond
WAL's snapshot and run beside the writer. A writer that still gets no turn within the busy
timeout raises an error that ``is_busy`` recognises; the web answers it with a "busy, try
again" page (``helpdesk.errors``).
"""

import itertools
import re
from weakref import WeakKeyDictionary

from flask import Flask
from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase
from peewee import __exception_wrapper__ as as_peewee_errors
from playhouse.db_url import connect

db = DatabaseProxy()

#: How long (ms) a SQLite writer waits for the write lock. With ten clients posting at once
#: to three gunicorn workers (``tests/test_concurrency.py``, 2 shared cores) the slowest
#: request, waiting included, took about 1 s; ten times that leaves room for large uploads
#: and a loaded machine, and stays well below gunicorn's 30 s worker timeout, so a writer
#: that gets no turn is answered (503), not killed.
SQLITE_BUSY_TIMEOUT_MS = 10_000

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    "synchronous": "normal",
    "cache_size": -32000,
}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


#: Connections kept open per process. A request or job takes one and gives it back: a new
#: connection costs more than most of our queries (SQLite runs its pragmas on each).
POOL = {"max_connections": 32, "stale_timeout": 300}


def open_database(url: str):
    """Return an unopened, pooled peewee database for ``url`` with our settings."""
    scheme, _, rest = url.partition("://")
    pooled = f"{scheme.split('+')[0]}+pool://{rest}"
    if scheme.startswith("sqlite"):
        # A pooled connection serves one thread at a time, but not always the same thread.
        return connect(
            pooled,
            pragmas=SQLITE_PRAGMAS,
            lock_type="IMMEDIATE",  # see the module's docstring
            autoconnect=True,
            check_same_thread=False,
            **POOL,
        )
    return connect(pooled, autoconnect=True, **POOL)


#: PostgreSQL: the statements (their PREPARE) each connection has prepared.
_prepared_on: WeakKeyDictionary = WeakKeyDictionary()
_statement_names = (f"helpdesk_{n}" for n in itertools.count(1))
_PLACEHOLDER = re.compile(r"%([s%])")


class Prepared:
    """A select compiled to SQL once per kind of database, then run with new values.

    ``build(*values)`` returns the query; it is called once with ``examples``, values of the
    right types that appear nowhere else in the query, to find where each value goes. For
    queries on every request (the signed-in user), where peewee's compiling, and its matching
    of the answer's columns to model fields, cost more than the database's answer: both are
    done once and kept.

    On PostgreSQL the statement is also prepared on the server, once per connection, so that
    it is planned once: planning the case page's join of eight tables took PostgreSQL 6 ms,
    running it 0.3 ms. (SQLite's driver keeps its compiled statements by itself.)
    """

    #: The state a cursor wrapper keeps per cursor; the rest is the column layout it works
    #: out from the first row, the same for every run of the same SQL.
    _PER_CURSOR = frozenset(("cursor", "count", "index", "initialized", "populated", "row_cache"))

    def __init__(self, build, *examples):
        self.build = build
        self.examples = examples
        self._compiled = {}
        self._layouts = {}

    def __call__(self, *values) -> list:
        """The rows, as the built query would give them."""
        kind = type(db.obj)
        compiled = self._compiled.get(kind)
        if compiled is None:
            query = self.build(*self.examples)
            sql, params = query.sql()
            slots = [params.index(example) for example in self.examples]
            prepare = None
            if issubclass(kind, PostgresqlDatabase):
                prepare, sql = _server_statement(sql, len(params))
            compiled = self._compiled[kind] = (query, sql, params, slots, prepare)
        query, sql, params, slots, prepare = compiled
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            params[slot] = value
        if prepare is not None:
            _prepare_once(prepare)
        wrapper = query._get_cursor_wrapper(db.execute_sql(sql, params))
        layout = self._layouts.get(kind)
        if layout is not None:
            wrapper.__dict__.update(layout)
            wrapper.initialized = True
        rows = list(wrapper)
        if layout is None and wrapper.initialized:
            self._layouts[kind] = {
                k: v for k, v in vars(wrapper).items() if k not in self._PER_CURSOR
            }
        return rows

    def first(self, *values):
        rows = self(*values)
        return rows[0] if rows else None


def _server_statement(sql: str, count: int) -> tuple[str, str]:
    """PostgreSQL: ``(PREPARE ..., EXECUTE ...)`` for peewee's ``sql`` with ``count`` values."""
    name = next(_statement_names)
    numbers = itertools.count(1)
    numbered = _PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m.group(1) == "s" else "%", sql)
    values = f" ({', '.join(['%s'] * count)})" if count else ""
    return f"PREPARE {name} AS {numbered}", f"EXECUTE {name}{values}"


def _prepare_once(prepare: str) -> None:
    """Run ``prepare`` unless this connection has: the statement lasts as long as the
    connection, whatever becomes of the transaction it was prepared in."""
    database = db.obj
    prepared = _prepared_on.setdefault(database.connection(), set())
    if prepare not in prepared:
        # Past peewee's log, which is what tests count queries by: preparing sets up the
        # connection, it answers nothing.
        with as_peewee_errors:
            database.cursor().execute(prepare)
        prepared.add(prepare)


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


#: PostgreSQL's codes for "another transaction was in the way": serialization failure,
#: deadlock detected, lock not available.
_PG_CONTENTION = frozenset({"40001", "40P01", "55P03"})
#: SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED.
_SQLITE_CONTENTION = frozenset({5, 6})


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` says only that other writers were in the way: the change was rolled
    back whole, and the same request a moment later can succeed."""
    driver_error = getattr(error, "orig", error)  # peewee wraps the driver's exception
    code = getattr(driver_error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_CONTENTION
    return getattr(driver_error, "pgcode", None) in _PG_CONTENTION


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
