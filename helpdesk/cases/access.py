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

from enum import StrEnum
from functools import partial

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
from helpdesk.db import Prepared
from helpdesk.hooks import plugin_manager
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla.models import CaseClock


def _hook():
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


class Sight(StrEnum):
    """Which cases a person sees."""

    ALL = "all"  # agents
    NONE = "none"  # a registration not yet let in (ACC-3)
    ORGANISATION = "organisation"  # every case of their organisation
    OWN = "own"  # their organisation's cases they requested or follow


def sight(user: User) -> Sight:
    """Which cases ``user`` sees (``visible_cases`` turns it into conditions)."""
    if user.is_agent:
        return Sight.ALL
    if user.organisation_id is None or user.approval != Approval.APPROVED:
        return Sight.NONE
    return Sight.ORGANISATION if sees_whole_organisation(user) else Sight.OWN


def visible_cases(user: User, query=None):
    """``query`` (default: all cases) narrowed to what ``user`` may see."""
    query = query if query is not None else Case.select()
    return _narrowed(query, sight(user), user.organisation_id, user.id, user.id)


def _narrowed(query, seen: Sight, organisation_id, requester_id, follower_id):
    """``query`` narrowed to the cases of ``seen`` for a person of ``organisation_id``, who
    is ``requester_id`` and ``follower_id`` (passed twice so a prepared query has a value
    for each place the person goes)."""
    if seen == Sight.ALL:
        return query
    if seen == Sight.NONE:
        return query.where(SQL("1 = 0"))
    query = query.where(Case.organisation == organisation_id)
    if seen == Sight.ORGANISATION:
        return query
    followed = Follower.select(Follower.case).where(Follower.user == follower_id)
    return query.where((Case.requester == requester_id) | Case.id.in_(followed))


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
_CHILD = Case.alias("child")
#: The flags every case page reads with the case (``case_page_queries`` adds a page's own).
_CASE_FLAGS = {
    "has_children": _CHILD.select(SQL("1")).where(_CHILD.parent == Case.id),
    "has_attachments": Attachment.select(SQL("1")).where(Attachment.case == Case.id),
}


def _case_page_query(
    seen: Sight,
    call_id,
    me,
    organisation_id=None,
    requester_id=None,
    follower_id=None,
    flags=None,
):
    following = Follower.select(SQL("1")).where((Follower.case == Case.id) & (Follower.user == me))
    flags = _CASE_FLAGS | (flags or {}).get(seen, {})
    query = (
        Case.select(
            Case,
            Product.id,
            Product.name_de,
            Product.name_en,
            ProductVersion.id,
            ProductVersion.name,
            Component.id,
            Component.name_de,
            Component.name_en,
            Team.id,
            Team.name_de,
            Team.name_en,
            *_PEOPLE_COLUMNS,
            CaseClock,
            fn.EXISTS(following).alias("following"),
            *(fn.EXISTS(rows).alias(name) for name, rows in flags.items()),
        )
        .join_from(Case, Product, attr="product")
        .join_from(Case, ProductVersion, JOIN.LEFT_OUTER, attr="version")
        .join_from(Case, Component, JOIN.LEFT_OUTER, attr="component")
        .join_from(Case, Team, JOIN.LEFT_OUTER, attr="team")
        .join_from(Case, _REQUESTER, on=_ON_REQUESTER, attr="requester")
        .join_from(Case, _ASSIGNEE, JOIN.LEFT_OUTER, on=_ON_ASSIGNEE, attr="assignee")
        .join_from(Case, CaseClock, JOIN.LEFT_OUTER, attr="clock")
        .where(Case.call_id == call_id)
    )
    return _narrowed(query, seen, organisation_id, requester_id, follower_id).limit(1)


#: Stand-ins for the case page query's values: the call id, the person (for ``following``),
#: then what ``_narrowed`` takes. A sight's query takes as many of them as it has places.
_CASE_PAGE_STAND_INS = ("(call id)", -9_000_001, -9_000_002, -9_000_003, -9_000_004)
_CASE_PAGE_VALUES = {Sight.ALL: 2, Sight.ORGANISATION: 3, Sight.OWN: 5}


def case_page_queries(flags=None) -> dict[Sight, Prepared]:
    """The query of ``case_by_call_id`` for each sight, compiled once each. ``flags``: by
    sight, more of what a page shows, ``{name: rows}``; the case a person of that sight gets
    has ``name``, whether ``rows`` (a select of rows of the case: it names ``Case``) has
    any, so the page reads only the lists that have rows (areas above the cases, such as
    time records or contracts, name their own tables)."""
    return {
        seen: Prepared(
            partial(_case_page_query, seen, flags=flags),
            *_CASE_PAGE_STAND_INS[:count],
        )
        for seen, count in _CASE_PAGE_VALUES.items()
    }


_CASE_PAGE = case_page_queries()


def case_by_call_id(user: User, call_id: str, queries=None) -> Case | None:
    """The case with ``call_id`` if ``user`` may see it, with what a case page shows about it
    fetched in the same query: product, version, component, team, requester, assignee, the
    SLA clock (``clock``, None if the case has none), and whether ``user`` follows the case
    (``following``), whether it has follow-up cases (``has_children``) and files
    (``has_attachments``), so the page asks for those only when there are any. ``queries``:
    the queries of ``case_page_queries`` to run (default: without flags). It runs on
    every case page and action."""
    seen = sight(user)
    if seen == Sight.NONE:
        return None
    values = (call_id, user.id, user.organisation_id, user.id, user.id)
    case = (queries or _CASE_PAGE)[seen].first(*values[: _CASE_PAGE_VALUES[seen]])
    if case is not None:
        case.visible_to = user.id  # ``may_write`` need not ask the database again
    return case


#: What a withheld message leaves out: its text and whom it went to.
WITHHELD = ("body", "recipients")


def visible_events(user: User, case: Case):
    """The case's timeline as ``user`` may see it, oldest first, with authors joined (the
    columns the page shows of them).

    Every entry has ``hidden``: True for a message the correspondence rule withholds from
    ``user``; its ``body`` and ``recipients`` come back empty from the database.
    """
    hidden = _hidden_message(user)
    if hidden is None:
        return _PLAIN_EVENTS[user.is_agent](case.id)
    return _events_query(case.id, user.is_agent, hidden)


def _events_query(case_id, agent: bool, hidden=None):
    if hidden is None:
        columns = [Event, SQL("0").alias("hidden")]
    else:
        shown = [f for f in Event._meta.sorted_fields if f.name not in WITHHELD]
        withheld = [
            CaseWhen(None, [(hidden, None)], getattr(Event, name)).alias(name) for name in WITHHELD
        ]
        columns = [*shown, *withheld, CaseWhen(None, [(hidden, 1)], 0).alias("hidden")]
    query = (
        Event.select(*columns, User.id, User.name, User.picture_version)
        .join(User, JOIN.LEFT_OUTER, on=(Event.author == User.id))
        .where(Event.case == case_id)
        .order_by(Event.id)
    )
    if not agent:
        query = query.where(Event.visibility == Visibility.PUBLIC)
    return query


#: The timeline for agents and for customers whom the correspondence rule does not bind,
#: compiled once: it runs on every case page.
_PLAIN_EVENTS = {
    agent: Prepared(partial(_events_query, agent=agent), -9_000_101) for agent in (True, False)
}


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
    return _attachments_narrowed(query, case.id, user.is_agent, _hidden_message(user))


def _attachments_narrowed(query, case_id, agent: bool, hidden=None):
    query = query.where(Attachment.case == case_id)
    if agent:
        return query
    query = query.where(Attachment.visibility == Visibility.PUBLIC)
    if hidden is None:
        return query
    withheld = Event.select(Event.id).where((Event.case == case_id) & hidden)
    return query.where(Attachment.event.is_null() | Attachment.event.not_in(withheld))


def case_files(user: User, case: Case):
    """Every file of ``case`` that ``user`` may open, oldest first."""
    hidden = _hidden_message(user)
    if hidden is None:
        return _PLAIN_FILES[user.is_agent](case.id)
    return _files_query(case.id, user.is_agent, hidden)


def _files_query(case_id, agent: bool, hidden=None):
    query = _attachments_narrowed(Attachment.select(), case_id, agent, hidden)
    return query.order_by(Attachment.id)


#: A case's files for agents and for customers whom the correspondence rule does not bind,
#: compiled once like the timeline.
_PLAIN_FILES = {
    agent: Prepared(partial(_files_query, agent=agent), -9_000_201) for agent in (True, False)
}


def may_write(user: User, case: Case) -> bool:
    """Whether ``user`` may add to ``case``: agents always, customers on visible cases (one
    that ``case_by_call_id`` fetched for them is one)."""
    if user.is_agent or getattr(case, "visible_to", None) == user.id:
        return True
    return case_for(user, case.id) is not None


def message_counts(user: User, case_ids) -> dict[int, int]:
    """How many public messages (replies and release notes) of each case in ``case_ids``
    ``user`` may read, in one grouped query: the correspondence rule's withheld ones are not
    counted. The caller has checked that ``user`` sees the cases."""
    case_ids = list(case_ids)
    if not case_ids:
        return {}
    query = (
        Event.select(Event.case, fn.COUNT(Event.id))
        .where(
            Event.case.in_(case_ids)
            & (Event.visibility == Visibility.PUBLIC)
            & Event.kind.in_([EventKind.MESSAGE, EventKind.RELEASED])
        )
        .group_by(Event.case)
    )
    hidden = _hidden_message(user)
    if hidden is not None:
        query = query.where(~hidden)
    return dict(query.tuples())
