"""Every page the browser tests see, checked: axe-core after each test, the W3C Nu checker once
at the end of the session.

``open_page`` hands each page to ``Markup.watch``, which keeps the HTML of every document the
server sent (pages, 422 answers, with or without JavaScript) and, for a page where htmx swapped
something, the final DOM at the end of the test. After each test (``check``) every document not
seen before is replayed in a checker page of Chromium at the width it was seen at: the
server's HTML with its stylesheets from the live server, no scripts. axe-core
(``vendor/axe.min.js``, MPL-2.0, injected through the DevTools protocol, so the page's CSP
does not matter) must find nothing there: the test fails with the violations. At the end of
the session ``validate`` writes every document to a temporary folder and starts the Nu checker
once (``java -jar vnu.jar --errors-only``): an error fails the session. ``make vnu`` installs
the checker (npm ``vnu-jar``) under ``.tools/``; without it or without Java the validation is
skipped with a warning, or fails when ``CI=true``. ``VALIDATE_HTML=0`` leaves the Nu checker
out on purpose: ``make test`` sets it for the PostgreSQL run, since the SQLite run beside it
validates the same markup (axe-core runs in both). ``MARKUP_DEBUG=1`` (with ``pytest -s``)
prints how many documents axe-core has checked after each test.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROOT = Path(__file__).parents[2]
VNU = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_JAR = Path(os.environ.get("VNU_JAR", VNU))

# Tokens, nonces and times differ on every answer; without them a page seen twice is one page.
VOLATILE = re.compile(r'"[A-Za-z0-9_.:+/=-]{24,}"|\d\d:\d\d(:\d\d)?')

RUN_AXE = """
axe.run(document, {resultTypes: ["violations"]}).then(result => result.violations.map(v =>
  `${v.id} (${v.impact}): ${v.help}: ` +
  v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + n.failureSummary.replace(/\\s+/g, " "))
    .join(" | ")))
"""


@dataclass
class Document:
    url: str
    status: int
    body: str
    width: int
    where: str
    key: str = field(init=False)

    def __post_init__(self):
        normal = VOLATILE.sub('""', self.body)
        self.key = hashlib.sha1(f"{self.width} {normal}".encode()).hexdigest()


class Markup:
    """The documents of a session, their axe-core check after each test, the Nu checker's at
    the end."""

    def __init__(self, browser):
        self.browser = browser
        self.pages = []
        self.pending: list[Document] = []
        self.checked: set[str] = set()
        self.validated: dict[str, Document] = {}
        self._checker = None
        self._replaying: Document | None = None

    # -- collecting --------------------------------------------------------------------------

    def watch(self, page):
        """Keep every HTML document ``page`` receives (and remember whether htmx swapped)."""
        page.htmx_swapped = False
        self.pages.append(page)

        def on_response(response):
            request = response.request
            if request.headers.get("hx-request"):
                page.htmx_swapped = True
                return
            kind = response.headers.get("content-type", "")
            if request.resource_type != "document" or not kind.startswith("text/html"):
                return
            if 300 <= response.status < 400:
                return
            try:
                body = response.text()
            except Exception:  # the page went on before the body was read: seen next time
                return
            width = (page.viewport_size or {"width": 1280})["width"]
            where = f"{self.test}: {request.method} {response.url} ({width} px)"
            self.pending.append(Document(response.url, response.status, body, width, where))

        page.on("response", on_response)

    def start(self):
        """A new test: forget the pages of the last one."""
        self.pages, self.pending = [], []

    @property
    def test(self) -> str:
        return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]

    # -- after each test: axe-core -----------------------------------------------------------

    def check(self) -> list[str]:
        """axe-core's violations on every document of the test not checked before."""
        for page in self.pages:
            if page.is_closed() or not page.htmx_swapped:
                continue
            width = (page.viewport_size or {"width": 1280})["width"]
            where = f"{self.test}: {page.url} after htmx ({width} px)"
            self.pending.append(Document(page.url, 200, page.content(), width, where))
        problems = []
        for document in self.pending:
            self.validated.setdefault(document.key, document)
            if document.key in self.checked:
                continue
            self.checked.add(document.key)
            problems += [f"{document.where}: {found}" for found in self._axe(document)]
        self.pending = []
        if os.environ.get("MARKUP_DEBUG"):
            print(f"checked {len(self.checked)} documents")
        return problems

    def _axe(self, document: Document) -> list[str]:
        if self._checker is None:
            context = self.browser.new_context(locale="en-US")
            context.add_init_script(path=str(AXE))
            context.route("**/*", self._replay)
            self._checker = context.new_page()
        page = self._checker
        page.set_viewport_size({"width": document.width, "height": 900})
        self._replaying = document
        page.goto(document.url, wait_until="load", timeout=15_000)
        return page.evaluate(RUN_AXE)

    def _replay(self, route):
        """The document as the test saw it, once; its stylesheets, pictures and fonts from the
        server. Scripts stay out (the markup is checked as sent; htmx's results are the final
        DOM's document), and nothing the replay does reaches the server's data."""
        request, document = route.request, self._replaying
        if request.is_navigation_request():
            if document is not None and request.url == document.url:
                self._replaying = None
                route.fulfill(
                    status=document.status,
                    content_type="text/html; charset=utf-8",
                    body=document.body,
                )
            else:
                route.abort()
        elif request.resource_type in ("stylesheet", "image", "font"):
            route.continue_()
        else:
            route.abort()

    def close(self):
        if self._checker is not None:
            self._checker.context.close()

    # -- at the end of the session: the Nu checker -------------------------------------------

    def validate(self) -> list[str]:
        """The Nu checker's errors on every document of the session (one JVM start)."""
        if not self.validated or not validating():
            return []
        missing = self.missing_validator()
        if missing:
            if os.environ.get("CI") == "true":
                return [f"{missing}; with CI=true the HTML validation is required."]
            warnings.warn(f"HTML not validated: {missing}", stacklevel=1)
            return []
        folder = Path(tempfile.mkdtemp(prefix="vnu-"))
        names = {}
        for number, document in enumerate(self.validated.values()):
            path = folder / f"{number:04d}.html"
            path.write_text(document.body)
            names[path.name] = document
        answer = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        messages = json.loads(answer.stderr or answer.stdout or '{"messages": []}')["messages"]
        errors = []
        for message in messages:
            document = names.get(Path(message.get("url", "")).name)
            where = f"{document.where} line {message.get('lastLine')}" if document else "vnu"
            extract = " ".join((message.get("extract") or "").split())
            errors.append(f"{where}: {message['message']} [{extract}]")
        shutil.rmtree(folder)
        return errors

    @staticmethod
    def missing_validator() -> str:
        if shutil.which("java") is None:
            return "java not found (apt-get install default-jre-headless)"
        if not VNU_JAR.exists():
            return f"{VNU_JAR} not found (make vnu)"
        return ""


def validating() -> bool:
    """Whether this session runs the Nu checker (``VALIDATE_HTML=0``: another run does)."""
    return os.environ.get("VALIDATE_HTML") != "0"


#: The session's checks while the browser runs (``conftest.browser``); None otherwise. Here,
#: not in the conftest: a test module importing ``tests.browser.conftest`` may get a copy of
#: that module of its own, whose globals the fixtures never set.
ACTIVE: Markup | None = None
