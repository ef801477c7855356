"""Keeping the daily roll-up of open cases (core hook implementation "core.reports.open", and
an hourly job) for the dashboard's open-cases trend.

``DailyOpenCount`` holds, per day of the portal's time zone, the open cases by organisation,
team, product, case type, severity and status category as they stood at the day's end. Today's
rows are kept current two ways:

- every change of cases that can move a case between those keys (opened, status, field,
  reopened, handed to another support level) recounts today's rows of the changed cases'
  organisations, in the change's own transaction (one grouped count over one organisation's
  open cases, through the index ``case_open_by_organisation``);
- an hourly job recounts today's rows of every organisation, so an organisation without
  changes today has its rows too, and a drifted row (a change written around the change API)
  is right again within the hour.

So at the end of a day its rows are what was open then, and they are never touched again.
"""

from huey import crontab
from peewee import EXCLUDED, fn

from helpdesk.cases.models import Case, EventKind
from helpdesk.db import db
from helpdesk.hookspecs import hookimpl
from helpdesk.jobs import huey
from helpdesk.reports import days
from helpdesk.reports.models import DailyOpenCount

#: The timeline entries after which a case may count under another key (or no longer count).
MOVES = {
    EventKind.OPENED,
    EventKind.STATUS,
    EventKind.FIELD,
    EventKind.REOPENED,
    EventKind.SUPPORT_LEVEL,
}
KEY = ("organisation", "team", "product", "case_type", "severity", "status_category")


def current(organisations: set[int] | None = None) -> dict[tuple, int]:
    """The open cases now, ``{(organisation, team, product, case_type, severity,
    status_category): count}``, of ``organisations`` (all when None)."""
    columns = [Case.organisation, Case.team, Case.product, Case.case_type, Case.severity]
    query = Case.select(*columns, Case.status_category, fn.COUNT(Case.id)).where(
        Case.is_open == True  # noqa: E712 (SQL)
    )
    if organisations is not None:
        query = query.where(Case.organisation.in_(sorted(organisations)))
    rows = query.group_by(*columns, Case.status_category).tuples()
    return {
        (organisation, team or 0, product or 0, case_type, severity, category): n
        for organisation, team, product, case_type, severity, category, n in rows
    }


def refresh(organisations: set[int] | None = None) -> int:
    """Recount today's rows of ``organisations`` (all when None); the open cases counted.

    The old rows are set to 0 and the new counts written over them by an upsert, so two
    changes at once never collide on the unique key."""
    today = days.today()
    counts = current(organisations)
    with db.atomic():
        stale = DailyOpenCount.update(count=0).where(DailyOpenCount.day == today)
        if organisations is not None:
            stale = stale.where(DailyOpenCount.organisation.in_(sorted(organisations)))
        stale.execute()
        rows = [
            {"day": today, **dict(zip(KEY, key, strict=True)), "count": n}
            for key, n in sorted(counts.items(), key=lambda item: str(item[0]))
        ]
        for batch in range(0, len(rows), 500):
            DailyOpenCount.insert_many(rows[batch : batch + 500]).on_conflict(
                conflict_target=[DailyOpenCount.day, *(getattr(DailyOpenCount, k) for k in KEY)],
                update={DailyOpenCount.count: EXCLUDED.count},
            ).execute()
    return sum(counts.values())


def stored(day) -> dict[tuple, int]:
    """The roll-up's rows of ``day`` that count, as ``current`` gives them."""
    query = DailyOpenCount.select().where((DailyOpenCount.day == day) & (DailyOpenCount.count > 0))
    return {
        (r.organisation_id, r.team, r.product, r.case_type, r.severity, r.status_category): r.count
        for r in query
    }


@hookimpl
def helpdesk_case_changed(events):
    moved = {e.case.organisation_id for e in events if e.kind in MOVES}
    if moved:
        refresh(moved)


@huey.periodic_task(crontab(minute="7"))
def refresh_today():
    """Hourly: today's rows of every organisation recounted from the cases."""
    return refresh()
