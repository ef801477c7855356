"""Case notifications (MAIL-1): what each change of a case tells whom, by mail.

An implementation of ``helpdesk_case_changed``, registered by the core like a plugin, so
every channel's changes are announced the same way and the mail commits with the change.
"""

from helpdesk.cases.models import EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.mail import notify


@hookimpl
def helpdesk_case_changed(events):
    for event in events:
        if event.kind == EventKind.OPENED:
            _acknowledge(event)


def _acknowledge(event) -> None:
    """The requester learns the call id of their new case (seed 004)."""
    case = event.case
    notify.send("case_opened", case.requester, case=case)
