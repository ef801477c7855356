"""Bulk actions of agents on a list's ticked cases: take them, follow them, set a status.

Each case goes through the same access check and service function as on its own page, one
case at a time (each its own change and transaction), so a case the agent may not see or
change is refused alone, with its reason, and the others go through.
"""

from dataclasses import dataclass, field

from helpdesk.accounts.models import User
from helpdesk.cases import access, service
from helpdesk.cases.errors import CaseError
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_agent

#: At most this many cases per request.
LIMIT = 100


@dataclass
class Outcome:
    changed: list[str] = field(default_factory=list)
    #: (call id, reason) of each case that was not changed.
    refused: list[tuple[str, str]] = field(default_factory=list)


def apply(actor: User, call_ids: list[str], action: str, waiting_for: str = "") -> Outcome:
    """``action`` (``take``, ``follow`` or ``status:<key>``) on each of ``call_ids``."""
    ensure_agent(actor, _l("Only agents change several cases at once."), "action")
    if action not in ("take", "follow") and not action.startswith("status:"):
        raise CaseError(_l("Please choose what to do with the cases."), "action")
    outcome = Outcome()
    for call_id in list(dict.fromkeys(call_ids))[:LIMIT]:
        case = access.case_by_call_id(actor, call_id)
        if case is None:
            outcome.refused.append((call_id, str(_l("Not found."))))
            continue
        try:
            _one(case, actor, action, waiting_for)
        except CaseError as error:
            outcome.refused.append((call_id, str(error)))
        else:
            outcome.changed.append(call_id)
    return outcome


def _one(case, actor: User, action: str, waiting_for: str) -> None:
    if action == "take":
        service.assign(case, actor, actor)
    elif action == "follow":
        if not service.follow(case, actor):
            raise CaseError(_l("You follow this case already."), "action")
    else:
        status = action.removeprefix("status:")
        service.move_status(case, actor, status, waiting_for=waiting_for or None, asking=True)
