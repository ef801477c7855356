"""Who sees which case and which timeline entries: decided here, applied in the queries.

Core defaults of PERM-2 and PERM-4 (the accounts issue turns each into a hook):
- agents see every case and every entry;
- a customer sees only their own organisation's cases; all of them when the organisation
  lets every user see all cases, or when they are a main contact, administrator or portal
  admin; otherwise the cases they requested or follow;
- customers never see internal entries or attachments.
"""

from peewee import JOIN, SQL

from helpdesk.accounts.models import Approval, CaseVisibility, CustomerRole, Team, User
from helpdesk.cases.models import Case, Event, Follower, Visibility
from helpdesk.products.models import Component, Product, ProductVersion

SEES_ALL_ROLES = (CustomerRole.PORTAL_ADMIN, CustomerRole.MAIN_CONTACT, CustomerRole.ADMINISTRATOR)


def sees_whole_organisation(user: User) -> bool:
    if user.is_agent:
        return True
    if user.organisation.case_visibility == CaseVisibility.EVERYONE:
        return True
    return user.customer_role in SEES_ALL_ROLES


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


def case_by_call_id(user: User, call_id: str) -> Case | None:
    """The case with ``call_id`` if ``user`` may see it, with the rows a case page shows
    (product, version, component, team, requester, assignee) fetched in the same query."""
    Requester, Assignee = User.alias("requester"), User.alias("assignee")
    # Only the columns a page shows: aliasing every User field costs more than the query.
    person = ("id", "name", "email", "kind", "organisation")
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
            *(getattr(Requester, name) for name in person),
            *(getattr(Assignee, name) for name in person),
        )
        .join_from(Case, Product, attr="product")
        .join_from(Case, ProductVersion, JOIN.LEFT_OUTER, attr="version")
        .join_from(Case, Component, JOIN.LEFT_OUTER, attr="component")
        .join_from(Case, Team, JOIN.LEFT_OUTER, attr="team")
        .join_from(Case, Requester, on=(Case.requester == Requester.id), attr="requester")
        .join_from(
            Case, Assignee, JOIN.LEFT_OUTER, on=(Case.assignee == Assignee.id), attr="assignee"
        )
        .where(Case.call_id == call_id)
    )
    return visible_cases(user, query).first()


def visible_events(user: User, case: Case):
    """The case's timeline as ``user`` may see it, oldest first, with authors joined."""
    query = (
        Event.select(Event, User)
        .join(User, JOIN.LEFT_OUTER, on=(Event.author == User.id))
        .where(Event.case == case.id)
        .order_by(Event.id)
    )
    if not user.is_agent:
        query = query.where(Event.visibility == Visibility.PUBLIC)
    return query


def may_write(user: User, case: Case) -> bool:
    """Whether ``user`` may add to ``case``: agents always, customers on visible cases."""
    return user.is_agent or case_for(user, case.id) is not None
