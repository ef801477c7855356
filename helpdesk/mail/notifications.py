"""Case notifications (MAIL-1): what each change of a case tells whom, by mail.

An implementation of ``helpdesk_case_changed``, registered by the core like a plugin, so
every channel's changes are announced the same way and the mail commits with the change
(a rolled-back change leaves no mail behind).

Who gets what
-------------
- opened: the requester, an acknowledgement with the call id (seed 004). When they asked for
  a copy ("send a copy to me") the same mail carries everything they submitted: one mail
  with the call id and the copy, instead of two that arrive together and say half each. An
  agent the case was routed to learns it is theirs.
- a public message: the people it was addressed to (``Event.recipients``, the correspondence
  rule's data: the requester and the followers at the time, without the author). A
  customer's message also goes to the assignee, or on an unassigned case to the agents of
  its team (``NOTIFY_TEAM_WHEN_UNASSIGNED``).
- a status that concerns the customer (waiting for them, solved, closed): the requester and
  the customers following the case.
- an assignment by someone else: the agent it is assigned to.

Internal notes, field changes, follows and other internal entries send nothing to customers.
Nobody is told about their own change, apart from the requester's acknowledgement. Only active
users get mail; ``NOTIFY_AGENTS`` off leaves agents out altogether.

Automatic or not (RFC 3834): a message a person typed is relayed without ``Auto-Submitted``,
so an answer to it (or an out-of-office reply) is a normal reply; every notice the portal
writes by itself is ``auto-generated``, which keeps auto-responders quiet.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app

from helpdesk.accounts.models import Kind, User
from helpdesk.cases.models import Attachment, Event, EventKind, Follower, Visibility
from helpdesk.contracts import billing
from helpdesk.hookspecs import hookimpl
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.mail import notify
from helpdesk.policy import Category, current_policy

#: Status categories a customer is told about: the ball is in their court, or the case ends.
TOLD_TO_CUSTOMERS = (Category.WAITING, Category.SOLVED, Category.CLOSED)

#: The report checklist (seed 003) as the case page names it, for the requester's copy.
CHECKLIST_LABELS = {
    "symptom": _l("Symptom"),
    "affected": _l("Who is affected"),
    "expected": _l("Expected behaviour"),
    "steps": _l("Steps to reproduce"),
    "recent_changes": _l("Recent changes"),
    "error_text": _l("Exact error text"),
}


@dataclass
class Notice:
    """One mail to write for one timeline entry, to a set of people (user ids)."""

    template: str
    event: Event
    audience: set[int]
    customers_only: bool = False
    automatic: bool = True


@hookimpl
def helpdesk_case_changed(events):
    config = current_app.config
    notices = [notice for event in events for notice in _notices(event, config)]
    notices = [notice for notice in notices if notice.audience]
    if not notices:
        return
    # Everyone this change mails, and the files it mentions: one query each, however many.
    people = {
        user.id: user
        for user in User.select().where(
            User.id.in_({i for n in notices for i in n.audience}) & User.active
        )
    }
    files = _public_attachments([n.event.id for n in notices])
    for notice in notices:
        for user_id in sorted(notice.audience):
            user = people.get(user_id)
            if user is None or (user.is_agent and not config["NOTIFY_AGENTS"]):
                continue
            if notice.customers_only and not user.is_customer:
                continue
            _send(notice, user, files.get(notice.event.id, []))


def _notices(event: Event, config) -> list[Notice]:
    """What ``event`` announces, to whom (before the active/agent filters)."""
    case = event.case
    if event.kind == EventKind.OPENED:
        notices = [Notice("case_opened", event, {case.requester_id})]
        if case.assignee_id is not None and case.assignee_id != event.author_id:
            notices.append(Notice("case_assigned", event, {case.assignee_id}))
        return notices
    if event.visibility != Visibility.PUBLIC:
        return []  # internal notes and entries: never a customer's business
    if event.kind == EventKind.MESSAGE:
        return [Notice("case_message", event, _message_audience(event, config), automatic=False)]
    if event.kind == EventKind.STATUS:
        if event.author_id is None:
            # The portal moved the case itself (a timer, a published release): the code that
            # moved it writes its own mail saying why, and knows when a mail would be stale.
            return []
        status = current_policy().status(event.new_value)
        if status is None or status.category not in TOLD_TO_CUSTOMERS:
            return []
        audience = {case.requester_id} | _followers(case)
        return [Notice("case_status", event, _without_author(audience, event), True)]
    if event.kind == EventKind.ASSIGNED and event.new_value:
        return [Notice("case_assigned", event, _without_author({int(event.new_value)}, event))]
    return []


def _message_audience(event: Event, config) -> set[int]:
    """The message's addressees; a customer's message also goes to whoever works the case."""
    audience = set(json.loads(event.recipients or "[]"))
    case = event.case
    if event.author is not None and event.author.is_customer:
        if case.assignee_id is not None:
            audience.add(case.assignee_id)
        elif case.team_id is not None and config["NOTIFY_TEAM_WHEN_UNASSIGNED"]:
            audience.update(
                user.id
                for user in User.select(User.id).where(
                    (User.team == case.team_id) & (User.kind == Kind.AGENT) & User.active
                )
            )
    return _without_author(audience, event)


def _followers(case) -> set[int]:
    return {f.user_id for f in Follower.select(Follower.user).where(Follower.case == case.id)}


def _without_author(audience: set[int], event: Event) -> set[int]:
    return audience - {event.author_id}


def _public_attachments(event_ids: list[int]) -> dict[int, list[Attachment]]:
    found = defaultdict(list)
    query = (
        Attachment.select(Attachment.id, Attachment.event, Attachment.filename, Attachment.size)
        .where(Attachment.event.in_(event_ids) & (Attachment.visibility == Visibility.PUBLIC))
        .order_by(Attachment.id)
    )
    for attachment in query:
        found[attachment.event_id].append(attachment)
    return found


def _send(notice: Notice, user: User, attachments: list[Attachment]) -> None:
    event, case = notice.event, notice.event.case
    author = event.author
    context = {"event": event, "author": author, "attachments": attachments}
    if notice.template == "case_opened":
        checklist = [(label, getattr(case, name)) for name, label in CHECKLIST_LABELS.items()]
        context.update(
            copy=case.copy_to_requester and user.id == case.requester_id,
            policy=current_policy(),
            checklist=[(label, value) for label, value in checklist if value],
        )
    elif notice.template == "case_status":
        status = current_policy().status(event.new_value)
        context.update(status=status, category=status.category)
        if status.category in (Category.SOLVED, Category.CLOSED):
            context.update(settlement=billing.settlement_of(case))  # seed 004's closing mail
    typed_by = author.name if author is not None and not notice.automatic else None
    notify.send(
        notice.template,
        user,
        case=case,
        automatic=notice.automatic,
        sender_name=typed_by,
        **context,
    )
