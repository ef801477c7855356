"""Opening a case, from any channel (web, mail, phone, API), and a follow-up to a solved or
closed one: call id, priority from the mapping, route, the first timeline entry."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from helpdesk.accounts.models import User
from helpdesk.cases import access, routing, search, uploads
from helpdesk.cases.callids import next_call_id
from helpdesk.cases.changes import changing, record_event
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Attachment, Case, Channel, EventKind, Visibility
from helpdesk.contracts import service as contracts
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import flattened
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
    organisation = new.requester.organisation
    contracts.ensure_may_open_case(new.opened_by or new.requester, organisation)
    route = routing.routed(new, policy)
    status = route.status
    now = utcnow()
    with changing():
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
                new.case_type,
                new.severity,
                contracts.class_for(organisation, new.product.id if new.product else None),
            ),
            status=status.key,
            status_category=status.category,
            is_open=status.category.is_open,
            impact=(new.impact or "").strip() or None,
            extra=json.dumps(new.extra or {}, ensure_ascii=False),
            copy_to_requester=new.copy_to_requester,
            team=route.team,
            assignee=route.assignee,
            parent=new.parent,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            **{name: (new.checklist.get(name) or "").strip() or None for name in CHECKLIST},
        )
        opened = record_event(
            case, new.opened_by or new.requester, EventKind.OPENED, at=now, new_value=new.channel
        )
        uploads.attach(case, opened, new.opened_by or new.requester, attachments)
        if route.note:
            record_event(
                case, None, EventKind.NOTE, at=now, visibility=Visibility.INTERNAL, body=route.note
            )
        if new.parent is not None:
            record_event(
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
