"""One timer sweep over the seeded dataset: ``due`` of its cases have a status timer due.

Every case gets a clock row once (the seed writes cases without the hook that keeps clocks):
open cases a response clock due in the future, the rest none. Each run then, inside one
transaction it rolls back, moves ``due`` open cases into "waiting for customer" with their
7-day timer (seed 000) overdue and times ``helpdesk.sla.timers.sweep``: the indexed read of
the due set, the claims, the moves to pending closure with their mails and timeline entries.
"""

import time
from datetime import timedelta

from peewee import fn

from helpdesk.cases.models import Case
from helpdesk.db import db
from helpdesk.reports import days, open_rollup
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock
from helpdesk.timeutil import utcnow

BATCH = 10_000


def ensure_clocks() -> None:
    """Clock rows for every case, written once per dataset."""
    if CaseClock.select().limit(1).exists():
        return
    future = utcnow() + timedelta(days=30)
    last = Case.select(fn.MAX(Case.id)).scalar() or 0
    for start in range(0, last, BATCH):
        query = Case.select(Case.id, Case.is_open, Case.status).where(
            (Case.id > start) & (Case.id <= start + BATCH)
        )
        rows = [
            (case.id, case.status, *((future, "first") if case.is_open else (None, None)))
            for case in query
        ]
        with db.atomic():  # PostgreSQL takes at most 65,535 parameters per statement
            for first in range(0, len(rows), 2000):
                CaseClock.insert_many(
                    rows[first : first + 2000],
                    fields=[
                        CaseClock.case,
                        CaseClock.timer_status,
                        CaseClock.response_due_at,
                        CaseClock.response_kind,
                    ],
                ).execute()


def measure(due: int) -> dict:
    """Seconds one sweep takes with ``due`` cases due (wall clock, and this process's CPU:
    the database's work counts on SQLite, not PostgreSQL's); the changes are rolled back."""
    ensure_clocks()
    now = utcnow()
    ids = [
        case.id
        for case in Case.select(Case.id).where(Case.is_open).order_by(Case.id.desc()).limit(due)
    ]
    total = Case.select().count()
    with db.atomic() as transaction:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            Case.update(status="waiting_for_customer", status_category="waiting").where(
                Case.id.in_(chunk)
            ).execute()
            CaseClock.update(
                timer_status="waiting_for_customer",
                timer_step=0,
                timer_base_at=now - timedelta(days=7, minutes=1),
                timer_due_at=now - timedelta(minutes=1),
            ).where(CaseClock.case.in_(chunk)).execute()
        if not open_rollup.stored(days.today(), everyone=True):
            open_rollup.refresh()  # what the hourly job has done on a running portal
        started, cpu = time.monotonic(), time.process_time()
        acted = timers.sweep(now)
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        transaction.rollback()
    return {"cases": total, "due": len(ids), "acted": acted, "seconds": seconds, "cpu": cpu}
