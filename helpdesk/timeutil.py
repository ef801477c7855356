"""Times are stored as naive UTC datetimes; this module is the one place that makes them."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current instant as a naive UTC datetime, the form every table stores."""
    return datetime.now(UTC).replace(tzinfo=None)
