"""Writers at the same time (OPS-3): no accepted post is lost.

Real gunicorn worker processes (not threads) serve this run's database, SQLite or PostgreSQL
as ``DATABASE_URL`` says. Ten clients sign in through the sign-in form and, for some
seconds, post replies, internal notes and new cases (customers on the web form, agents by
phone) to the same few cases at once, each with a text of its own. Every answer must be a
success or a clear refusal, never a 5xx, and every post the portal accepted (its 303) must
be in the database afterwards, exactly once.
"""

import http.client
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from huey.storage import RedisStorage
from markupsafe import escape
from peewee import IntegrityError, OperationalError

from helpdesk import demo
from helpdesk.accounts import tokens
from helpdesk.accounts.models import User
from helpdesk.accounts.tokens import Purpose
from helpdesk.cases import service
from helpdesk.cases.models import Case, Event
from helpdesk.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    db,
    is_busy,
    is_connection_lost,
    is_postgres,
    open_database,
)
from helpdesk.products.models import Product
from helpdesk.testing.mail import free_port
from tests.conftest import DEMO_PASSWORD, SECRET

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
SECONDS = 8
SHARED_CASES = 3
CUSTOMERS = ("paula.portal", "martin.main", "alma.admin", "mia.member", "mia.member")
AGENTS = ("erik.first", "sara.second", "tom.third", "ada.admin", "erik.first")
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


class Browser:
    """One person's cookies and CSRF token against the server at ``port``."""

    def __init__(self, port: int, email: str):
        self.port, self.email, self.cookies, self.token = port, email, {}, None

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        except OSError as error:
            raise AssertionError(f"{method} {path}: {error!r}") from error
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        found = _CSRF.search(text)
        if found:
            self.token = _VALUE.search(found.group(0)).group(1)
        return response.status, text

    def sign_in(self, page: str) -> None:
        """Sign in through the form, then open ``page`` for the new session's token."""
        self.request("GET", "/sign-in")
        status, text = self.request(
            "POST", "/sign-in", {"email": self.email, "password": DEMO_PASSWORD}
        )
        assert status == 302, text
        assert self.request("GET", page)[0] == 200


@pytest.fixture
def portal(make_app, smtp_server, tmp_path):
    """Demo data and three shared cases in this run's database, served by gunicorn."""
    settings = {"HELPDESK_PLUGINS": [], **smtp_server.settings}
    app = make_app(**settings)
    settings["REDIS_URL"] = app.config["REDIS_URL"]
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        people = {u.email.split("@")[0]: u for u in User.select()}
        cases = [_open_case(people["mia.member"], f"Shared case {n}") for n in range(SHARED_CASES)]
        facts = {
            "port": free_port(),
            "cases": [c.call_id for c in cases],
            "product": cases[0].product_id,
            "mia": people["mia.member"].id,
        }
    db.close()  # the server's processes have the database to themselves
    folder = tmp_path / "served"
    folder.mkdir()
    settings.update(
        SECRET_KEY=SECRET,
        HUEY_NAME=f"concurrency-test-{os.getpid()}",
        RATE_LIMIT_PREFIX=f"limits-concurrency-{uuid.uuid4().hex}",
    )
    (folder / "config.py").write_text(
        "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    )
    env = dict(os.environ, HELPDESK_INSTANCE=str(folder), DATABASE_URL=app.config["DATABASE_URL"])
    env.pop("REDIS_URL", None)  # the served app reads it from its configuration file
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = facts["log"] = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                gunicorn,
                *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{facts['port']}"),
                *("--no-control-socket", "--access-logfile", "-"),
                *("--access-logformat", "%(m)s %(U)s %(s)s %(M)sms"),
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_served(facts["port"], process)
        yield facts
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if settings.get("REDIS_URL"):  # the jobs the posts queued; no worker takes them
            RedisStorage(settings["HUEY_NAME"], url=settings["REDIS_URL"]).flush_all()
    db.connect(reuse_if_open=True)


def _open_case(requester: User, subject: str) -> Case:
    return service.open_case(
        service.NewCase(
            requester=requester,
            product=Product.select().first(),
            subject=subject,
            description="Everybody writes here at once.",
            case_type="fault",
            severity="normal",
        )
    )


def _wait_until_served(port: int, process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/sign-in")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start")


def _writer(portal, name: str, number: int, start, posts: list, failures: list) -> None:
    """Sign in, wait for everybody, then post until the time is up."""
    try:
        browser = Browser(portal["port"], f"{name}@{_domain(name)}")
        browser.sign_in(f"/cases/{portal['cases'][0]}")
        agent = name in AGENTS
        start.wait()
        deadline = time.monotonic() + SECONDS
        turn = 0
        while time.monotonic() < deadline:
            text = f"{name} {number}-{turn} {uuid.uuid4().hex[:8]}"
            if turn % 4 == 3:
                kind, path, form = "case", *_new_case(portal, agent, text)
            else:
                call_id = portal["cases"][(number + turn) % SHARED_CASES]
                form = {"body": text}
                if agent:
                    form["visibility"] = "internal" if turn % 2 else "public"
                kind, path = "message", f"/cases/{call_id}/messages"
            status, body = browser.request("POST", path, form)
            posts.append((kind, text, status, body[-3000:] if status >= 500 else ""))
            turn += 1
    except Exception as error:  # shown by the test's assertion
        failures.append(f"{name}: {error!r}")
        start.abort()  # nobody waits for a writer that will not come


def _new_case(portal, agent: bool, text: str) -> tuple[str, dict]:
    form = {
        "product": portal["product"],
        "case_type": "fault",
        "severity": "normal",
        "subject": text,
        "description": "Opened while everybody else writes.",
    }
    if agent:
        return "/cases/new/phone", {**form, "requester": portal["mia"]}
    return "/cases/new", form


def _domain(name: str) -> str:
    return "vendor.example" if name in AGENTS else "muster.example"


def test_ten_writers_at_once_lose_no_accepted_post(portal):
    writers = [*CUSTOMERS, *AGENTS]
    start, posts, failures = threading.Barrier(len(writers), timeout=120), [], []
    threads = [
        threading.Thread(target=_writer, args=(portal, name, number, start, posts, failures))
        for number, name in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = portal["log"].read_text(errors="replace")[-5000:]
    assert failures == [], (failures, log)
    server_errors = [(kind, status, body) for kind, _, status, body in posts if status >= 500]
    assert server_errors == [], (server_errors[:2], log)
    statuses = Counter(status for _, _, status, _ in posts)
    accepted = {
        kind: [t for k, t, s, _ in posts if k == kind and s == 303] for kind in ("message", "case")
    }
    # Enough happened at once to prove something: every writer got posts through.
    assert len(accepted["message"]) >= 3 * len(writers), statuses
    assert len(accepted["case"]) >= 2, statuses
    assert {text.split()[0] for text in accepted["message"]} == set(writers)
    messages = Counter(
        e.body for e in Event.select(Event.body).where(Event.body.in_(accepted["message"]))
    )
    cases = Counter(
        c.subject for c in Case.select(Case.subject).where(Case.subject.in_(accepted["case"]))
    )
    assert sorted(messages.elements()) == sorted(accepted["message"])
    assert sorted(cases.elements()) == sorted(accepted["case"])


# -- a writer that gets no turn ------------------------------------------------------------


@pytest.fixture
def impatient_app(make_app, smtp_server, monkeypatch):
    """SQLite only: an app whose writers wait 0.2 s for the write lock, not 10 s."""
    if not is_sqlite_url(os.environ.get("DATABASE_URL")):
        pytest.skip("SQLite's write lock")
    monkeypatch.setitem(SQLITE_PRAGMAS, "busy_timeout", 200)
    app = make_app(**smtp_server.settings)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        mia = User.get(User.email == "mia.member@muster.example")
        case = _open_case(mia, "Busy")
    db.close()
    return app, mia, case


def is_sqlite_url(url: str | None) -> bool:
    return not (url or "").startswith("postgres")


class WriteLock:
    """Another process's writer: holds SQLite's write lock while the block runs."""

    def __init__(self, url: str):
        self.path = url.removeprefix("sqlite:///")

    def __enter__(self):
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, *exc):
        self.connection.rollback()
        self.connection.close()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_writer_without_a_turn_gets_a_busy_page_that_keeps_the_text(impatient_app, htmx):
    app, mia, case = impatient_app
    client = app.test_client().sign_in_as(mia)
    text = "The invoice run stops.\nIt stopped again today."
    headers = {"HX-Request": "true"} if htmx else {}
    with WriteLock(app.config["DATABASE_URL"]):
        response = client.post(
            f"/cases/{case.call_id}/messages",
            data={"body": text, "files": (io.BytesIO(b"log"), "run.log")},
            headers=headers,
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert ("<html" in page) is not htmx
    assert "The portal is busy" in page and "please add them again" in page
    resend = re.search(r'<form method="post" action="([^"]+)"[^>]*class="resend">', page)
    assert resend.group(1) == f"/cases/{case.call_id}/messages"
    assert f'<textarea name="body" id="resend-1" rows="6">{escape(text)}</textarea>' in page
    with app.app_context():
        assert not Event.select().where(Event.body == text).exists()
    # Sent again from that page once the other writer is done: saved, once.
    again = client.post(resend.group(1), data={"body": text})
    assert again.status_code == 303
    with app.app_context():
        assert Event.select().where(Event.body == text).count() == 1


def test_the_busy_page_writes_no_password_into_the_page(impatient_app):
    app, mia, _ = impatient_app
    with app.app_context():
        secret, _ = tokens.issue(Purpose.RESET, timedelta(minutes=60), mia)
    new = "Horse battery staple 42"
    with WriteLock(app.config["DATABASE_URL"]):
        response = app.test_client().post(f"/reset/{secret}", data={"password": new, "repeat": new})
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert "Please try again in a few seconds" in page and new not in page


def test_contention_is_recognised_on_either_database(app, demo_people):
    """The errors that mean "another writer was in the way", raised by the real database."""
    mia = demo_people["mia.member"]
    with app.app_context():
        other = open_database(app.config["DATABASE_URL"])
        try:
            if is_postgres():
                # A row another transaction holds, and no patience: lock_not_available.
                other.connect()
                other.begin()
                other.execute_sql('SELECT 1 FROM "user" WHERE id = %s FOR UPDATE', (mia.id,))
                with pytest.raises(OperationalError) as raised, db.atomic():
                    db.execute_sql("SET LOCAL lock_timeout = '100ms'")
                    User.update(name="Mia").where(User.id == mia.id).execute()
            else:
                with WriteLock(app.config["DATABASE_URL"]):
                    db.execute_sql("PRAGMA busy_timeout = 100")
                    with pytest.raises(OperationalError) as raised, db.atomic():
                        User.update(name="Mia").where(User.id == mia.id).execute()
                    db.execute_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            other.close()
        assert is_busy(raised.value)
        with pytest.raises(IntegrityError) as other_error:
            User.create(email=mia.email, name="Twin", kind="customer")
        assert not is_busy(other_error.value)


def test_a_connection_ended_under_a_request_is_answered_busy(app, demo_people):
    """``pg_terminate_backend`` (a restart, a failover) under a running request: its
    transaction is gone, the person gets the "try again" page, not an error."""
    if not is_postgres():
        pytest.skip("PostgreSQL only: SQLite has no server that ends connections")
    with app.app_context():
        with pytest.raises(OperationalError) as raised, db.atomic():
            User.update(name="Mia").where(User.id == demo_people["mia.member"].id).execute()
            ended = open_database(app.config["DATABASE_URL"])
            own = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
            ended.execute_sql("SELECT pg_terminate_backend(%s)", (own,))
            ended.close()
            User.select().count()
        assert is_connection_lost(raised.value)
        assert not is_busy(raised.value)
        db.close()
        assert User.get_by_id(demo_people["mia.member"].id).name != "Mia"
        with pytest.raises(IntegrityError) as other_error:
            User.create(email=demo_people["mia.member"].email, name="Twin", kind="customer")
        assert not is_connection_lost(other_error.value)
