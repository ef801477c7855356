"""Fixtures shared by every test.

The database is chosen by ``DATABASE_URL``: unset, a fresh SQLite file per session; set to a
PostgreSQL URL, a fresh database is created beside the named one for this session and dropped
afterwards. Migrations build the schema once; every test starts with empty tables.
``REDIS_URL`` set puts huey on Redis (under a name of its own) for the tests that use a real
queue; all others run tasks immediately.
"""

import contextvars
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from peewee import AutoField

from helpdesk import create_app, migrations
from helpdesk.db import db, is_postgres, open_database
from helpdesk.models import ALL_MODELS

SECRET = "test-secret-key-that-is-long-enough"
DEMO_PASSWORD = "demo-password-for-tests"


def fresh_postgres_database(url: str):
    """Create a uniquely named database beside ``url``'s; return its URL and a dropper."""
    name = f"helpdesk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    parts = urlsplit(url)
    admin = psycopg2.connect(url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop():
        if not db.is_closed():
            db.close()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunsplit(parts._replace(path="/" + name)), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres"):
        fresh, drop = fresh_postgres_database(url)
        yield fresh
        drop()
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def schema(database_url):
    """The schema, built once per session by the migrations themselves."""
    db.initialize(open_database(database_url))
    migrations.upgrade()
    db.close()
    return database_url


def _empty_tables():
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
    db.close()


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every request, as a browser would.

    CSRF protection stays on in every test; ``csrf=False`` on a request leaves it out.
    """

    def open(self, *args, csrf=True, **kwargs):
        if csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # A fresh context, as a server gives every request: an app context the test has
        # pushed (fixture ``ctx``) would otherwise be reused, and with it ``g`` (the signed-in
        # user, the locale) from the previous request.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex)
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def sign_in_as(self, user) -> "CsrfClient":
        """Sign ``user`` in without a password round trip (a sign-in record all the same)."""
        from helpdesk.accounts import sessions

        with self.application.app_context():
            session_id = sessions.start(user).get_id()
        with self.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        return self


@pytest.fixture
def make_app(schema, tmp_path):
    """``make_app(*plugins, **config)``: an app with exactly the named plugins.

    A string names a plugin to enable (as in ``HELPDESK_PLUGINS``); any other object is
    registered as a plugin directly. Keyword arguments override the configuration.
    """
    created = []

    def make(*plugins, **config):
        names = [p for p in plugins if isinstance(p, str)]
        objects = [p for p in plugins if not isinstance(p, str)]
        settings = {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": schema,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "HELPDESK_PLUGINS": names,
            "HUEY_IMMEDIATE": True,
            "REDIS_URL": os.environ.get("REDIS_URL"),
            "HUEY_NAME": f"helpdesk-test-{os.getpid()}",
            "RATE_LIMIT_PREFIX": f"limits-test-{uuid.uuid4().hex}",  # counts start at zero
        }
        settings.update(config)
        app = create_app(settings, plugins=objects)
        app.test_client_class = CsrfClient
        created.append(app)
        return app

    _empty_tables()
    yield make
    _empty_tables()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_people(app):
    """The demo data (one organisation, a customer of every role, an agent of every level)."""
    from helpdesk import demo
    from helpdesk.accounts.models import User

    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        return {user.email.split("@")[0]: user for user in User.select()}


@pytest.fixture
def customer_client(app, demo_people):
    return app.test_client().sign_in_as(demo_people["mia.member"])


@pytest.fixture
def portal_admin_client(app, demo_people):
    return app.test_client().sign_in_as(demo_people["paula.portal"])


@pytest.fixture
def agent_client(app, demo_people):
    return app.test_client().sign_in_as(demo_people["erik.first"])


@pytest.fixture
def admin_client(app, demo_people):
    return app.test_client().sign_in_as(demo_people["ada.admin"])


ROOT = Path(__file__).resolve().parent.parent
VENDOR_PLUGINS = sorted(
    p.stem if p.suffix == ".py" else p.name
    for p in (ROOT / "plugins").iterdir()
    if not p.name.startswith(("_", ".")) and (p.suffix == ".py" or (p / "__init__.py").exists())
)
