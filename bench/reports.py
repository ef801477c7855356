"""The reports dashboard over the seeded dataset: how long ``service.dashboard`` takes.

The seed writes cases without the change hook, so the roll-up (``daily_case_count``), the
response times (``case_times``) and their distribution (``case_time_count``) are filled here
once per dataset, straight from the case rows (a case's opening day and, for solved and
closed cases, its last change as the day it was finished). Then the dashboard's figures are
computed in process, as the page computes them, for an agent over the last 30 days and the
last year, and for a customer's organisation; the best of five runs is reported (the page
adds its rendering, about 10 ms, on top).
"""

import statistics
import time
from datetime import timedelta

from peewee import fn

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.db import db, is_postgres
from helpdesk.reports import days, open_rollup, open_tally, service, time_rollup
from helpdesk.reports.models import CaseTimeCount, DailyCaseCount, OpenCase

RUNS = 5


def ensure_rollups() -> None:
    """The roll-ups and the response times of the dataset, written once.

    Days are Vienna's: on PostgreSQL converted exactly, on SQLite (no time zones) as UTC+1.
    The seed has no history of what was open when, so every day of the last year gets today's
    open-case rows: as many rows per day as a real history would have, which is what the
    trend's query costs."""
    if not OpenCase.select().limit(1).exists():  # the seed wrote its cases without the hook
        open_tally.rebuild()
    if DailyCaseCount.select().limit(1).exists():
        if not CaseTimeCount.select().limit(1).exists():  # a dataset of before it
            _time_distribution()
        return
    if is_postgres():
        day = "CAST((c.{0} AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Vienna' AS DATE)"
    else:
        day = "DATE(c.{0}, '+1 hours')"
    # psycopg reads a lone % as a placeholder.
    remainder = "MOD(c.id, 600)" if is_postgres() else "c.id % 600"
    finished = "CASE WHEN c.status_category = '{0}' THEN 1 ELSE 0 END"
    key = "c.organisation_id, COALESCE(c.team_id, 0), COALESCE(c.product_id, 0), c.channel"
    with db.atomic():
        db.execute_sql(
            "INSERT INTO daily_case_count (day, organisation_id, team, product, channel,"
            " case_type, opened, solved, closed) SELECT d, o, t, p, ch, ty, SUM(op), SUM(so),"
            " SUM(cl) FROM ("
            f" SELECT {day.format('created_at')} AS d, c.organisation_id AS o,"
            " COALESCE(c.team_id, 0) AS t, COALESCE(c.product_id, 0) AS p, c.channel AS ch,"
            ' c.case_type AS ty, 1 AS op, 0 AS so, 0 AS cl FROM "case" c UNION ALL'
            f" SELECT {day.format('updated_at')}, {key}, c.case_type, 0,"
            f" {finished.format('solved')}, {finished.format('closed')}"
            ' FROM "case" c WHERE NOT c.is_open'
            ") AS x GROUP BY d, o, t, p, ch, ty"
        )
        db.execute_sql(
            "INSERT INTO case_times (case_id, organisation, team, product, severity, case_type,"
            " opened_at, response_target, responded_at, response_minutes) SELECT c.id,"
            " c.organisation_id, COALESCE(c.team_id, 0), COALESCE(c.product_id, 0), c.severity,"
            " c.case_type,"
            f' c.created_at, 240, c.created_at, {remainder} FROM "case" c'
        )
        open_rollup.refresh()
        _time_distribution()
        columns = "organisation, team, product, case_type, severity, status_category, count"
        db.execute_sql(
            "WITH RECURSIVE back(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM back WHERE n < 365)"
            f" INSERT INTO daily_open_count (day, {columns}) SELECT {_days_before('o.day')},"
            f" {columns} FROM daily_open_count o CROSS JOIN back"
            f" WHERE o.day = '{days.today().isoformat()}'"
        )


def _time_distribution() -> None:
    """The distribution of the response times, recounted from every case's row."""
    first, last = Case.select(fn.MIN(Case.created_at), fn.MAX(Case.created_at)).scalar(
        as_tuple=True
    )
    time_rollup.rebuild(days.day_of(first), days.day_of(last))


def _days_before(column: str) -> str:
    return f"{column} - back.n" if is_postgres() else f"DATE({column}, '-' || back.n || ' days')"


def _best(function) -> tuple[float, float, float]:
    """The best and the median of ``RUNS`` calls, and the best CPU time of this process (the
    figure that a shared, loaded machine disturbs least; SQLite works in the process), in
    ms."""
    times, cpu = [], []
    for _ in range(RUNS):
        started, processor = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - processor)
    return min(times) * 1000, statistics.median(times) * 1000, min(cpu) * 1000


def measure(agent_email: str, customer_email: str) -> dict:
    """The dashboard's figures on a dataset ``bench.run.prepare`` gave its roll-ups."""
    agent = User.get(User.email == agent_email)
    customer = User.get(User.email == customer_email)
    last = Case.select(fn.MAX(Case.created_at)).scalar().date()
    results = {"cases": Case.select().count()}
    for label, user, length in (
        ("agent, 30 days", agent, 30),
        ("agent, 365 days", agent, 365),
        ("customer, 365 days", customer, 365),
    ):
        start = (last - timedelta(days=length - 1)).isoformat()
        filters = service.filters_for(user, {"start": start, "end": last.isoformat()})
        results[label] = _best(lambda u=user, f=filters: service.dashboard(u, f))
    return results
