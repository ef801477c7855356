"""``helpdesk.db``: ``Prepared`` compiled once and run with new values; PostgreSQL through
psycopg 3 from the pool, its statements prepared on the server by psycopg."""

import psycopg
import pytest
from playhouse.pool import PooledDatabase

from helpdesk.accounts.models import User
from helpdesk.db import Prepared, db, is_postgres

_named = Prepared(lambda email: User.select(User.id, User.name).where(User.email == email), "@")


def test_each_run_takes_its_own_values(app, demo_people):
    with app.app_context():
        for person in demo_people.values():
            assert [u.id for u in _named(person.email)] == [person.id]
        assert _named.first("nobody@example.com") is None


def test_a_value_the_query_does_not_hold_is_left_out(app, demo_people):
    """One database's query may do without a value the other's needs (the knowledge
    search's ranking query is PostgreSQL's alone)."""
    named = Prepared(
        lambda email, _unused: User.select(User.id).where(User.email == email), "@", "\x00u"
    )
    with app.app_context():
        person = next(iter(demo_people.values()))
        assert [u.id for u in named(person.email, "anything")] == [person.id]


def _postgres_only():
    if not is_postgres():
        pytest.skip("PostgreSQL's connections and statements")


def _backend() -> int:
    return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def _prepared_statements(fragment: str) -> int:
    """How many statements this connection has prepared whose text holds ``fragment``."""
    rows = db.execute_sql("SELECT statement FROM pg_prepared_statements").fetchall()
    return sum(fragment in statement for (statement,) in rows)


def test_postgres_connections_are_psycopg_3_from_the_pool(app):
    _postgres_only()
    with app.app_context():
        assert isinstance(db.obj, PooledDatabase)
        db.connect(reuse_if_open=True)
        assert isinstance(db.connection(), psycopg.Connection)
        backend = _backend()
        db.close()
        db.connect()
        assert _backend() == backend  # the same server connection, back from the pool
        db.close()


def test_postgres_prepares_a_statement_on_its_second_run_and_again_after_a_rollback(
    app, demo_people
):
    _postgres_only()
    query = Prepared(lambda email: User.select(User.id).where(User.email == email), "@")
    statement = '"t1"."email" = $1'  # the condition as psycopg sends it, bound on the server
    person = next(iter(demo_people.values()))
    with app.app_context():
        db.connect(reuse_if_open=True)
        assert [u.id for u in query(person.email)] == [person.id]
        assert _prepared_statements(statement) == 0  # a statement run once is not prepared
        assert [u.id for u in query("nobody@example.com")] == []
        assert _prepared_statements(statement) == 1
        for _ in range(3):
            assert [u.id for u in query(person.email)] == [person.id]
        assert _prepared_statements(statement) == 1
        # psycopg forgets its statements at a rollback (what they name may have changed)
        with db.atomic() as transaction:
            assert [u.id for u in query(person.email)] == [person.id]
            transaction.rollback()
        assert _prepared_statements(statement) == 0
        for _ in range(2):
            assert [u.id for u in query(person.email)] == [person.id]
        assert _prepared_statements(statement) == 1
        db.close()


def test_postgres_plans_the_case_page_once_per_connection(app, customer_client, open_case):
    """The case page's join, the query it runs on every view, is prepared on the server."""
    _postgres_only()
    case = open_case("mia.member", subject="Planned once")
    for _ in range(3):
        assert customer_client.get(f"/cases/{case.call_id}").status_code == 200
    with app.app_context():
        db.connect(reuse_if_open=True)
        assert _prepared_statements('AS "has_children"') == 1
        db.close()


def test_a_sqlite_connection_from_the_pool_has_the_settings(app):
    """WAL, foreign keys and the small page cache (``SQLITE_CACHE_KIB``: what a worker keeps
    of it counts against its memory) on every pooled connection, not only the first."""
    if is_postgres():
        pytest.skip("SQLite's pragmas")
    from helpdesk.db import SQLITE_CACHE_KIB

    with app.app_context():
        for _ in range(2):
            db.connect(reuse_if_open=True)
            settings = [
                db.execute_sql(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "foreign_keys", "cache_size")
            ]
            assert settings == ["wal", 1, -SQLITE_CACHE_KIB]
            db.close()
