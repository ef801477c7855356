"""Where a new case goes: the routing hook's answer (``helpdesk_route_case``) made into a
team, an agent and the status the case starts in.

A route to a team the database lacks raises: the start-up check (``helpdesk.naming``) has
made sure every team a plugin routes to is declared, and ``flask migrate`` creates the
declared teams, so this is a broken instance, not a case to leave without a team. An agent
the route names who is gone, or a team with nobody to assign, leaves the case in the team's
queue with an internal note that says so: people come and go, the case must still open.
"""

from dataclasses import dataclass

from peewee import JOIN, fn

from helpdesk.accounts.models import Kind, Team, User
from helpdesk.cases.models import Case
from helpdesk.i18n import gettext as _
from helpdesk.policy import PolicyError, Status


@dataclass(frozen=True)
class Routed:
    team: Team | None
    assignee: User | None
    status: Status
    note: str | None = None  # for the timeline, when the route could not be followed in full


def routed(new, policy) -> Routed:
    """Where the ``NewCase`` ``new`` goes, as the plugins route it."""
    route = policy.route(
        new.case_type,
        new.product,
        new.version,
        new.component,
        new.requester,
        dict(new.extra or {}),
    )
    team = None
    if route.team:
        team = Team.get_or_none(Team.key == route.team)
        if team is None:
            raise PolicyError(
                f"a case is routed to the team {route.team!r}, which the database lacks: "
                "run `flask migrate`, which creates the declared teams"
            )
    assignee, note = None, None
    if route.agent_email:
        assignee = User.get_or_none(
            (User.email == route.agent_email) & User.active & (User.kind == Kind.AGENT)
        )
        if assignee is None:
            note = _(
                "Routed to %(email)s, who is not an active agent: the case waits in the queue.",
                email=route.agent_email,
            )
    elif route.assign_in_team and team is not None:
        assignee = least_busy_agent(team)
        if assignee is None:
            note = _(
                "Nobody in the team %(team)s could take the case: it waits in the queue.",
                team=team.name,
            )
    status = policy.status(route.status) if route.status else policy.initial_status()
    return Routed(team, assignee, status, note)


def least_busy_agent(team: Team) -> User | None:
    """The active agent of ``team`` with the fewest open cases (the earliest added on a tie)."""
    return (
        User.select(User)
        .join(Case, JOIN.LEFT_OUTER, on=(Case.assignee == User.id) & (Case.is_open == True))  # noqa: E712
        .where((User.team == team) & User.active & (User.kind == Kind.AGENT))
        .group_by(User.id)
        .order_by(fn.COUNT(Case.id), User.id)
        .first()
    )
