"""The changed cases' columns the report hooks count by, read once per change.

The open-case tallies (``open_tally``) and the daily roll-up (``rollups``) both look at the
cases of a change in the change's transaction. Pluggy hands every implementation of
``helpdesk_case_changed`` the same list of events, so the first of the two to ask reads the
cases and the other gets the same rows. A change that another hook makes in between goes
through the change API with a list of its own, which takes the place of the rows kept here:
the second to ask then reads the cases afresh.
"""

import threading

from helpdesk.cases.models import Case

#: The columns read, in this order.
COLUMNS = (
    Case.id,
    Case.is_open,
    Case.organisation,
    Case.team,
    Case.product,
    Case.case_type,
    Case.severity,
    Case.status_category,
    Case.assignee,
    Case.escalation_level,
    Case.created_at,
    Case.channel,
)
_kept = threading.local()


def rows(condition):
    """``COLUMNS`` of the cases matching ``condition``, as tuples."""
    return Case.select(*COLUMNS).where(condition).tuples()


def case_rows(events) -> dict[int, tuple]:
    """``{case id: its row of COLUMNS}`` of the cases of ``events``."""
    kept = getattr(_kept, "rows", None)
    if kept is not None and kept[0] is events:
        return kept[1]
    ids = sorted({event.case_id for event in events})
    found = {row[0]: row for row in rows(Case.id.in_(ids))} if ids else {}
    _kept.rows = (events, found)
    return found
