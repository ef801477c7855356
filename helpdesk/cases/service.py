"""The case domain: every channel (web, mail, phone, API, jobs) changes cases through these.

Each function checks what it is asked against the vendor's policy, changes the case and
appends the timeline events in one transaction, and asks the plugins where they decide
(priority mapping, routing, allowed status moves). None of them knows about requests.

Opening lives in ``opening``, the change API the other areas share (``changing``,
``record_event``, ``set_status``, ``recipients``) in ``changes``; both are offered here too,
so every caller finds the case functions in one place.
"""

from collections.abc import Iterable

from helpdesk.accounts.models import Team, User
from helpdesk.cases import access, search, uploads
from helpdesk.cases.changes import (
    changing,
    recipients,
    record_event,
    reread_status,
    set_status,
    touch,
)
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Attachment, Case, Event, EventKind, Follower, Visibility
from helpdesk.cases.opening import CHECKLIST, NewCase, open_case, open_follow_up
from helpdesk.contracts import billing
from helpdesk.contracts import service as contracts
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_agent, may_work_cases
from helpdesk.policy import Category, current_policy
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.timeutil import utcnow

__all__ = [
    "CHANGEABLE",
    "CHECKLIST",
    "CaseError",
    "NewCase",
    "add_message",
    "assign",
    "change_field",
    "changing",
    "follow",
    "is_following",
    "move_status",
    "open_case",
    "open_follow_up",
    "recipients",
    "record_event",
    "reopen",
    "reply_and_move",
    "set_status",
    "system_move",
    "system_note",
    "unfollow",
]


def add_message(
    case: Case,
    author: User,
    body: str,
    attachments: Iterable[Attachment] = (),
    internal: bool = False,
) -> Event:
    """A public message (reply or added information) or, for agents, an internal note.

    A customer's message on a case that waits for them hands the ball back to support.
    """
    attachments = list(attachments)
    if not body.strip() and not attachments:
        raise CaseError(_l("Please write a message or add a file."), "body")
    if internal:
        ensure_agent(author, _l("Only agents write internal notes."), "body")
    if not access.may_write(author, case):
        raise CaseError(_l("You may not write to this case."))
    now = utcnow()
    with changing():
        if author.is_customer:  # as it is now: another reply may have moved it meanwhile
            reread_status(case)
            if case.status_category == Category.CLOSED:
                raise CaseError(_l("This case is closed; please open a follow-up case."), "body")
        visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
        event = record_event(
            case,
            author,
            EventKind.NOTE if internal else EventKind.MESSAGE,
            at=now,
            visibility=visibility,
            body=body.strip(),
            recipients=None if internal else recipients(case, author),
        )
        uploads.attach(case, event, author, attachments, visibility)
        if author.is_customer and case.status_category in (Category.WAITING, Category.SOLVED):
            set_status(case, None, _first_status(Category.OPEN), now)
        touch(case, now, activity=not internal)
        if not internal:
            search.index_case(case)
    return event


#: Fields an agent may change on a case, with the model of the referenced row if any.
CHANGEABLE = {
    "case_type": None,
    "severity": None,
    "priority": None,
    "product": Product,
    "version": ProductVersion,
    "component": Component,
    "team": Team,
    "category": None,
    "topic": None,
}


def change_field(case: Case, actor: User, name: str, value, reason: str | None = None) -> Event:
    """An agent changes a field; a new type or severity re-derives the priority, a new
    product clears version and component. Every change is its own timeline entry.
    ``team`` (a ``Team``, or None for no team) moves the case to another team's queue; the
    assignee stays."""
    _check_change(case, actor, name, value)
    old = getattr(case, name + "_id" if CHANGEABLE[name] else name)
    new = value.id if CHANGEABLE[name] and value is not None else value
    if old == new:
        raise CaseError(_l("Nothing changed."), name)
    now = utcnow()
    with changing():
        event = _changed(case, actor, name, old, new, now, reason)
        setattr(case, name, value)
        changed = [name, "updated_at"]
        if name == "product":
            for dependent in ("version", "component"):
                if getattr(case, dependent + "_id") is not None:
                    _changed(case, actor, dependent, getattr(case, dependent + "_id"), None, now)
                    setattr(case, dependent, None)
                    changed.append(dependent)
        if name in ("case_type", "severity"):
            priority = current_policy().priority_for(
                case.case_type, case.severity, contracts.class_of_case(case)
            )
            if priority != case.priority:
                _changed(case, actor, "priority", case.priority, priority, now)
                case.priority = priority
                changed.append("priority")
        case.updated_at = now
        # Only these columns: the rest of ``case`` is as the caller read it, perhaps before
        # another request changed the status or the assignee.
        case.save(only=[getattr(Case, column) for column in changed])
    return event


def _check_change(case: Case, actor: User, name: str, value) -> None:
    ensure_agent(actor, _l("Only agents change this."), name)
    if name not in CHANGEABLE:
        raise CaseError(_l("This field cannot be changed."), name)
    policy = current_policy()
    allowed = {
        "case_type": {t.key for t in policy.case_types},
        "severity": {s.key for s in policy.severities},
        "priority": {p.key for p in policy.priorities},
    }.get(name)
    if allowed is not None and value not in allowed:
        raise CaseError(_l("Please choose one of the offered values."), name)
    if name == "product" and value is None:
        raise CaseError(_l("Please choose a product."), name)
    foreign = value is not None and getattr(value, "product_id", None) != case.product_id
    if name in ("version", "component") and foreign:
        raise CaseError(_l("This does not belong to the case's product."), name)


def _changed(case, actor, name, old, new, now, reason=None) -> Event:
    return record_event(
        case,
        actor,
        EventKind.FIELD,
        at=now,
        field=name,
        old_value=_shown(old),
        new_value=_shown(new),
        body=reason,
    )


def _shown(value) -> str | None:
    return None if value is None else str(value)


def move_status(
    case: Case,
    actor: User,
    status_key: str,
    waiting_for: str | None = None,
    asking: bool = False,
) -> Event:
    """Move ``case`` to the vendor status ``status_key`` if the plugins let ``actor`` do it.

    ``asking``: an agent sets the status by hand (the case page, a bulk action), so the
    customer learns of it from this change alone; a waiting status then needs the words that
    say what is awaited, even where the vendor's status has a general text."""
    policy = current_policy()
    status = policy.status(status_key)
    if status is None:
        raise CaseError(_l("Unknown status."), "status")
    if status.key == case.status:
        raise CaseError(_l("The case already has this status."), "status")
    if not policy.may_set_status(actor, case, status):
        raise CaseError(_l("You may not set this status."), "status")
    if status.category == Category.CLOSED and not policy.may_close(actor, case):
        raise CaseError(_l("Only the customer can close this case."), "status")
    if actor is not None and actor.is_agent and not status.category.is_open:
        billing.ensure_settled(case)
    needs_text = status.category == Category.WAITING and (asking or status.waiting_for is None)
    if needs_text and not (waiting_for or "").strip():
        raise CaseError(_l("Please say what exactly you need from the customer."), "waiting_for")
    now = utcnow()
    with changing():
        event = set_status(case, actor, status, now, waiting_for)
        touch(case, now)
    return event


def reply_and_move(
    case: Case,
    actor: User,
    body: str,
    status_key: str,
    attachments: Iterable[Attachment] = (),
    waiting_for: str | None = None,
) -> Event:
    """An agent's public reply and a new status in one step ("send and set status"): both or
    neither. The reply tells the customer what a waiting status waits for."""
    ensure_agent(actor, _l("Only agents set the status."), "status")
    if not body.strip():
        raise CaseError(_l("Please write the reply that goes with the new status."), "body")
    status = current_policy().status(status_key)
    if status is not None and status.category == Category.WAITING and not waiting_for:
        waiting_for = body.strip()[:500]  # the reply says what is awaited
    with changing():
        message = add_message(case, actor, body, attachments=attachments)
        fresh = Case.get_by_id(case.id)
        if status_key != fresh.status:
            move_status(fresh, actor, status_key, waiting_for=waiting_for)
    return message


#: The order the properties panel applies its changes in: the assignee first (taking a new
#: case opens it), the fields (a product before its version and component), the status last.
PROPERTY_FIELDS = (
    "team",
    "case_type",
    "severity",
    "priority",
    "product",
    "version",
    "component",
)


def save_properties(
    case: Case,
    actor: User,
    changes: dict,
    waiting_for: str | None = None,
    reason: str | None = None,
) -> list[Event]:
    """The agent's properties panel: several of ``case``'s properties in one step, all or
    none. ``changes`` holds only what differs from the case as the agent saw it: ``assignee``
    (a ``User`` or None), the ``PROPERTY_FIELDS`` and ``status``. Each goes through its own
    function with its own checks, so a change is refused here as it would be alone; a new
    product clears version and component, so those are left for the agent to pick anew."""
    ensure_agent(actor, _l("Only agents change cases."), "status")
    if not changes:
        raise CaseError(_l("Nothing changed."), None)
    events = []
    with changing():
        if "assignee" in changes:
            events.append(assign(case, actor, changes["assignee"]))
        for name in PROPERTY_FIELDS:
            if name not in changes or (name in ("version", "component") and "product" in changes):
                continue
            why = reason if name == "severity" else None
            events.append(change_field(case, actor, name, changes[name], why))
        # taking a new case may have opened it already
        if "status" in changes and changes["status"] != case.status:
            events.append(
                move_status(case, actor, changes["status"], waiting_for=waiting_for, asking=True)
            )
    return events


def _first_status(category: Category):
    return next(s for s in current_policy().statuses if s.category == category)


def assign(case: Case, actor: User, assignee: User | None) -> Event:
    """Give the case to an agent (or take it back to the team's queue with None)."""
    ensure_agent(actor, _l("Only agents assign cases."), "assignee")
    if assignee is not None and not (may_work_cases(assignee) and assignee.is_active):
        raise CaseError(_l("Cases are assigned to active agents."), "assignee")
    if (assignee.id if assignee else None) == case.assignee_id:
        raise CaseError(_l("Nothing changed."), "assignee")
    now = utcnow()
    with changing():
        event = record_event(
            case,
            actor,
            EventKind.ASSIGNED,
            at=now,
            field="assignee",
            old_value=_shown(case.assignee_id),
            new_value=_shown(assignee.id if assignee else None),
        )
        case.assignee = assignee
        if assignee is not None and assignee.team_id and case.team_id is None:
            case.team = assignee.team_id
        case.updated_at = now
        if assignee is not None and case.status_category == Category.NEW:
            set_status(case, actor, _first_status(Category.OPEN), now)
        case.save(only=[Case.assignee, Case.team, Case.updated_at])
    return event


def follow(case: Case, user: User, added_by: User | None = None) -> bool:
    """``user`` follows ``case`` (added by themselves or by ``added_by``, e.g. the requester
    copying in a colleague); returns False when they already did.

    Only agents and people of the case's organisation can follow it.
    """
    actor = added_by or user
    if not access.may_write(actor, case):
        raise CaseError(_l("You may not follow this case."))
    if not (user.is_agent or user.organisation_id == case.organisation_id):
        raise CaseError(_l("You may not follow this case."))
    with changing():
        if is_following(case, user):
            return False
        Follower.create(case=case, user=user)
        record_event(
            case,
            actor,
            EventKind.FOLLOWED,
            at=utcnow(),
            visibility=Visibility.INTERNAL,
            new_value=str(user.id),
        )
    return True


def unfollow(case: Case, user: User) -> bool:
    with changing():
        removed = (
            Follower.delete().where((Follower.case == case) & (Follower.user == user)).execute()
        )
        if removed:
            record_event(
                case, user, EventKind.UNFOLLOWED, at=utcnow(), visibility=Visibility.INTERNAL
            )
    return bool(removed)


def is_following(case: Case, user: User) -> bool:
    return Follower.select().where((Follower.case == case) & (Follower.user == user)).exists()


def reopen(case: Case, actor: User, reason: str) -> Event:
    """Reopen a solved or closed case where the plugins allow; else raise ``CaseError``
    (the caller then offers a follow-up case)."""
    if case.status_category not in (Category.SOLVED, Category.CLOSED):
        raise CaseError(_l("The case is still open."))
    if not reason.strip():
        raise CaseError(_l("Please say why the case needs more work."), "reason")
    if not access.may_write(actor, case) or not current_policy().may_reopen(actor, case):
        raise CaseError(_l("This case cannot be reopened; please open a follow-up case."))
    now = utcnow()
    with changing():
        record_event(case, actor, EventKind.REOPENED, at=now, body=reason.strip())
        event = set_status(case, actor, _first_status(Category.OPEN), now)
        touch(case, now, activity=True)
    return event


def system_move(case: Case, status_key: str, reason: str) -> Event:
    """The system (a status timer) moves ``case``: no person's permission applies; ``reason``
    is the status entry's text."""
    now = utcnow()
    with changing():
        return set_status(
            case, None, current_policy().status(status_key), now, reason, touched=True
        )


def system_note(case: Case, body: str) -> Event:
    """An internal entry by the system, e.g. that a timer sent a reminder and why."""
    with changing():
        return record_event(
            case, None, EventKind.NOTE, at=utcnow(), visibility=Visibility.INTERNAL, body=body
        )
