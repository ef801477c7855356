"""The database handle: one proxy that every model uses, bound by the app factory.

SQLite runs in WAL mode with foreign keys and a busy timeout; PostgreSQL is reached by a
``postgresql://`` URL through psycopg 3, which prepares the statements a connection runs
again (``PREPARE_THRESHOLD``). Every request and every job takes a connection from a small pool and
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

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from flask import Flask
from peewee import (
    DatabaseProxy,
    Expression,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
    __exception_wrapper__,
)
from playhouse.db_url import connect

from helpdesk import model_rows

db = DatabaseProxy()

#: How long (ms) a SQLite writer waits for the write lock. With ten clients posting at once
#: to three gunicorn workers (``tests/test_concurrency.py``, 2 shared cores) the slowest
#: request, waiting included, took about 1 s; ten times that leaves room for large uploads
#: and a loaded machine, and stays well below gunicorn's 30 s worker timeout, so a writer
#: that gets no turn is answered (503), not killed.
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: SQLite's own page cache per connection, in KiB (negative). A worker keeps it full once a
#: page has read many rows (the agent's start page counts the open cases): 32 MB held a web
#: worker at 103 MB at 1,000,000 cases, 8 MB at 79 MB (issue 19: under 100 MB), and the
#: pages took the same CPU in-process (``bench.inprocess``); the file's pages stay in the
#: operating system's cache either way.
SQLITE_CACHE_KIB = 8000

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    "synchronous": "normal",
    "cache_size": -SQLITE_CACHE_KIB,
}


class BaseModel(Model):
    def __init__(self, *args, **kwargs):
        # A query's row (peewee's cursor wrappers pass ``__no_default__``): its columns
        # straight into ``__data__`` (``model_rows.filled``), an empty one (a joined row's
        # instance, filled later) as peewee makes it, without its loop.
        if kwargs.get("__no_default__"):
            if len(kwargs) == 1:
                self.__data__, self._dirty, self.__rel__ = {}, set(), {}
                return
            if model_rows.filled(self, kwargs):
                return
        super().__init__(*args, **kwargs)

    class Meta:
        database = db
        legacy_table_names = False


#: Connections kept open per process. A request or job takes one and gives it back: a new
#: connection costs more than most of our queries (SQLite runs its pragmas on each).
POOL = {"max_connections": 32, "stale_timeout": 300}


#: PostgreSQL (psycopg 3): a statement is prepared on the server, and so planned once, on its
#: second run on a connection (psycopg counts the runs of each SQL text; 0 would prepare
#: every statement on its first run, one-off searches included, each costing a round trip
#: and a place among the ``prepared_max`` statements psycopg keeps per connection). psycopg
#: forgets a connection's statements after a ROLLBACK or DROP/ALTER (the objects they name
#: may have changed) and prepares them anew.
PREPARE_THRESHOLD = 1


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
    return connect(
        pooled,
        autoconnect=True,
        prefer_psycopg3=True,
        prepare_threshold=PREPARE_THRESHOLD,
        **POOL,
    )


class Prepared:
    """A select compiled to SQL once per kind of database, then run with new values.

    ``build(*values)`` returns the query; it is called once with ``examples``, values of the
    right types that appear nowhere else in the query, to find where each value goes. For
    queries on every request (the signed-in user, the case page), where peewee's compiling,
    and its matching of the answer's columns to model fields, cost more than the database's
    answer: both are done once and kept. Building and compiling the case page's join of
    eight tables took 1.4 to 1.8 ms of Python, the whole page 2.5 to 3.4 ms; with the
    columns matched anew on each run, running it took 0.36 to 0.40 ms instead of 0.13 ms
    (SQLite, ``bench`` data). peewee has no public way to hand a cursor wrapper its column
    layout, so the layout is copied from the first run's wrapper (``_PER_CURSOR`` is what
    stays per run) into one that makes the later runs' rows (``_row_maker``): all fetched
    at once, each made by the wrapper's ``process_row``, or by ``model_rows`` for a query
    with joins.

    On PostgreSQL the same SQL text each time is what lets psycopg prepare the statement on
    the server (``PREPARE_THRESHOLD``), so that it is planned once per connection: planning
    that join took PostgreSQL 6 ms, running it 0.3 ms. (SQLite's driver keeps its compiled
    statements by itself.)

    A value whose example one database's query does not hold is not passed to it (the
    knowledge search's ranking query is PostgreSQL's alone: ``knowledge.search.Terms``).
    """

    #: The state a cursor wrapper keeps per cursor; the rest is the column layout it works
    #: out from the first row, the same for every run of the same SQL.
    _PER_CURSOR = frozenset(("cursor", "count", "index", "initialized", "populated", "row_cache"))

    def __init__(self, build, *examples):
        self.build = build
        self.examples = examples
        self._compiled = {}
        self._row_makers = {}

    def __call__(self, *values) -> list:
        """The rows, as the built query would give them."""
        kind = type(db.obj)
        compiled = self._compiled.get(kind)
        if compiled is None:
            query = self.build(*self.examples)
            sql, params = query.sql()
            slots = [params.index(e) if e in params else None for e in self.examples]
            compiled = self._compiled[kind] = (query, sql, params, slots)
        query, sql, params, slots = compiled
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            if slot is not None:
                params[slot] = value
        cursor = db.execute_sql(sql, params)
        make = self._row_makers.get(kind)
        if make is not None:
            rows = [make(row) for row in cursor.fetchall()]
            cursor.close()
            return rows
        wrapper = query._get_cursor_wrapper(cursor)
        rows = list(wrapper)
        if wrapper.initialized:  # it has seen a row: its layout is known
            layout = {k: v for k, v in vars(wrapper).items() if k not in self._PER_CURSOR}
            self._row_makers[kind] = _row_maker(query, layout)
        return rows

    def first(self, *values):
        rows = self(*values)
        return rows[0] if rows else None


def _row_maker(query, layout: dict):
    """What makes a row of ``query`` from the cursor as its wrapper would: ``model_rows``'
    quicker function for a query with joins, else the ``process_row`` of a wrapper given
    ``layout`` (a wrapper of no run: it holds no cursor and no rows)."""
    wrapper = query._get_cursor_wrapper(None)
    wrapper.__dict__.update(layout)
    wrapper.initialized = True
    return model_rows.builder(wrapper) or wrapper.process_row


#: Rows per multi-row INSERT of ``insert_rows``: PostgreSQL takes at most 65,535 parameters.
INSERT_ROWS = 500


def insert_rows(
    model,
    names,
    rows,
    *,
    returning_id: bool = False,
    adding=None,
    counts=("count",),
    greatest=(),
    replacing=None,
) -> list[int]:
    """Insert ``rows`` (tuples of Python values in the order of the field ``names``) into
    ``model``'s table, ``INSERT_ROWS`` to a statement, with the SQL written here: peewee's
    ``insert_many`` builds every value as a node of the query, which for a timer sweep's batch
    (thousands of timeline entries, mails and counts) cost more than the database's work.

    Fields not named get their defaults. ``adding`` names the unique key of rows that count:
    a row whose key exists adds its ``counts`` to the stored ones (``ON CONFLICT ... DO UPDATE
    SET count = count + excluded``), an increment that needs no lock beyond the row's own;
    its ``greatest`` keep the greater of the stored and the new value. ``replacing`` names
    the unique key of rows that are replaced: a row whose key exists takes the new values.
    With ``returning_id`` the new rows' ids, in the rows' order (one statement numbers its
    rows in their order on both databases)."""
    fields = [model._meta.fields[name] for name in names]
    # the fields left out get their defaults, as peewee's inserts give them
    defaults = [
        f for f in model._meta.sorted_fields if f.name not in names and f.default is not None
    ]
    if defaults:
        fields += defaults
        rows = [(*row, *(_default(f) for f in defaults)) for row in rows]
    convert = [(field.db_value, model_rows.stored_as_is(field)) for field in fields]
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    native = is_postgres()
    suffix = ""
    if adding:
        key = ", ".join(f'"{model._meta.fields[name].column_name}"' for name in adding)
        table = model._meta.table_name
        column = {name: model._meta.fields[name].column_name for name in (*counts, *greatest)}
        stored = {name: f'"{table}"."{column[name]}"' for name in column}
        new = {name: f'excluded."{column[name]}"' for name in column}
        larger = "GREATEST" if native else "MAX"  # SQLite's MAX of two values is the larger
        added = ", ".join(
            [f'"{column[n]}" = {stored[n]} + {new[n]}' for n in counts]
            + [f'"{column[n]}" = {larger}({stored[n]}, {new[n]})' for n in greatest]
        )
        suffix = f" ON CONFLICT ({key}) DO UPDATE SET {added}"
    elif replacing:
        key = ", ".join(f'"{model._meta.fields[name].column_name}"' for name in replacing)
        taken = ", ".join(
            f'"{field.column_name}" = excluded."{field.column_name}"'
            for field in fields
            if field.name not in replacing
        )
        suffix = f" ON CONFLICT ({key}) DO UPDATE SET {taken}"
    if returning_id:
        suffix += ' RETURNING "id"'
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_ROWS):
        chunk = rows[start : start + INSERT_ROWS]
        values = placeholders(len(chunk), len(fields), native)
        sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES {values}{suffix}'
        params = [
            value if type(value) is kept else to(value)
            for row in chunk
            for (to, kept), value in zip(convert, row, strict=True)
        ]
        cursor = execute_native(sql, params) if native else db.execute_sql(sql, params)
        if returning_id:
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
    return ids


def save_changed(rows: list) -> None:
    """Write the columns each of ``rows`` (instances of one model) had set, not the whole
    row: one prepared UPDATE run for all the rows that set the same columns (``executemany``:
    a timer sweep's batch moves hundreds of cases into the same status, and sets the same
    columns on each of their clocks and time rows)."""
    by_columns: dict[tuple, list] = {}
    for row in rows:
        names = tuple(sorted(f.name for f in row.dirty_fields if not f.primary_key))
        if names:
            by_columns.setdefault(names, []).append(row)
    for names, group in by_columns.items():
        meta = group[0]._meta
        fields, key = meta.fields, meta.primary_key
        if len(group) == 1:
            group[0].save(only=[fields[name] for name in names])
            continue
        param = db.param
        columns = ", ".join(f'"{fields[name].column_name}" = {param}' for name in names)
        sql = f'UPDATE "{meta.table_name}" SET {columns} WHERE "{key.column_name}" = {param}'
        values = [
            [*(fields[name].db_value(getattr(row, name)) for name in names), row.__data__[key.name]]
            for row in group
        ]
        db.cursor().executemany(sql, values)
        for row in group:
            row._dirty.clear()


def update_from_values(model, columns, types, rows, assigned: str, matched: str) -> set:
    """One UPDATE of ``model``'s rows from a list of values ``v``, its SQL written here (a
    timer sweep's batch changes hundreds of rows, each with its own values): ``rows`` are
    tuples of ``columns``' values, the first the row's primary key; ``types`` PostgreSQL's
    types of ``columns`` (``placeholders``); ``assigned`` the SET clause and ``matched`` the
    condition beyond the key, naming the list's values ``v.<column>``. The keys of the rows
    it changed."""
    table, key = model._meta.table_name, model._meta.primary_key.column_name
    native = is_postgres()
    values = placeholders(len(rows), len(columns), native, tuple(types))
    sql = (
        f"WITH v({', '.join(columns)}) AS (VALUES {values}) "
        f'UPDATE "{table}" SET {assigned} FROM v '
        f'WHERE "{table}"."{key}" = v.{columns[0]} AND {matched} RETURNING "{table}"."{key}"'
    )
    params = [value for row in rows for value in row]
    cursor = execute_native(sql, params) if native else db.execute_sql(sql, params)
    return {row[0] for row in cursor.fetchall()}


@lru_cache(maxsize=64)
def placeholders(rows: int, width: int, native: bool, types: tuple[str, ...] = ()) -> str:
    """``(?, ?), (?, ?)`` for ``rows`` rows of ``width`` values; ``native``: PostgreSQL's
    numbered ``($1, $2), ($3, $4)``, each cast to its column's entry of ``types`` if given
    (a VALUES list that is not an INSERT's has no columns to take its types from)."""
    if not native:
        return ", ".join(["(" + ", ".join([db.param] * width) + ")"] * rows)
    casts = [f"::{name}" for name in types] or [""] * width
    return ", ".join(
        "(" + ", ".join(f"${row * width + n + 1}{casts[n]}" for n in range(width)) + ")"
        for row in range(rows)
    )


def execute_native(sql: str, params: list):
    """``db.execute_sql`` on PostgreSQL for a statement with its own numbered placeholders
    (psycopg's ``RawCursor``). psycopg rewrites ``%s`` placeholders into these on every run
    of a statement longer than 4 KB or with more than 50 values (it caches only shorter
    ones): for a multi-row INSERT of thousands of values that cost as much Python as
    building the rows (a timer sweep of 10,000 cases writes 1,000 such statements)."""
    import psycopg

    with __exception_wrapper__:
        cursor = psycopg.RawCursor(db.connection())
        cursor.execute(sql, params)
    return cursor


def _default(field):
    return field.default() if callable(field.default) else field.default


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def reads_only() -> Iterator[None]:
    """Inside, this connection refuses to write: work prepared outside a transaction (the
    timer sweep renders a batch's mail and entries there, while other writers go on, and
    writes them later in a transaction of its own) cannot write by mistake without its claim.
    SQLite's ``query_only``; PostgreSQL's read-only default for the transactions it begins
    (its statements outside one are each their own)."""
    setting = "PRAGMA query_only" if is_sqlite() else "SET default_transaction_read_only"
    db.execute_sql(f"{setting} = on")
    try:
        yield
    finally:
        db.execute_sql(f"{setting} = off")


def remainder(field, divisor: int):
    """``field`` modulo ``divisor`` in SQL (peewee's ``%`` is LIKE; psycopg reads a single
    ``%`` as the start of a placeholder)."""
    return Expression(field, "%%" if is_postgres() else "%", divisor)


#: PostgreSQL's codes for "another transaction was in the way": serialization failure,
#: deadlock detected, lock not available.
_PG_CONTENTION = frozenset({"40001", "40P01", "55P03"})
#: SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED.
_SQLITE_CONTENTION = frozenset({5, 6})
#: PostgreSQL's codes for "your connection was ended": by an administrator
#: (``pg_terminate_backend``), a crash, or a server shutting down.
_PG_TERMINATED = frozenset({"57P01", "57P02", "57P03"})


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` says only that other writers were in the way: the change was rolled
    back whole, and the same request a moment later can succeed."""
    driver_error = getattr(error, "orig", error)  # peewee wraps the driver's exception
    code = getattr(driver_error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_CONTENTION
    return getattr(driver_error, "sqlstate", None) in _PG_CONTENTION


def is_connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the PostgreSQL connection went away under a request: the server
    rolled back its open transaction, so the request sent again succeeds on a new connection
    (the pool checks a connection before handing it out). Only when the connection broke
    during the COMMIT itself is the outcome unknown; the person who sends again decides."""
    driver_error = getattr(error, "orig", error)
    if type(driver_error).__module__.split(".")[0] != "psycopg":
        return False
    import psycopg

    if not isinstance(driver_error, psycopg.OperationalError):
        return False
    # No code: the client found the connection closed (it has no answer from the server).
    return driver_error.sqlstate in _PG_TERMINATED or driver_error.sqlstate is None


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


#: Rows a streamed query fetches from PostgreSQL at a time.
STREAM_ROWS = 2000


def stream(query, rows: int = STREAM_ROWS):
    """The rows of ``query`` one by one, with memory that does not grow with their number
    (exports of any size). SQLite's cursor steps through the result by itself; on PostgreSQL
    a client-side cursor would take the whole result at once, so a named (server-side) cursor
    fetches ``rows`` at a time, inside a transaction of its own."""
    if not is_postgres():
        yield from query.iterator()
        return
    sql, params = query.sql()
    with db.atomic(), db.connection().cursor(name="helpdesk_stream") as cursor:
        cursor.execute(sql, params)
        yield from query._get_cursor_wrapper(_Fetching(cursor, rows)).iterator()


class _Fetching:
    """A server-side cursor as peewee's row wrappers read it (``fetchone``, ``description``,
    ``close``),
    fetching ``rows`` rows per round trip instead of one."""

    def __init__(self, cursor, rows: int):
        self.cursor, self.rows, self.buffer = cursor, rows, []

    @property
    def description(self):
        return self.cursor.description

    def fetchone(self):
        if not self.buffer:
            self.buffer = self.cursor.fetchmany(self.rows)[::-1]
        return self.buffer.pop() if self.buffer else None

    def close(self):
        self.cursor.close()
