"""Escalation and support levels (FLOW-6).

A customer asks for escalation with a reason: the case climbs one step of the vendor's path
(``helpdesk_escalation_levels``) and that step's people are mailed. A case opened at, or raised
to, the top severity tells the responsible manager at once. Agents hand a case to the next
support level (``helpdesk_support_levels``) with a handover note; the case keeps its whole
timeline, so everything gathered goes with it, and the customer sees the level.

The mails are sent by ``helpdesk.lifecycle`` from the timeline entries written here.
"""

from helpdesk.accounts.models import Kind, Organisation, Team, User
from helpdesk.cases import access, changes
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.mail import notify
from helpdesk.permissions import ensure_agent
from helpdesk.policy import EscalationLevel, SupportLevel, current_policy
from helpdesk.timeutil import utcnow


def escalation_levels() -> list[EscalationLevel]:
    return list(plugin_manager().hook.helpdesk_escalation_levels() or [])


def support_levels() -> list[SupportLevel]:
    return list(plugin_manager().hook.helpdesk_support_levels() or [])


def level_label(levels: list, number: int):
    """The label of level ``number`` (counted from 1), or None beyond the path."""
    return levels[number - 1].label if 1 <= number <= len(levels) else None


def may_escalate(user: User, case: Case) -> bool:
    return (
        case.is_open
        and case.escalation_level < len(escalation_levels())
        and access.may_write(user, case)
    )


def request_escalation(case: Case, user: User, reason: str) -> Event:
    """Raise ``case`` one step of the escalation path, for the ``reason`` given."""
    if not case.is_open:
        raise CaseError(_l("Only open cases are escalated."))
    if not reason.strip():
        raise CaseError(_l("Please say why the case needs escalation."), "reason")
    if not access.may_write(user, case):
        raise CaseError(_l("You may not write to this case."))
    level = case.escalation_level + 1
    if level > len(escalation_levels()):
        raise CaseError(_l("The case is already at the highest escalation level."))
    now = utcnow()
    with changes.changing():
        changes.claim(case, Case.escalation_level, level, updated_at=now, last_activity_at=now)
        event = changes.record_event(
            case,
            user,
            EventKind.ESCALATED,
            at=now,
            old_value=str(case.escalation_level),
            new_value=str(level),
            body=reason.strip(),
        )
        case.escalation_level = level
    return event


def hand_to_next_level(case: Case, agent: User, note: str) -> Event:
    """An agent hands ``case`` to the next support level with a note for the colleagues there.

    The level change is public (the customer sees where the case is), the note internal; the
    case leaves its assignee and goes to the level's team if the plugin names one.
    """
    ensure_agent(agent, _l("Only agents hand a case on."))
    if not note.strip():
        raise CaseError(_l("Please write a handover note for the next level."), "note")
    levels = support_levels()
    level = case.support_level + 1
    if level > len(levels):
        raise CaseError(_l("The case is already at the highest support level."))
    team = case.team_id
    if levels[level - 1].team:
        found = Team.get_or_none(Team.key == levels[level - 1].team)
        team = found.id if found is not None else team
    now = utcnow()
    with changes.changing():
        changes.claim(case, Case.support_level, level, team=team, assignee=None, updated_at=now)
        event = changes.record_event(
            case,
            agent,
            EventKind.SUPPORT_LEVEL,
            at=now,
            old_value=str(case.support_level),
            new_value=str(level),
        )
        changes.record_event(
            case,
            agent,
            EventKind.NOTE,
            at=now,
            visibility=Visibility.INTERNAL,
            body=note.strip(),
        )
        case.support_level, case.team, case.assignee = level, team, None
    return event


def managers_of(case: Case) -> list[User]:
    """The managers responsible for ``case``: the customer's own manager when its
    organisation names one (``account_manager``, seed 000's "responsible customer service
    manager"), else the managers of its team, else every manager."""
    own = (
        User.select()
        .join(Organisation, on=(Organisation.account_manager == User.id))
        .where((Organisation.id == case.organisation_id) & User.active)
        .first()
    )
    if own is not None:
        return [own]
    query = User.select().where((User.kind == Kind.AGENT) & User.active & User.is_manager)
    if case.team_id is not None:
        in_team = list(query.where(User.team == case.team_id).order_by(User.id))
        if in_team:
            return in_team
    return list(query.order_by(User.id))


def recipients(case: Case, level: EscalationLevel) -> list:
    """The users and addresses a level's ``notify`` entries name, each once."""
    found: dict = {}
    for entry in level.notify:
        if entry == "manager":
            people = managers_of(case)
        elif entry.startswith("team:"):
            people = list(
                User.select()
                .join(Team, on=(User.team == Team.id))
                .where((Team.key == entry[5:]) & User.active & (User.kind == Kind.AGENT))
                .order_by(User.id)
            )
        else:
            found.setdefault(entry.lower(), entry)
            continue
        for person in people:
            found.setdefault(person.email.lower(), person)
    return list(found.values())


def notify_escalation(event: Event) -> None:
    """Mail the people of the level ``event`` raised its case to."""
    case = event.case
    levels = escalation_levels()
    number = int(event.new_value)
    if number > len(levels):
        return
    level = levels[number - 1]
    for recipient in recipients(case, level):
        notify.send(
            "case_escalated",
            recipient,
            case=case,
            level=number,
            level_label=level.label,
            reason=event.body,
            requester=event.author,
        )


def notify_handover(event: Event, note: str | None) -> None:
    """Mail the agents who take over the case ``event`` handed on, with the handover note:
    the active agents of the case's team at the new level (or, if it has nobody at that
    level, at the lowest level above it), without the agent who handed it on."""
    case, level = event.case, int(event.new_value)
    query = User.select().where(
        (User.kind == Kind.AGENT)
        & User.active
        & (User.support_level >= level)
        & (User.id != event.author_id)
    )
    if case.team_id is not None:
        query = query.where(User.team == case.team_id)
    candidates = list(query)
    if not candidates:
        return
    lowest = min(agent.support_level for agent in candidates)
    label = level_label(support_levels(), level)
    for agent in candidates:
        if agent.support_level == lowest:
            notify.send(
                "case_handed_over",
                agent,
                case=case,
                level=level,
                level_label=label,
                author=event.author,
                note=note,
            )


def is_top_severity(severity: str) -> bool:
    return severity == current_policy().severities[0].key


def notify_critical(case: Case) -> None:
    """The responsible manager learns at once of a case at the top severity (seed 000)."""
    for manager in managers_of(case):
        notify.send(
            "case_critical",
            manager,
            case=case,
            severity=current_policy().label("severity", case.severity),
        )
