"""Concurrent customers and agents through the proxy: lists, case pages, search, replies, new
cases and uploads, each client a thread with its own session (``requests``).

Every write carries a unique marker; a write counts as accepted when the portal answered it
with its redirect (303), so the checks afterwards can look for each accepted one in the
database. A request without an answer (a connection broken by a killed server, or no answer
within ``TIMEOUT``) is recorded as such, never retried.
"""

import random
import re
import threading
import time
from dataclasses import dataclass, field

import requests

TIMEOUT = 30  # seconds; gunicorn's worker timeout is the same
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
WORDS = ("invoice", "printer", "Rechnung", "export", "Buchung", "error", "report")
UPLOAD = b"2026-12-04 10:00:01 ERROR E4711 lock timeout\n" * 40

#: What a client does, by weight.
CUSTOMER_MIX = {"list": 25, "case": 30, "search": 15, "reply": 15, "new case": 8, "upload": 7}
AGENT_MIX = {"list": 15, "queue": 15, "case": 30, "search": 15, "reply": 20, "upload": 5}


@dataclass
class Sample:
    action: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no answer
    error: str = ""


@dataclass
class Account:
    email: str
    agent: bool
    cases: list[str]  # call ids the account may read and answer
    cookies: dict = field(default_factory=dict)
    csrf: str = ""


@dataclass
class Plan:
    """What the clients need to know about the seeded data."""

    product: str
    version: str
    component: str
    case_type: str
    severity: str


class Recorder:
    def __init__(self):
        self.samples: list[Sample] = []
        self.replies: list[str] = []  # markers of accepted replies
        self.cases: list[str] = []  # markers of accepted new cases
        self.refused: list[tuple[str, int, str]] = []  # a write answered without a redirect
        self._lock = threading.Lock()

    def add(self, sample: Sample, accepted: tuple[str, str] | None = None) -> None:
        with self._lock:
            self.samples.append(sample)
            if accepted:
                (self.replies if accepted[0] == "reply" else self.cases).append(accepted[1])


def sign_in(base: str, account: Account, password: str) -> None:
    """Through the real form, once per account; clients of the account share the cookies."""
    session = requests.Session()
    page = session.get(f"{base}/sign-in", timeout=TIMEOUT).text
    form = {"csrf_token": CSRF.search(page).group(1), "email": account.email}
    session.post(f"{base}/sign-in", data={**form, "password": password}, timeout=TIMEOUT)
    account.cookies = session.cookies.get_dict()
    page = session.get(f"{base}/cases/{account.cases[0]}", timeout=TIMEOUT)
    if page.status_code != 200:
        raise RuntimeError(f"{account.email} cannot open {account.cases[0]}: {page.status_code}")
    account.csrf = CSRF.search(page.text).group(1)


class Client(threading.Thread):
    def __init__(self, number, base, account, plan, recorder, until, seed):
        super().__init__(daemon=True, name=f"client-{number}")
        self.number, self.base, self.account, self.plan = number, base, account, plan
        self.recorder, self.until = recorder, until
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.session.cookies.update(account.cookies)
        self.writes = 0
        mix = AGENT_MIX if account.agent else CUSTOMER_MIX
        self.actions, self.weights = list(mix), list(mix.values())

    def run(self) -> None:
        while time.monotonic() < self.until:
            action = self.rng.choices(self.actions, self.weights)[0]
            getattr(self, "do_" + action.replace(" ", "_"))(action)
            time.sleep(self.rng.uniform(0.05, 0.3))  # a person's pause, short

    def request(self, action, method, path, accepted=None, **options) -> None:
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base + path, timeout=TIMEOUT, allow_redirects=False, **options
            )
        except requests.RequestException as error:
            sample = Sample(action, started, time.monotonic() - started, None, type(error).__name__)
            self.recorder.add(sample)
            return
        sample = Sample(action, started, time.monotonic() - started, response.status_code)
        ok = response.status_code == 303
        if accepted and not ok:
            with self.recorder._lock:
                page = response.text.split("<main", 1)[-1]
                said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
                self.recorder.refused.append((action, path, response.status_code, said))
        self.recorder.add(sample, accepted if accepted and ok else None)

    def marker(self) -> str:
        self.writes += 1
        return f"clustermark{self.number}x{self.writes}"

    def case(self) -> str:
        return self.rng.choice(self.account.cases)

    def do_list(self, action):
        self.request(action, "GET", "/cases")

    def do_queue(self, action):
        self.request(action, "GET", "/queue")

    def do_case(self, action):
        self.request(action, "GET", f"/cases/{self.case()}")

    def do_search(self, action):
        self.request(action, "GET", "/cases", params={"q": self.rng.choice(WORDS)})

    def do_reply(self, action, files=None):
        marker = self.marker()
        data = {"csrf_token": self.account.csrf, "body": f"Reply {marker} from the load."}
        if self.account.agent:
            data["visibility"] = "public"
        path = f"/cases/{self.case()}/messages"
        self.request(action, "POST", path, ("reply", marker), data=data, files=files)

    def do_upload(self, action):
        self.do_reply(action, files={"files": ("cluster.log", UPLOAD, "text/plain")})

    def do_new_case(self, action):
        marker = self.marker()
        plan = self.plan
        data = {
            "csrf_token": self.account.csrf,
            "product": plan.product,
            "version": plan.version,
            "component": plan.component,
            "case_type": plan.case_type,
            "severity": plan.severity,
            "subject": f"Invoice run stops {marker}",
            "description": "The monthly invoice run stops after 50 invoices.",
            "impact": "Invoices go out late.",
        }
        files = {"files": ("cluster.log", UPLOAD, "text/plain")} if self.writes % 2 else None
        self.request(action, "POST", "/cases/new", ("case", marker), data=data, files=files)


def chosen(accounts: list[Account], clients: int) -> list[Account]:
    """The account of each of ``clients`` clients: a third agents, the rest customers."""
    customers = [a for a in accounts if not a.agent]
    agents = [a for a in accounts if a.agent]
    picked = []
    for number in range(clients):
        pool = agents if number % 3 == 2 else customers
        picked.append(pool[number // 3 % len(pool)])
    return picked


def run(base, accounts, plan, clients, seconds, recorder) -> None:
    """``clients`` threads over the accounts (customers and agents alternating) for
    ``seconds``."""
    until = time.monotonic() + seconds
    threads = []
    for number, account in enumerate(chosen(accounts, clients)):
        threads.append(Client(number, base, account, plan, recorder, until, number))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + TIMEOUT + 10)
