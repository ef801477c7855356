"""Closing a case (FLOW-4): the customer confirms the solution or rejects it with a reason.

A confirmed solution moves the case to the vendor's first closed status, if the plugins allow
that person to close it (seed 004 closes only on the customer's release). A rejected solution
is ``service.reopen``, which asks for the reason. How long a closed case can be reopened is each
plugin's ``helpdesk_may_reopen``; ``within_days`` is the measure they share.
"""

from datetime import timedelta

from helpdesk.accounts.models import User
from helpdesk.cases import access, changes
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.policy import Category, current_policy
from helpdesk.timeutil import utcnow


def may_close(user: User, case: Case) -> bool:
    """Whether ``user`` may close ``case`` now: they may write to it and the plugins agree."""
    return access.may_write(user, case) and current_policy().may_close(user, case)


def may_confirm(user: User, case: Case) -> bool:
    """Whether the page offers ``user`` to confirm the solution of ``case``."""
    return (
        user.is_customer
        and case.status_category == Category.SOLVED
        and _closed_status() is not None
        and may_close(user, case)
    )


def confirm_solution(case: Case, user: User) -> Event:
    """The customer confirms the solution: the case moves to the first closed status."""
    if not user.is_customer:
        raise CaseError(_l("Only the customer confirms a solution."))
    if case.status_category != Category.SOLVED:
        raise CaseError(_l("There is no solution to confirm on this case."))
    closed = _closed_status()
    if closed is None or not may_close(user, case):
        raise CaseError(_l("You may not close this case."))
    now = utcnow()
    with changes.changing():
        event = changes.set_status(case, user, closed, now)
        changes.touch(case, now, activity=True)
    return event


def _closed_status():
    return next((s for s in current_policy().statuses if s.category == Category.CLOSED), None)


def closed_at(case: Case):
    """When the case reached its current status (solved or closed), from its timeline."""
    event = (
        Event.select(Event.created_at)
        .where(
            (Event.case == case.id)
            & (Event.kind == EventKind.STATUS)
            & (Event.new_value == case.status)
        )
        .order_by(Event.id.desc())
        .first()
    )
    return event.created_at if event is not None else case.updated_at


def within_days(case: Case, days: int) -> bool:
    """Whether ``case`` reached its solved or closed status at most ``days`` days ago."""
    return utcnow() - closed_at(case) <= timedelta(days=days)
