"""The case domain: every channel (web, mail, phone, API, jobs) changes cases through these.

Each function checks what it is asked against the vendor's policy, changes the case and
appends the timeline events in one transaction, and asks the plugins where they decide
(priority mapping, routing, allowed status moves). None of them knows about requests.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from helpdesk.accounts.models import Team, User
from helpdesk.cases import access, search, uploads
from helpdesk.cases.callids import next_call_id
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import (
    Attachment,
    Case,
    Channel,
    Event,
    EventKind,
    EventRecipient,
    Follower,
    Visibility,
)
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import flattened
from helpdesk.permissions import ensure_agent, may_work_cases
from helpdesk.plugins import plugin_manager
from helpdesk.policy import Category, current_policy
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.timeutil import utcnow

CHECKLIST = ("symptom", "affected", "expected", "steps", "recent_changes", "error_text")


@dataclass
class NewCase:
    """What a channel gathered to open a case."""

    requester: User
    product: Product
    subject: str
    description: str
    case_type: str
    severity: str
    version: ProductVersion | None = None
    component: Component | None = None
    category: str | None = None
    topic: str | None = None
    impact: str | None = None
    checklist: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    copy_to_requester: bool = False
    channel: Channel = Channel.WEB
    opened_by: User | None = None
    parent: Case | None = None


def open_case(new: NewCase, attachments: Iterable[Attachment] = ()) -> Case:
    """Open a case: call id, priority from the mapping, route, the first timeline entry."""
    policy = current_policy()
    _check_new(new, policy)
    route = policy.route(new.case_type, new.product, new.version, new.component)
    team = Team.get_or_none(Team.key == route.team) if route.team else None
    assignee = None
    if route.agent_email:
        assignee = User.get_or_none((User.email == route.agent_email) & User.active)
    status = policy.initial_status()
    now = utcnow()
    with _changing():
        case = Case.create(
            call_id=next_call_id(now),
            organisation=new.requester.organisation_id,
            requester=new.requester,
            opened_by=new.opened_by or new.requester,
            channel=new.channel,
            subject=flattened(new.subject),  # from mail or an API: one line all the same
            description=new.description.strip(),
            product=new.product,
            version=new.version,
            component=new.component,
            category=new.category or None,
            topic=new.topic or None,
            case_type=new.case_type,
            severity=new.severity,
            priority=policy.priority_for(
                new.case_type, new.severity, new.requester.organisation.contract_class
            ),
            status=status.key,
            status_category=status.category,
            is_open=status.category.is_open,
            impact=(new.impact or "").strip() or None,
            extra=json.dumps(new.extra or {}, ensure_ascii=False),
            copy_to_requester=new.copy_to_requester,
            team=team,
            assignee=assignee,
            parent=new.parent,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            **{name: (new.checklist.get(name) or "").strip() or None for name in CHECKLIST},
        )
        opened = _event(
            case, new.opened_by or new.requester, EventKind.OPENED, at=now, new_value=new.channel
        )
        uploads.attach(case, opened, new.opened_by or new.requester, attachments)
        if new.parent is not None:
            _event(
                new.parent,
                new.opened_by or new.requester,
                EventKind.FOLLOW_UP,
                at=now,
                new_value=case.call_id,
            )
        search.index_case(case)
    return case


def _check_new(new: NewCase, policy) -> None:
    requester = new.requester
    if not requester.is_customer or requester.organisation_id is None:
        raise CaseError(_l("Cases are opened for a customer user."), "requester")
    if not access.may_open_case(requester):
        raise CaseError(
            _l("%(name)s may not open cases for the organisation.", name=requester.name),
            "requester",
        )
    if not new.subject.strip():
        raise CaseError(_l("Please give the case a subject."), "subject")
    if not new.description.strip():
        raise CaseError(_l("Please describe the problem."), "description")
    if new.case_type not in {t.key for t in policy.case_types}:
        raise CaseError(_l("Please choose a case type."), "case_type")
    severity = next((s for s in policy.severities if s.key == new.severity), None)
    if severity is None:
        raise CaseError(_l("Please choose a severity."), "severity")
    if severity.needs_impact and not (new.impact or "").strip():
        raise CaseError(
            _l("For this severity, please describe the impact and why it is so urgent."),
            "impact",
        )
    if new.version is not None and new.version.product_id != new.product.id:
        raise CaseError(_l("This version does not belong to the product."), "version")
    if new.component is not None and new.component.product_id != new.product.id:
        raise CaseError(_l("This component does not belong to the product."), "component")


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
    if author.is_customer and case.status_category == Category.CLOSED:
        raise CaseError(_l("This case is closed; please open a follow-up case."), "body")
    now = utcnow()
    with _changing():
        visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
        event = _event(
            case,
            author,
            EventKind.NOTE if internal else EventKind.MESSAGE,
            at=now,
            visibility=visibility,
            body=body.strip(),
            recipients=None if internal else _recipients(case, author),
        )
        uploads.attach(case, event, author, attachments, visibility)
        changes = {Case.updated_at: now}
        if not internal:
            changes[Case.last_activity_at] = now
        if author.is_customer and case.status_category in (Category.WAITING, Category.SOLVED):
            _set_status(case, None, _first_status(Category.OPEN), now)
        Case.update(changes).where(Case.id == case.id).execute()
        if not internal:
            search.index_case(case)
    return event


def _recipients(case: Case, author: User) -> str:
    """Who a public message is addressed to: the requester and the followers."""
    ids = {case.requester_id}
    ids.update(f.user_id for f in Follower.select(Follower.user).where(Follower.case == case))
    ids.discard(author.id)
    return json.dumps(sorted(ids))


#: Fields an agent may change on a case, with the model of the referenced row if any.
CHANGEABLE = {
    "case_type": None,
    "severity": None,
    "priority": None,
    "product": Product,
    "version": ProductVersion,
    "component": Component,
    "category": None,
    "topic": None,
}


def change_field(case: Case, actor: User, name: str, value, reason: str | None = None) -> Event:
    """An agent changes a field; a new type or severity re-derives the priority, a new
    product clears version and component. Every change is its own timeline entry."""
    _check_change(case, actor, name, value)
    old = getattr(case, name + "_id" if CHANGEABLE[name] else name)
    new = value.id if CHANGEABLE[name] and value is not None else value
    if old == new:
        raise CaseError(_l("Nothing changed."), name)
    now = utcnow()
    with _changing():
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
                case.case_type, case.severity, case.organisation.contract_class
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
    return _event(
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


def move_status(case: Case, actor: User, status_key: str, waiting_for: str | None = None) -> Event:
    """Move ``case`` to the vendor status ``status_key`` if the plugins let ``actor`` do it."""
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
    needs_text = status.category == Category.WAITING and status.waiting_for is None
    if needs_text and not (waiting_for or "").strip():
        raise CaseError(_l("Please say what exactly you need from the customer."), "waiting_for")
    now = utcnow()
    with _changing():
        event = _set_status(case, actor, status, now, waiting_for)
        Case.update(updated_at=now).where(Case.id == case.id).execute()
    return event


def _set_status(case: Case, actor: User | None, status, now, waiting_for=None) -> Event:
    """Move ``case`` from the status it was read with to ``status``: a compare-and-set, so
    of two people who move the same case at once (both confirming its solution, say) one
    wins and the other is told the case was changed meanwhile; the caller's transaction,
    with this entry, is rolled back."""
    read = case.status
    event = _event(
        case,
        actor,
        EventKind.STATUS,
        at=now,
        field="status",
        old_value=case.status,
        new_value=status.key,
        body=waiting_for or None,
    )
    case.status = status.key
    case.status_category = status.category
    case.is_open = status.category.is_open
    case.waiting_for = (
        (waiting_for or "").strip() or None if status.category == Category.WAITING else None
    )
    moved = (
        Case.update(
            status=case.status,
            status_category=case.status_category,
            is_open=case.is_open,
            waiting_for=case.waiting_for,
        )
        .where((Case.id == case.id) & (Case.status == read))
        .execute()
    )
    if not moved:
        raise CaseError(_l("The case was changed meanwhile; please look at it again."), "status")
    return event


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
    with _changing():
        event = _event(
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
            _set_status(case, actor, _first_status(Category.OPEN), now)
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
    with _changing():
        if is_following(case, user):
            return False
        Follower.create(case=case, user=user)
        _event(
            case,
            actor,
            EventKind.FOLLOWED,
            at=utcnow(),
            visibility=Visibility.INTERNAL,
            new_value=str(user.id),
        )
    return True


def unfollow(case: Case, user: User) -> bool:
    with _changing():
        removed = (
            Follower.delete().where((Follower.case == case) & (Follower.user == user)).execute()
        )
        if removed:
            _event(case, user, EventKind.UNFOLLOWED, at=utcnow(), visibility=Visibility.INTERNAL)
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
    with _changing():
        _event(case, actor, EventKind.REOPENED, at=now, body=reason.strip())
        event = _set_status(case, actor, _first_status(Category.OPEN), now)
        Case.update(updated_at=now, last_activity_at=now).where(Case.id == case.id).execute()
    return event


def open_follow_up(
    case: Case,
    actor: User,
    subject: str,
    description: str,
    attachments: Iterable[Attachment] = (),
    channel: Channel = Channel.WEB,
) -> Case:
    """A new case linked to the solved or closed ``case``, with its product, type and
    severity."""
    if case.status_category not in (Category.SOLVED, Category.CLOSED):
        raise CaseError(_l("The case is still open."))
    requester = actor if actor.is_customer else case.requester
    return open_case(
        NewCase(
            requester=requester,
            product=case.product,
            version=case.version,
            component=case.component,
            subject=subject,
            description=description,
            case_type=case.case_type,
            severity=case.severity,
            impact=case.impact,
            channel=channel,
            opened_by=actor,
            parent=case,
        ),
        attachments,
    )


def system_move(case: Case, status_key: str, reason: str) -> Event:
    """The system (a status timer) moves ``case``: no person's permission applies; ``reason``
    is the status entry's text."""
    now = utcnow()
    with _changing():
        event = _set_status(case, None, current_policy().status(status_key), now, reason)
        Case.update(updated_at=now).where(Case.id == case.id).execute()
    return event


def system_note(case: Case, body: str) -> Event:
    """An internal entry by the system, e.g. that a timer sent a reminder and why."""
    with _changing():
        return _event(
            case, None, EventKind.NOTE, at=utcnow(), visibility=Visibility.INTERNAL, body=body
        )


#: The timeline entries written by the change in progress (see ``_changing``).
_recording: ContextVar[list[Event] | None] = ContextVar("recording", default=None)


@contextmanager
def _changing() -> Iterator[list[Event]]:
    """One change of one or more cases: a transaction whose timeline entries are handed to
    ``helpdesk_case_changed`` before it commits, so what the change causes (mail in the
    outbox, timers, SLA clocks) is written with it or not at all. A change started inside
    another (a follow-up opened from a case) joins it and is announced with it."""
    if _recording.get() is not None:
        with db.atomic():
            yield _recording.get()
        return
    events: list[Event] = []
    token = _recording.set(events)
    try:
        with db.atomic():
            yield events
            if events:
                plugin_manager().hook.helpdesk_case_changed(events=events)
    finally:
        _recording.reset(token)


def _event(case: Case, author: User | None, kind: EventKind, *, at, **values) -> Event:
    event = Event.create(case=case, author=author, kind=kind, created_at=at, **values)
    # the same people as rows, for the correspondence rule's indexed lookup (PERM-3)
    rows = [(event.id, user_id) for user_id in json.loads(values.get("recipients") or "[]")]
    if rows:
        EventRecipient.insert_many(
            rows, fields=[EventRecipient.event, EventRecipient.user]
        ).execute()
    recording = _recording.get()
    if recording is not None:
        recording.append(event)
    return event
