"""Cases waiting on development (FLOW-7, seed 002: "when development solves it, a release is
published and you are told proactively in the ticket").

Agents link a case to a development item (the tracker's key). Publishing the item's release
writes one public message on every linked case that is not closed, in its requester's
language, mails the requester and followers (``helpdesk.lifecycle``), and moves the case to the
status ``helpdesk_release_published_status`` names, all in one transaction.
"""

import json

from flask import current_app
from flask_babel import gettext as _

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.cases import changes
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.db import Prepared, db
from helpdesk.development.models import DevelopmentItem, DevelopmentLink
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import speaking
from helpdesk.permissions import ensure_agent
from helpdesk.policy import Category, current_policy
from helpdesk.timeutil import utcnow


def item_of(case: Case) -> DevelopmentItem | None:
    link = _link_of.first(case.id)
    return link.item if link is not None else None


#: On every agent's case page: compiled once.
_link_of = Prepared(
    lambda case_id: (
        DevelopmentLink.select(DevelopmentLink, DevelopmentItem)
        .join(DevelopmentItem)
        .where(DevelopmentLink.case == case_id)
        .limit(1)
    ),
    -9_000_401,
)


def link(case: Case, agent: User, key: str, title: str = "") -> Event:
    """Link ``case`` to the item ``key``, creating the item (with ``title``) if it is new."""
    ensure_agent(agent, _l("Only agents link cases to development."))
    key, title = key.strip(), title.strip()
    if not key:
        raise CaseError(_l("Please give the development item's key."), "key")
    longest = DevelopmentItem.key.max_length
    if len(key) > longest:  # a tracker's id is short; PostgreSQL refuses a longer one (a 500)
        raise CaseError(_l("The key is at most %(count)s characters long.", count=longest), "key")
    item = DevelopmentItem.get_or_none(DevelopmentItem.key == key)
    if item is None and not title:
        raise CaseError(_l("A new development item needs a title."), "title")
    if item is not None and item.released_at is not None:
        raise CaseError(_l("This item's release is already published."), "key")
    now = utcnow()
    with changes.changing():
        if item is None:
            item = DevelopmentItem.create(key=key, title=title[:200], created_at=now)
        DevelopmentLink.delete().where(DevelopmentLink.case == case.id).execute()
        DevelopmentLink.create(case=case, item=item, linked_by=agent, linked_at=now)
        event = changes.record_event(
            case,
            agent,
            EventKind.DEVELOPMENT,
            at=now,
            visibility=Visibility.INTERNAL,
            new_value=item.key,
            body=item.title,
        )
        changes.touch(case, now)
    return event


def plan(item: DevelopmentItem, agent: User, planned: str) -> DevelopmentItem:
    """Set (or, empty, clear) the release ``item`` is planned for, which the customers whose
    cases wait on it see (DOC-4); audited."""
    ensure_agent(agent, _l("Only agents plan releases."))
    planned = (planned or "").strip() or None
    longest = DevelopmentItem.planned_release.max_length
    if planned is not None and len(planned) > longest:
        raise CaseError(
            _l("The planned release is at most %(count)s characters long.", count=longest),
            "planned_release",
        )
    if item.released_at is not None:
        raise CaseError(_l("This item's release is already published."), "planned_release")
    before = item.planned_release
    with db.atomic():
        DevelopmentItem.update(planned_release=planned).where(
            DevelopmentItem.id == item.id
        ).execute()
        audit.record(
            agent,
            "development.planned",
            item,
            {"planned_release": before},
            {"planned_release": planned},
        )
    item.planned_release = planned
    return item


def publish(item: DevelopmentItem, agent: User, release: str) -> list[Case]:
    """Publish ``release`` of ``item``: every linked case not closed is told and moved."""
    ensure_agent(agent, _l("Only agents publish releases."))
    release = release.strip()
    if not release:
        raise CaseError(_l("Please name the release."), "release")
    if item.released_at is not None:
        raise CaseError(_l("This item's release is already published."), "release")
    now = utcnow()
    cases = list(
        Case.select()
        .join(DevelopmentLink, on=(DevelopmentLink.case == Case.id))
        .where((DevelopmentLink.item == item.id) & (Case.status_category != Category.CLOSED))
        .order_by(Case.id)
    )
    hook = plugin_manager().hook
    with changes.changing():
        DevelopmentItem.update(release=release[:50], released_at=now).where(
            DevelopmentItem.id == item.id
        ).execute()
        for case in cases:
            changes.record_event(
                case,
                agent,
                EventKind.RELEASED,
                at=now,
                new_value=release,
                body=_release_message(case, release),
                recipients=changes.recipients(case, agent),
            )
            status = current_policy().status(
                hook.helpdesk_release_published_status(case=case) or ""
            )
            if status is not None and status.key != case.status:
                changes.set_status(case, agent, status, now)
            changes.touch(case, now, activity=True)
    item.release, item.released_at = release, now
    return cases


def _release_message(case: Case, release: str) -> str:
    """The public message, written once, in the language of the case's requester."""
    with speaking(case.requester.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _(
            "Good news: release %(release)s is published and contains the solution for this "
            "case. Please install it and tell us whether the problem is gone.",
            release=release,
        )


def recipients_of(event: Event) -> list[User]:
    ids = json.loads(event.recipients or "[]")
    return list(User.select().where(User.id.in_(ids) & User.active).order_by(User.id))
