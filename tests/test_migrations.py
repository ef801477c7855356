"""The first released schema upgrades to the current one, on SQLite and PostgreSQL."""

import os

import psycopg
import pytest
from peewee import SqliteDatabase

from helpdesk import migrations
from helpdesk.db import db, is_postgres, is_sqlite, open_database
from helpdesk.models import ALL_MODELS
from tests.conftest import fresh_postgres_database


@pytest.fixture
def empty_database(tmp_path):
    """A database with no tables at all, of the kind this test run uses."""
    url = os.environ.get("DATABASE_URL")
    previous = db.obj
    if url and url.startswith("postgres"):
        fresh, drop = fresh_postgres_database(url)
    else:
        fresh, drop = "sqlite:///" + str(tmp_path / "empty.db"), None
    db.initialize(open_database(fresh))
    db.connect()
    yield db
    db.close()
    if drop:
        drop()
    db.initialize(previous)


def _columns(model):
    return {column.name for column in db.get_columns(model._meta.table_name)}


def test_first_schema_upgrades_to_current(empty_database):
    first = migrations.available()[0]
    applied = migrations.upgrade(target=first.version)
    assert [m.version for m in applied] == [first.version]
    assert migrations.current_version() == first.version
    db.execute_sql(
        "INSERT INTO organisation (name, case_visibility, is_active, created_at) "
        "VALUES ('Kept GmbH', 'everyone', %s, '2026-01-01 00:00:00')"
        % ("1" if isinstance(db.obj, SqliteDatabase) else "true")
    )

    migrations.upgrade()

    assert migrations.current_version() == migrations.available()[-1].version
    for model in ALL_MODELS:
        declared = {field.column_name for field in model._meta.sorted_fields}
        assert _columns(model) == declared, model.__name__
    from helpdesk.accounts.models import Organisation

    assert Organisation.get(Organisation.name == "Kept GmbH").case_visibility == "everyone"


def test_upgrade_twice_applies_nothing_the_second_time(empty_database):
    assert migrations.upgrade()
    assert migrations.upgrade() == []


def test_migrated_indexes_match_the_models(empty_database):
    migrations.upgrade()
    for model in ALL_MODELS:
        table = model._meta.table_name
        in_database = {tuple(index.columns) for index in db.get_indexes(table)}
        for fields, _unique in model._meta.indexes:
            columns = tuple(model._meta.fields[name].column_name for name in fields)
            assert columns in in_database, (table, columns)


def test_postgres_really_used_when_configured(app):
    """Guards against a PostgreSQL run that silently fell back to SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not (url and url.startswith("postgres")):
        pytest.skip("this run is on SQLite")
    assert psycopg.connect(url).info.server_version > 0
    assert is_postgres() and not is_sqlite()


def test_sqlite_search_index_is_rewritten_in_the_portals_words(empty_database):
    """Release 14 indexed the raw text; after the upgrade the same row is found through the
    table of indexed words (``search_term``), by a folded word and by a prefix."""
    if not is_sqlite():
        pytest.skip("PostgreSQL's index is left as it was")
    migrations.upgrade(target=14)
    db.execute_sql(
        "INSERT INTO case_search (rowid, call_id, subject, body)"
        " VALUES (7, '2026-00007', 'Straßenbahn', 'Übergabe fehlt')"
    )

    migrations.upgrade()

    from helpdesk.cases import search

    def found(text):
        query = "SELECT rowid FROM case_search WHERE case_search MATCH ?"
        return [row[0] for row in db.execute_sql(query, (search._fts_query(search.words(text)),))]

    assert found("strassenbahn") == [7]
    assert found("Straße") == [7]
    assert found("uberg") == [7]
    terms = {row[0] for row in db.execute_sql("SELECT term FROM search_term")}
    assert {"strassenbahn", "ubergabe", "fehlt", "2026", "00007"} <= terms
