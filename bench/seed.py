"""Seeds a benchmark dataset: N cases across 50 organisations, 2-10 timeline events each.

Rows are written with multi-row inserts in large transactions (no per-row ORM work), so
100,000 cases take well under a minute on SQLite. One case gets exactly ten messages for the
detail page measurement. Deterministic: the same N gives the same data.
"""

import random
from datetime import timedelta

from peewee import fn

from helpdesk.accounts.models import Kind, Organisation, Team, User
from helpdesk.accounts.passwords import hash_password
from helpdesk.cases import search
from helpdesk.cases.models import CallIdCounter, Case, Event, EventKind, Visibility
from helpdesk.db import db, is_postgres
from helpdesk.policy import Category, current_policy
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla.models import CaseClock
from helpdesk.timeutil import utcnow

ORGANISATIONS = 50
USERS_PER_ORGANISATION = 6
AGENTS = 12
BATCH = 2000
PASSWORD = "bench-password"
CUSTOMER = "customer0@org0.bench.example"
AGENT = "agent0@vendor.bench.example"
WORDS = [
    "Rechnung",
    "Drucker",
    "Lieferschein",
    "Buchung",
    "Mahnung",
    "Auftrag",
    "Lager",
    "Artikel",
    "Export",
    "Import",
    "Schnittstelle",
    "Fehler",
    "Abbruch",
    "Berechtigung",
    "Benutzer",
    "Bericht",
    "Kunde",
    "Lieferant",
    "Zahlung",
    "Steuer",
    "Version",
    "Update",
    "invoice",
    "printer",
    "delivery",
    "booking",
    "error",
    "export",
    "report",
    "payment",
    "update",
    "server",
    "database",
    "login",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def seed(cases: int, seed_value: int = 42) -> dict:
    """Write the dataset into an empty database; return what the benchmark needs to know."""
    rng = random.Random(seed_value)
    policy = current_policy()
    hashed = hash_password(PASSWORD)
    with db.atomic():
        team = Team.create(key="support", name="Support")
        product = Product.create(key="bench", name="Bench Suite")
        versions = [ProductVersion.create(product=product, name=f"2026.{i}") for i in range(3)]
        components = [
            Component.create(product=product, key=f"c{i}", name=f"Module {i}") for i in range(5)
        ]
        agents = [
            User.create(
                email=AGENT.replace("0", str(i), 1),
                name=f"Agent {i}",
                password_hash=hashed,
                kind=Kind.AGENT,
                team=team,
                support_level=1 + i % 3,
            )
            for i in range(AGENTS)
        ]
        organisations, customers = [], {}
        for o in range(ORGANISATIONS):
            organisation = Organisation.create(
                name=f"Organisation {o}", case_visibility="main_contacts"
            )
            organisations.append(organisation)
            customers[organisation.id] = [
                User.create(
                    email=f"customer{u}@org{o}.bench.example",
                    name=f"Customer {o}.{u}",
                    password_hash=hashed,
                    kind=Kind.CUSTOMER,
                    organisation=organisation,
                    customer_role="main_contact" if u == 0 else "member",
                    support_authorised=True,
                )
                for u in range(USERS_PER_ORGANISATION)
            ]
    statuses = policy.statuses
    open_statuses = [s for s in statuses if s.category not in (Category.SOLVED, Category.CLOSED)]
    done_statuses = [s for s in statuses if s.category in (Category.SOLVED, Category.CLOSED)]
    types = [t.key for t in policy.case_types]
    severities = [s.key for s in policy.severities]
    now = utcnow()
    counters: dict[str, int] = {}
    detail_case = None
    case_columns = (
        Case.call_id,
        Case.organisation,
        Case.requester,
        Case.opened_by,
        Case.channel,
        Case.subject,
        Case.description,
        Case.product,
        Case.version,
        Case.component,
        Case.case_type,
        Case.severity,
        Case.priority,
        Case.status,
        Case.status_category,
        Case.is_open,
        Case.extra,
        Case.copy_to_requester,
        Case.team,
        Case.assignee,
        Case.created_at,
        Case.updated_at,
        Case.last_activity_at,
    )
    for start in range(0, cases, BATCH):
        rows, plans = [], []
        for _ in range(min(BATCH, cases - start)):
            organisation = rng.choice(organisations)
            requester = rng.choice(customers[organisation.id])
            if start == 0 and not rows:  # the detail page's case belongs to the bench customer
                organisation = organisations[0]
                requester = customers[organisation.id][0]
            created = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            year = str(created.year)
            counters[year] = counters.get(year, 0) + 1
            status = rng.choice(open_statuses if rng.random() < 0.3 else done_statuses)
            case_type, severity = rng.choice(types), rng.choice(severities)
            events = rng.randint(2, 10)
            updated = created + timedelta(hours=events * rng.randint(1, 30))
            rows.append(
                (
                    f"{year}-{counters[year]:05d}",
                    organisation.id,
                    requester.id,
                    requester.id,
                    "web",
                    _sentence(rng, 6)[:200],
                    _sentence(rng, 40),
                    product.id,
                    rng.choice(versions).id,
                    rng.choice(components).id,
                    case_type,
                    severity,
                    policy.priority_for(case_type, severity, None),
                    status.key,
                    status.category,
                    status.category.is_open,
                    "{}",
                    False,
                    team.id,
                    rng.choice(agents).id if rng.random() < 0.8 else None,
                    created,
                    updated,
                    updated,
                )
            )
            plans.append((requester.id, created, events))
        with db.atomic():
            first_id = _insert_cases(case_columns, rows)
            events_rows = []
            for offset, (requester_id, created, count) in enumerate(plans):
                case_id = first_id + offset
                if detail_case is None:
                    detail_case, count = case_id, 11
                events_rows.extend(_events(rng, case_id, requester_id, agents, created, count))
            _insert_in_chunks(
                Event,
                events_rows,
                [
                    Event.case,
                    Event.author,
                    Event.created_at,
                    Event.kind,
                    Event.visibility,
                    Event.body,
                ],
            )
    with db.atomic():
        for year, last in counters.items():
            CallIdCounter.insert(scope=year, last=last).on_conflict(
                conflict_target=[CallIdCounter.scope], update={CallIdCounter.last: last}
            ).execute()
        search.index_descriptions()
    return {"detail_call_id": Case.get_by_id(detail_case).call_id}


#: How the seeded response deadlines spread around the time of seeding: from a day overdue
#: to two weeks ahead, so that the breaching view and the "response due" sort have both.
DUE_FROM_MINUTES, DUE_SPAN_MINUTES = -24 * 60, 15 * 24 * 60


def ensure_clocks() -> None:
    """Clock rows for every case, written once per dataset (the seed writes cases without the
    hook that keeps clocks): an open case support owes an answer (neither waiting for the
    customer nor on hold) a response due somewhere in ``DUE_SPAN_MINUTES``, spread by its
    id; the rest none."""
    if CaseClock.select().limit(1).exists():
        return
    now = utcnow()
    owing = {c for c in Category if c.is_open} - {Category.WAITING, Category.HOLD}
    last = Case.select(fn.MAX(Case.id)).scalar() or 0
    fields = [
        CaseClock.case,
        CaseClock.timer_status,
        CaseClock.response_due_at,
        CaseClock.response_kind,
    ]
    for start in range(0, last, 10_000):
        query = Case.select(Case.id, Case.status, Case.status_category).where(
            (Case.id > start) & (Case.id <= start + 10_000)
        )
        rows = []
        for case_id, status, category in query.tuples():
            due = None
            if category in owing:
                minutes = DUE_FROM_MINUTES + (case_id * 7919) % DUE_SPAN_MINUTES
                due = now + timedelta(minutes=minutes)
            rows.append((case_id, status, due, "first" if due else None))
        with db.atomic():
            _insert_in_chunks(CaseClock, rows, fields)


def _insert_in_chunks(model, rows, fields) -> None:
    """``rows`` inserted ``BATCH`` at a time: PostgreSQL takes at most 65,535 parameters per
    statement."""
    for first in range(0, len(rows), BATCH):
        model.insert_many(rows[first : first + BATCH], fields=fields).execute()


def _insert_cases(columns, rows) -> int:
    """Insert ``rows`` and return the id of the first; ids are consecutive in one statement."""
    query = Case.insert_many(rows, fields=columns)
    if is_postgres():
        ids = [row[0] for row in query.returning(Case.id).tuples().execute()]
        return min(ids)
    query.execute()
    return db.execute_sql('SELECT max(id) FROM "case"').fetchone()[0] - len(rows) + 1


def _events(rng, case_id, requester_id, agents, created, count):
    yield (case_id, requester_id, created, EventKind.OPENED, Visibility.PUBLIC, None)
    for n in range(1, count):
        at = created + timedelta(hours=n * 3)
        if n % 4 == 3:
            yield (
                case_id,
                rng.choice(agents).id,
                at,
                EventKind.NOTE,
                Visibility.INTERNAL,
                _sentence(rng, 15),
            )
        else:
            author = requester_id if n % 2 == 0 else rng.choice(agents).id
            yield (case_id, author, at, EventKind.MESSAGE, Visibility.PUBLIC, _sentence(rng, 30))
