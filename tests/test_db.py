"""``helpdesk.db.Prepared``: compiled once, run with new values, planned once on PostgreSQL."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.db import Prepared, db, is_postgres

_named = Prepared(lambda email: User.select(User.id, User.name).where(User.email == email), "@")


def test_each_run_takes_its_own_values(app, demo_people):
    with app.app_context():
        for person in demo_people.values():
            assert [u.id for u in _named(person.email)] == [person.id]
        assert _named.first("nobody@example.com") is None


def _prepared_statements() -> int:
    return db.execute_sql("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]


def test_postgres_prepares_once_per_connection_and_keeps_it_past_a_rollback(app, demo_people):
    if not is_postgres():
        pytest.skip("a PostgreSQL statement")
    query = Prepared(lambda email: User.select(User.id).where(User.email == email), "@")
    person = next(iter(demo_people.values()))
    with app.app_context():
        db.connect(reuse_if_open=True)
        before = _prepared_statements()
        # Prepared inside a transaction that is rolled back: PREPARE is not transactional,
        # so the statement is still there for the next run.
        with db.atomic() as transaction:
            assert [u.id for u in query(person.email)] == [person.id]
            transaction.rollback()
        assert [u.id for u in query(person.email)] == [person.id]
        assert [u.id for u in query("nobody@example.com")] == []
        assert _prepared_statements() == before + 1
        db.close()
