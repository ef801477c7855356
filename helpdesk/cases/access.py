"""Who sees which case and which timeline entries: decided here, applied in the queries.

Each rule is a plugin hook (PERM-5) with the core's default in ``helpdesk.defaults``; the
hooks answer about a person, and this module turns the answer into conditions of the query
that fetches the rows, so nothing is fetched first and filtered afterwards.

- agents see every case, every entry and every file;
- a customer sees only their own organisation's cases (PERM-1): all of them when
  ``helpdesk_sees_all_organisation_cases`` says so, otherwise those they requested or
  follow (PERM-2);
- customers never see internal entries or internal files (PERM-4);
- under the correspondence rule (``helpdesk_correspondence_rule``, PERM-3) a customer reads
  only the messages they wrote or received (``EventRecipient``); every other message is
  fetched without its text and recipients and shows as a placeholder, and its files are
  neither listed nor served. The case itself (subject, description, facts, status changes)
  is not correspondence: whoever sees the case sees it;
- ``helpdesk_may_open_case`` decides who opens cases in the organisation's name.
"""

from peewee import JOIN, SQL, fn
from peewee import Case as CaseWhen

from helpdesk.accounts.models import Approval, Team, User
from helpdesk.cases.models import (
    Attachment,
    Case,
    Event,
    EventKind,
    EventRecipient,
    Follower,
    Visibility,
)
from helpdesk.products.models import Component, Product, ProductVersion


def _hook():
    from helpdesk.plugins import plugin_manager  # the plugin manager imports the defaults

    return plugin_manager().hook


def sees_whole_organisation(user: User) -> bool:
    """Whether ``user`` sees every case of their organisation (agents: every case)."""
    if user.is_agent:
        return True
    return bool(_hook().helpdesk_sees_all_organisation_cases(user=user))


def under_correspondence_rule(user: User) -> bool:
    """Whether ``user`` reads only the messages they wrote or received."""
    if user.is_agent:
        return False
    return bool(_hook().helpdesk_correspondence_rule(user=user))


def may_open_case(user: User) -> bool:
    """Whether ``user`` may open cases in their organisation's name (a customer only)."""
    if not user.is_customer or user.organisation_id is None:
        return False
    return bool(_hook().helpdesk_may_open_case(user=user))


def visible_cases(user: User, query=None):
    """``query`` (default: all cases) narrowed to what ``user`` may see."""
    query = query if query is not None else Case.select()
    if user.is_agent:
        return query
    if user.organisation_id is None or user.approval != Approval.APPROVED:
        return query.where(SQL("1 = 0"))  # a registration not yet let in (ACC-3) sees nothing
    query = query.where(Case.organisation == user.organisation_id)
    if sees_whole_organisation(user):
        return query
    followed = Follower.select(Follower.case).where(Follower.user == user.id)
    return query.where((Case.requester == user.id) | Case.id.in_(followed))


def case_for(user: User, case_id: int) -> Case | None:
    """The case if ``user`` may see it, else None (the views answer 404 either way)."""
    return visible_cases(user, Case.select().where(Case.id == case_id)).first()


#: The requester and assignee columns a case page shows, built once: each field of an
#: aliased model is a class of its own that peewee makes on every access, and aliasing every
#: User field would cost more than the query.
_REQUESTER, _ASSIGNEE = User.alias("requester"), User.alias("assignee")
_PERSON = ("id", "name", "email", "kind", "organisation")
_PEOPLE_COLUMNS = tuple(
    getattr(alias, name) for alias in (_REQUESTER, _ASSIGNEE) for name in _PERSON
)
_ON_REQUESTER = Case.requester == _REQUESTER.id
_ON_ASSIGNEE = Case.assignee == _ASSIGNEE.id


def case_by_call_id(user: User, call_id: str) -> Case | None:
    """The case with ``call_id`` if ``user`` may see it, with the rows a case page shows
    (product, version, component, team, requester, assignee) fetched in the same query."""
    query = (
        Case.select(
            Case,
            Product.id,
            Product.name,
            ProductVersion.id,
            ProductVersion.name,
            Component.id,
            Component.name,
            Team.id,
            Team.name,
            *_PEOPLE_COLUMNS,
        )
        .join_from(Case, Product, attr="product")
        .join_from(Case, ProductVersion, JOIN.LEFT_OUTER, attr="version")
        .join_from(Case, Component, JOIN.LEFT_OUTER, attr="component")
        .join_from(Case, Team, JOIN.LEFT_OUTER, attr="team")
        .join_from(Case, _REQUESTER, on=_ON_REQUESTER, attr="requester")
        .join_from(Case, _ASSIGNEE, JOIN.LEFT_OUTER, on=_ON_ASSIGNEE, attr="assignee")
        .where(Case.call_id == call_id)
    )
    return visible_cases(user, query).first()


#: What a withheld message leaves out: its text and whom it went to.
WITHHELD = ("body", "recipients")


def visible_events(user: User, case: Case):
    """The case's timeline as ``user`` may see it, oldest first, with authors joined.

    Every entry has ``hidden``: True for a message the correspondence rule withholds from
    ``user``; its ``body`` and ``recipients`` come back empty from the database.
    """
    hidden = _hidden_message(user)
    if hidden is None:
        columns = [Event, SQL("0").alias("hidden")]
    else:
        shown = [f for f in Event._meta.sorted_fields if f.name not in WITHHELD]
        withheld = [
            CaseWhen(None, [(hidden, None)], getattr(Event, name)).alias(name) for name in WITHHELD
        ]
        columns = [*shown, *withheld, CaseWhen(None, [(hidden, 1)], 0).alias("hidden")]
    query = (
        Event.select(*columns, User)
        .join(User, JOIN.LEFT_OUTER, on=(Event.author == User.id))
        .where(Event.case == case.id)
        .order_by(Event.id)
    )
    if not user.is_agent:
        query = query.where(Event.visibility == Visibility.PUBLIC)
    return query


def _hidden_message(user: User):
    """The condition that an ``Event`` row is a message ``user`` may not read, or None when
    ``user`` reads every message they can see."""
    if not under_correspondence_rule(user):
        return None
    received = EventRecipient.select(SQL("1")).where(
        (EventRecipient.event == Event.id) & (EventRecipient.user == user.id)
    )
    return (
        (Event.kind == EventKind.MESSAGE)
        & (fn.COALESCE(Event.author, 0) != user.id)
        & ~fn.EXISTS(received)
    )


def visible_attachments(user: User, case: Case, query=None):
    """``query`` (default: all attachments) narrowed to the files of ``case`` that ``user``
    may open: public ones for customers, and none of a message withheld from them."""
    query = query if query is not None else Attachment.select()
    query = query.where(Attachment.case == case.id)
    if user.is_agent:
        return query
    query = query.where(Attachment.visibility == Visibility.PUBLIC)
    hidden = _hidden_message(user)
    if hidden is None:
        return query
    withheld = Event.select(Event.id).where((Event.case == case.id) & hidden)
    return query.where(Attachment.event.is_null() | Attachment.event.not_in(withheld))


def may_write(user: User, case: Case) -> bool:
    """Whether ``user`` may add to ``case``: agents always, customers on visible cases."""
    return user.is_agent or case_for(user, case.id) is not None
