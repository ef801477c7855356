"""Test fixtures for the portal and its plugins, installed as a pytest plugin.

Installing ``helpdesk`` registers this module with pytest (entry point ``pytest11``), so a
plugin's own tests use these fixtures without a ``conftest.py``; ``pip install
helpdesk[testing]`` brings what they need (pytest, aiosmtpd, time-machine).

- ``make_app(*plugins, **config)``: an app with exactly the named plugins (a string enables
  a plugin by name, any other object is registered as a plugin) on a database built once per
  session by the migrations, with empty tables for every test. ``DATABASE_URL`` set to a
  PostgreSQL URL puts the session on a fresh database beside that one.
- ``app`` (``make_app()``), ``client``, ``demo_people`` (the demo data, by the part of each
  address before the ``@``) and the signed-in clients ``customer_client``,
  ``portal_admin_client``, ``agent_client``, ``admin_client``. Override ``app`` in your
  ``conftest.py`` (``return make_app("my_vendor")``) and all of them use your plugin.
- ``demo_password_hash``: ``DEMO_PASSWORD`` hashed once a session, which ``demo_people``
  hands to ``demo.load`` (argon2 at its real cost is a fifth of a second a hash).
- ``open_case(requester, **fields)``: a case opened through the portal's own service.
- ``smtp_server``: the mail catcher, a real SMTP server (``make_app(**smtp_server.settings)``).
- ``oidc_provider``: a real OpenID Connect provider that can misbehave (``testing.oidc``).
- ``clock``: stops the time where a test puts it (``clock.at("2026-11-30T09:00")``).

Clients are ``helpdesk.testing.client.CsrfClient``: they send CSRF tokens as a browser does
and sign a user in with ``sign_in_as(user)``. A ``conftest.py`` fixture of the same name wins
over these, as pytest lets the nearer definition win.

pytest loads this module in every run in the environment, so it imports nothing but pytest
and the standard library until a fixture is used.
"""

import os
import uuid

import pytest

SECRET = "test-secret-key-that-is-long-enough"
DEMO_PASSWORD = "demo-password-for-tests"


def fresh_postgres_database(url: str):
    """Create a uniquely named database beside ``url``'s; return its URL and a dropper."""
    from helpdesk.testing import database

    return database.fresh_postgres_database(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The session's database: a fresh PostgreSQL database when ``DATABASE_URL`` names a
    PostgreSQL server, else a new SQLite file."""
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
    from helpdesk import migrations
    from helpdesk.db import db, open_database

    db.initialize(open_database(database_url))
    migrations.upgrade()
    db.close()
    return database_url


@pytest.fixture
def make_app(schema, tmp_path):
    """``make_app(*plugins, **config)``: an app with exactly the named plugins.

    A string names a plugin to enable (as in ``HELPDESK_PLUGINS``); any other object is
    registered as a plugin directly. Keyword arguments override the configuration. Every test
    starts and ends with empty tables.
    """
    from helpdesk import create_app
    from helpdesk.testing import templates
    from helpdesk.testing.client import CsrfClient
    from helpdesk.testing.database import empty_tables

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
        app.jinja_env.bytecode_cache = templates.SHARED  # compiled once a session, not per app
        return app

    empty_tables()
    yield make
    empty_tables()


@pytest.fixture
def app(make_app):
    """The app the client fixtures use: the core alone, unless a ``conftest.py`` says more."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def demo_password_hash():
    """``DEMO_PASSWORD`` hashed once a session, at the production cost, for ``demo.load``."""
    from helpdesk.accounts.passwords import hash_password

    return hash_password(DEMO_PASSWORD)


@pytest.fixture
def demo_people(app, demo_password_hash):
    """The demo data of ``app`` (one organisation, a customer of every role, an agent of
    every level), as ``{"mia.member": User, ...}``; everyone's password is ``DEMO_PASSWORD``."""
    from helpdesk import demo
    from helpdesk.accounts.models import User

    with app.app_context():
        demo.load(password=DEMO_PASSWORD, password_hash=demo_password_hash)
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


@pytest.fixture
def open_case(request):
    """``open_case(requester, **fields)``: a case opened as ``requester`` (a ``User``, or a
    demo person's name such as ``"mia.member"``) through the portal's service.

    Runs in the app context the test has pushed, else in ``app``'s. See
    ``helpdesk.testing.cases.open_case`` for the defaults.
    """
    from flask import has_app_context

    from helpdesk.testing import cases

    def open_as(requester, **fields):
        if has_app_context():
            return cases.open_case(requester, **fields)
        with request.getfixturevalue("app").app_context():
            return cases.open_case(requester, **fields)

    return open_as


@pytest.fixture
def smtp_server():
    """The mail catcher: a real SMTP server for this test (``helpdesk.testing.mail``)."""
    from helpdesk.testing.mail import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def oidc_provider():
    """The test OpenID Connect provider (``helpdesk.testing.oidc``), on a free port."""
    from helpdesk.testing.oidc import TestProvider

    provider = TestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def clock():
    """A ``helpdesk.testing.clock.Clock``: ``clock.at(moment)``, ``clock.advance(hours=2)``."""
    from helpdesk.testing.clock import Clock

    stopped = Clock()
    yield stopped
    stopped.stop()
