"""One timer sweep over the seeded dataset: ``due`` of its cases have a status timer due.

The dataset's clocks are the seed's (``bench.seed.ensure_clocks``). Each run, inside one
transaction it rolls back, moves ``due`` open cases into "waiting for customer" with their
7-day timer (seed 000) overdue and times ``helpdesk.sla.timers.sweep``: the indexed read of
the due set, the claims, the moves to pending closure with their mails and timeline entries.

``measure_shared`` does the same on a copy of the dataset, committed, with several consumer
processes sweeping at once, each its lane (as the worker's jobs do), and checks that each due
case was acted on exactly once.
"""

import multiprocessing
import os
import re
import shutil
import sqlite3
import time
import urllib.parse
from collections import Counter
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from flask import current_app
from peewee import fn

from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.db import db
from helpdesk.mail import outbox
from helpdesk.mail.models import OutboxMessage
from helpdesk.reports import days, open_rollup
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock
from helpdesk.timeutil import utcnow


def make_due(due: int, now) -> list[int]:
    """``due`` open cases (the newest) waiting for the customer, their 7-day timer overdue."""
    ids = [
        case.id
        for case in Case.select(Case.id).where(Case.is_open).order_by(Case.id.desc()).limit(due)
    ]
    moved = now - timedelta(days=7, minutes=1)  # as the move there marked them changed
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Case.update(
            status="waiting_for_customer", status_category="waiting", updated_at=moved
        ).where(Case.id.in_(chunk)).execute()
        CaseClock.update(
            timer_status="waiting_for_customer",
            timer_step=0,
            timer_base_at=moved,
            timer_due_at=now - timedelta(minutes=1),
        ).where(CaseClock.case.in_(chunk)).execute()
    if not open_rollup.stored(days.today(), everyone=True):
        open_rollup.refresh()  # what the hourly job has done on a running portal
    return ids


def measure(due: int, statements: bool = False) -> dict:
    """Seconds one sweep takes with ``due`` cases due (wall clock, and this process's CPU:
    the database's work counts on SQLite, not PostgreSQL's); the changes are rolled back.
    With ``statements``, the sweep's SQL by statement (``timed_statements``) under
    ``statements``, else nothing there."""
    now = utcnow()
    total = Case.select().count()
    spent: dict[str, list] = {}
    with db.atomic() as transaction:
        ids = make_due(due, now)
        with timed_statements(spent) if statements else nullcontext():
            started, cpu = time.monotonic(), time.process_time()
            acted = timers.sweep(now)
            seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        transaction.rollback()
    return {
        "cases": total,
        "due": len(ids),
        "acted": acted,
        "seconds": seconds,
        "cpu": cpu,
        "statements": spent,
    }


@contextmanager
def timed_statements(spent: dict[str, list]):
    """Inside, every statement the database runs is counted and timed in ``spent``: its SQL
    with each run of placeholders as one ``?..`` (a multi-row INSERT of any size is one
    statement) -> [runs, seconds]. What a sweep's time goes to, without a profiler's
    overhead on the Python around it."""
    database = db.obj
    run = database.execute_sql

    def execute_sql(sql, params=None, *args, **kwargs):
        started = time.perf_counter()
        try:
            return run(sql, params, *args, **kwargs)
        finally:
            entry = spent.setdefault(_PLACEHOLDERS.sub("?..", sql), [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    database.execute_sql = execute_sql
    try:
        yield spent
    finally:
        del database.execute_sql


#: A run of placeholders, on either database.
_PLACEHOLDERS = re.compile(r"(?:\?|%s)(?:, (?:\?|%s))*")


def measure_shared(due: int, consumers: int) -> dict:
    """Wall seconds ``consumers`` processes take to sweep ``due`` cases, committing, on a copy
    of the dataset (made anew each run, dropped after it; the dataset stays as it was), and
    whether each due case got exactly one status entry and one mail."""
    url = current_app.config["DATABASE_URL"]
    copy = _copy_database(url)
    try:
        return _measure_on(copy, due, consumers)
    finally:
        _drop_database(url, copy)
        db.initialize(current_app.extensions["database"])  # the apps of the copy rebound it


def _close_all() -> None:
    """Every connection of the pool closed (a database copied from must have none)."""
    if not db.is_closed():
        db.close()
    db.obj.close_all()


def _measure_on(url: str, due: int, consumers: int) -> dict:
    from helpdesk import create_app

    now = utcnow()
    with create_app({"DATABASE_URL": url}).app_context():
        with db.atomic():
            ids = make_due(due, now)
        total = Case.select().count()
        last_mail = OutboxMessage.select(fn.MAX(OutboxMessage.id)).scalar() or 0
        last_event = Event.select(fn.MAX(Event.id)).scalar() or 0
        _close_all()
    spawn = multiprocessing.get_context("spawn")  # each its own app and connections
    ready, start, results = spawn.Barrier(consumers + 1), spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(target=_consume, args=(url, now, lane, consumers, ready, start, results))
        for lane in range(consumers)
    ]
    for worker in workers:
        worker.start()
    ready.wait(timeout=120)
    started = time.monotonic()
    start.set()
    acted = [results.get(timeout=600) for _ in workers]
    seconds = time.monotonic() - started
    for worker in workers:
        worker.join()
    if any(isinstance(a, str) for a in acted):
        raise RuntimeError(f"a consumer failed: {acted}")
    with create_app({"DATABASE_URL": url}).app_context():
        wanted = set(ids)
        entries = Counter(
            e.case_id
            for e in Event.select(Event.case).where(
                (Event.id > last_event) & (Event.kind == EventKind.STATUS) & Event.author.is_null()
            )
            if e.case_id in wanted
        )
        mails = Counter(
            m.case_id
            for m in OutboxMessage.select(OutboxMessage.case).where(OutboxMessage.id > last_mail)
            if m.case_id in wanted
        )
        _close_all()
    once = all(entries[i] == 1 and mails[i] == 1 for i in ids)
    return {
        "cases": total,
        "due": len(ids),
        "consumers": consumers,
        "acted": sum(acted),
        "per_consumer": acted,
        "seconds": seconds,
        "once": once,
        "entries": sum(entries.values()),
        "mails": sum(mails.values()),
    }


def _consume(url: str, now, lane: int, lanes: int, ready, start, results) -> None:
    """One consumer: its own app and connection, sweeping its lane (as the worker's jobs
    ``sla.tasks.sweep_lane`` do) until nothing is due; puts how many cases it acted on (or
    its error) in ``results``."""
    from helpdesk import create_app

    try:
        with create_app({"DATABASE_URL": url}).app_context():
            db.connect(reuse_if_open=True)
            ready.wait(timeout=120)
            start.wait()
            acted = 0
            while done := timers.sweep(now, lane=lane, lanes=lanes):
                acted += done
            # Their rows go with the copy: not handed to the dataset's queue, where the next
            # consumer (the export's, in ``make bench``) found 10,000 deliveries to skip.
            outbox.take_committed()
            results.put(acted)
    except Exception as error:  # the parent reports it
        results.put(f"{type(error).__name__}: {error}")


def _copy_database(url: str) -> str:
    """A copy of the dataset at ``url``: SQLite's file, PostgreSQL's TEMPLATE."""
    _close_all()
    if url.startswith("sqlite"):
        source = url.removeprefix("sqlite:///")
        target = source.removesuffix(".db") + "-shared.db"
        for leftover in (target, target + "-wal", target + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
        # The file copied whole while a read transaction keeps it as it is, its log written
        # back first (SQLite's online backup copied page by page: 30 s at 1,000,000 cases).
        original = sqlite3.connect(source, isolation_level=None)
        try:
            busy, _frames, _written = original.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise RuntimeError(f"{source} is being written: its log could not be emptied")
            original.execute("BEGIN")
            original.execute("SELECT count(*) FROM sqlite_master").fetchone()
            shutil.copyfile(source, target)
            original.execute("COMMIT")
        finally:
            original.close()
        return f"sqlite:///{target}"
    name = urllib.parse.urlsplit(url).path.strip("/")
    copy = f"{name}_shared"
    import psycopg

    with _server(url) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        for attempt in range(10):  # a session that just closed may take a moment to end
            try:
                cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                time.sleep(1)
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + copy))


def _drop_database(url: str, copy: str) -> None:
    if copy.startswith("sqlite"):
        target = copy.removeprefix("sqlite:///")
        for leftover in (target, target + "-wal", target + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
        return
    with _server(url) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{urllib.parse.urlsplit(copy).path.strip("/")}"')


class _server:
    """A cursor on the PostgreSQL server of ``url`` outside any transaction."""

    def __init__(self, url: str):
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)

    def __enter__(self):
        return self.connection.cursor()

    def __exit__(self, *exc):
        self.connection.close()
