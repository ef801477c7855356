"""The run's database, instance folders and data: a fresh PostgreSQL database (dropped
afterwards) or a SQLite file, seeded with ``bench.seed``; the accounts the clients sign in
with; cases whose status timer falls due during the load."""

import os
import random
import secrets
import sqlite3
import subprocess
import urllib.parse
from datetime import timedelta
from pathlib import Path

from bench import seed as seeding
from bench.cluster.load import Account, Plan
from bench.cluster.parts import BIN, ROOT

#: Sign-in limits for the load's few hundred sign-ins from one address; the rest as shipped.
CONFIG = """SECRET_KEY = "{secret}"
HELPDESK_PLUGINS = ["erp_handbook"]
DATABASE_URL = "{database}"
{redis}
UPLOAD_FOLDER = "{files}"
BASE_URL = "http://127.0.0.1:{proxy}"
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = {smtp}
MAIL_TIMEOUT = 5
MAIL_LEASE_SECONDS = 20  # a killed consumer's mail goes again after 20 s, not 10 minutes
MAIL_RETRY_MINUTES = (0.25, 1)  # mail refused by the stopped sink: the next minute's sweep
from helpdesk.config import DEFAULTS
RATE_LIMITS = {{**DEFAULTS["RATE_LIMITS"], "sign_in_address": "100000 per minute"}}
"""

TIMER_STATUS = "waiting_for_customer"  # erp_handbook: moves on after 7 days (seed 000)


def postgres_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def drop_postgres_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def instance(folder: Path, *, database, redis, files, proxy, smtp, secret) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    redis_line = f'REDIS_URL = "{redis}"' if redis else ""
    text = CONFIG.format(
        secret=secret, database=database, redis=redis_line, files=files, proxy=proxy, smtp=smtp
    )
    (folder / "config.py").write_text(text)
    return folder


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def migrate(folder: Path) -> None:
    """The deployment guide's command (after the seed: the seed brings its own team)."""
    env = dict(os.environ, HELPDESK_INSTANCE=str(folder))
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "migrate"], env=env, cwd=ROOT, check=True)


def seed(folder: Path, cases: int) -> tuple[list[Account], Plan, list[int]]:
    """Seed the data; return the accounts, the new-case form's choices and the ids of the
    cases kept apart for the timers (nobody writes to them during the load)."""
    os.environ["HELPDESK_INSTANCE"] = str(folder)
    from helpdesk import create_app, migrations
    from helpdesk.accounts.models import User
    from helpdesk.cases import access
    from helpdesk.cases.models import Case
    from helpdesk.db import db
    from helpdesk.policy import current_policy
    from helpdesk.products.models import Component, Product, ProductVersion

    app = create_app()
    with app.app_context():
        migrations.upgrade()
        seeding.seed(cases)
        rng = random.Random(7)
        open_cases = list(Case.select(Case.id, Case.call_id, Case.organisation).where(Case.is_open))
        rng.shuffle(open_cases)
        timer_cases = [c.id for c in open_cases[: max(10, len(open_cases) // 20)]]
        usable = open_cases[len(timer_cases) :]
        accounts = []
        for user in User.select().where(User.customer_role == "main_contact"):
            mine = [c for c in usable if c.organisation_id == user.organisation_id]
            mine = [c.call_id for c in mine if access.may_write(user, c)]
            if mine:
                accounts.append(Account(user.email, False, mine[:30]))
        for user in User.select().where(User.kind == "agent"):
            accounts.append(Account(user.email, True, [c.call_id for c in rng.sample(usable, 50)]))
        product = Product.get(Product.key == "bench")
        policy = current_policy()
        plan = Plan(
            product=str(product.id),
            version=str(ProductVersion.get(ProductVersion.product == product).id),
            component=str(Component.get(Component.product == product).id),
            case_type=policy.case_types[0].key,
            severity=next(s.key for s in policy.severities if not s.needs_impact),
        )
        db.close()
        db.obj.close_all()
    return accounts, plan, timer_cases


def set_timers(folder: Path, case_ids: list[int], first_in: float, last_in: float) -> None:
    """Put the cases into the waiting status with their timer due between ``first_in`` and
    ``last_in`` seconds from now, spread evenly."""
    from helpdesk import create_app
    from helpdesk.cases.models import Case
    from helpdesk.db import db
    from helpdesk.sla.models import CaseClock
    from helpdesk.timeutil import utcnow

    os.environ["HELPDESK_INSTANCE"] = str(folder)
    with create_app().app_context():
        now = utcnow()
        step = (last_in - first_in) / max(1, len(case_ids) - 1)
        with db.atomic():
            Case.update(status=TIMER_STATUS, status_category="waiting").where(
                Case.id.in_(case_ids)
            ).execute()
            for n, case_id in enumerate(case_ids):
                due = now + timedelta(seconds=first_in + n * step)
                CaseClock.insert(
                    case=case_id,
                    timer_status=TIMER_STATUS,
                    timer_step=0,
                    timer_base_at=due - timedelta(days=7),
                    timer_due_at=due,
                ).execute()
        db.close()
        db.obj.close_all()


def connect(url: str):
    """A plain DB-API connection for the checks (no pool that a fault may have broken)."""
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url, autocommit=True)
