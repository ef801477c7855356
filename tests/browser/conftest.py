"""Fixtures for the browser tests: a live server and Debian's Chromium driven by Playwright.

``live_server`` serves an app built by ``make_app`` (with the demo data loaded) from a
werkzeug server in a daemon thread; the database is the session's shared SQLite file or
PostgreSQL database, so the server's threads see what the test wrote. ``browser`` launches
``/usr/bin/chromium`` (never a downloaded browser); without it the browser tests are skipped,
or fail when ``CI=true``. ``page`` is a fresh context per test, ``page_nojs`` one without
JavaScript. Every page collects console errors and uncaught exceptions in ``page.problems``
(Chromium reports a CSP violation there too); pages with JavaScript also record CSP
violations in ``window.__cspViolations``.
"""

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser import markup
from tests.browser.markup import Markup
from tests.conftest import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 5_000
CUSTOMER_EMAIL = "mia.member@muster.example"


# Records CSP violations in the page itself, for the pages that run JavaScript.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || document.URL}:${event.lineNumber})`
  );
});
"""


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(request, make_app, demo_password_hash):
    """The portal with the demo data, served over HTTP on a free port.

    Plugins to enable come by indirect parametrisation: ``request.param`` is a plugin name or
    a tuple of them, passed on to ``make_app`` (default: none).
    """
    from helpdesk import demo

    plugins = getattr(request, "param", ()) or ()
    if isinstance(plugins, str):
        plugins = (plugins,)
    app = make_app(*plugins)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD, password_hash=demo_password_hash)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _chromium_path() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        message = f"Chromium not found at {CHROMIUM} or on PATH (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; with CI=true the browser tests are required.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        markup.ACTIVE = checks = Markup(browser)
        try:
            yield browser
            checks.close()
            errors = checks.validate()
            if errors:
                pytest.fail(
                    f"The W3C Nu checker found {len(errors)} errors:\n" + "\n".join(errors),
                    pytrace=False,
                )
        finally:
            markup.ACTIVE = None
            browser.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if markup.ACTIVE is not None:
        markup.ACTIVE.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a test that passed, axe-core on every page it saw: its violations fail it."""
    result = yield
    if markup.ACTIVE is not None:
        violations = markup.ACTIVE.check()
        if violations:
            pytest.fail(
                f"axe-core found {len(violations)} violations:\n" + "\n".join(violations),
                pytrace=False,
            )
    return result


def open_page(browser, **options):
    """A fresh context and page that record console errors and CSP violations."""
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if options.get("java_script_enabled", True):
        context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        problems.append(f"console error: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    if markup.ACTIVE is not None:
        markup.ACTIVE.watch(page)
    return context, page


def unexpected_problems(page, status: int) -> list[str]:
    """``page.problems`` without the browser's report of a response with ``status``: a form
    answered with 422 is expected, and Chromium logs every 4xx as "Failed to load resource"."""
    expected = f"the server responded with a status of {status} "
    return [problem for problem in page.problems if expected not in problem]


@pytest.fixture
def page(browser):
    """A page in a fresh context (en-US), JavaScript on."""
    context, page = open_page(browser)
    yield page
    context.close()


@pytest.fixture
def page_nojs(browser):
    """A page in a fresh context (en-US) with JavaScript off: every page must work so."""
    context, page = open_page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, email=..., password=...)``: fill in and send the real sign-in form
    (opened first unless ``goto=False``: then the page shows it already)."""

    def fill_in(page, email=CUSTOMER_EMAIL, password=DEMO_PASSWORD, goto=True):
        if goto:
            page.goto(f"{live_server.url}/sign-in")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page

    return fill_in
