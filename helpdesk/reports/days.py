"""The reports' days: days of the portal's time zone (``BABEL_DEFAULT_TIMEZONE``, Vienna for
the core), not UTC days, so a case opened at 00:30 Vienna time counts for that day, not the
day before. Times are stored as naive UTC (``helpdesk.timeutil``); these functions convert."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from helpdesk.timeutil import utcnow


def portal_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def day_of(at: datetime, zone: ZoneInfo | None = None) -> date:
    """The portal's day of the naive UTC instant ``at``."""
    return at.replace(tzinfo=UTC).astimezone(zone or portal_zone()).date()


def start_of(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The naive UTC instant the portal's ``day`` begins."""
    local = datetime.combine(day, time.min, tzinfo=zone or portal_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def span(first: date, last: date) -> tuple[datetime, datetime]:
    """The naive UTC instants from the start of ``first`` to the end of ``last`` (exclusive)."""
    zone = portal_zone()
    return start_of(first, zone), start_of(last + timedelta(days=1), zone)


def as_date(value) -> date:
    """A date column's value as a date (SQLite may give a string, PostgreSQL a datetime)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def today() -> date:
    return day_of(utcnow())
