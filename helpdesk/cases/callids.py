"""Human call ids (CASE-1): ``2026-00042``, sequential per year, unique under concurrency.

The counter row of the year is incremented with one ``UPDATE ... RETURNING`` inside the
caller's transaction: PostgreSQL locks the row until commit, SQLite serialises writers, so
two cases opened at once never get the same number.
"""

import re
from datetime import datetime

from helpdesk.cases.models import CallIdCounter

CALL_ID = re.compile(r"\b(\d{4})-(\d{5,})\b")


def next_call_id(now: datetime) -> str:
    scope = str(now.year)
    CallIdCounter.insert(scope=scope, last=0).on_conflict_ignore().execute()
    cursor = (
        CallIdCounter.update(last=CallIdCounter.last + 1)
        .where(CallIdCounter.scope == scope)
        .returning(CallIdCounter.last)
        .execute()
    )
    number = next(iter(cursor)).last
    return f"{scope}-{number:05d}"


def find_call_ids(text: str) -> list[str]:
    """Every call id in ``text`` (a mail subject, a search query), in order."""
    return [f"{year}-{number}" for year, number in CALL_ID.findall(text or "")]
