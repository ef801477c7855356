"""The core's part of a case's later life (FLOW-4 to FLOW-7), registered like a plugin.

It mails what ``helpdesk_case_changed`` reports: the survey when a case is closed, the
escalation path's people when a case is escalated, the next support level's agents when a
case is handed on (with the handover note), the responsible manager when a case is at the top
severity, the requester and followers when a release is published. The pages (survey,
development items, the case page's actions) are registered by the app factory.
"""

from helpdesk.cases.models import EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Category, Label, NavLink, current_policy


@hookimpl
def helpdesk_case_changed(events):
    from helpdesk.development.service import recipients_of
    from helpdesk.escalation import service as escalation
    from helpdesk.mail import notify
    from helpdesk.survey.service import send_survey

    for event in events:
        case = event.case
        if event.kind == EventKind.STATUS and _category(event.new_value) == Category.CLOSED:
            send_survey(case)
        elif event.kind == EventKind.ESCALATED:
            escalation.notify_escalation(event)
        elif event.kind == EventKind.SUPPORT_LEVEL:
            escalation.notify_handover(event, _handover_note(event, events))
        elif event.kind == EventKind.RELEASED:
            for person in recipients_of(event):
                notify.send("release_published", person, case=case, release=event.new_value)
        elif (event.kind == EventKind.OPENED and escalation.is_top_severity(case.severity)) or (
            event.kind == EventKind.FIELD
            and event.field == "severity"
            and escalation.is_top_severity(event.new_value)
        ):
            escalation.notify_critical(case)


def _handover_note(handover, events) -> str | None:
    """The internal note written with a handover, in the same change by the same agent."""
    for event in events:
        if event.kind == EventKind.NOTE and event.author_id == handover.author_id:
            return event.body
    return None


def _category(status_key: str | None):
    status = current_policy().status(status_key or "")
    return status.category if status is not None else None


@hookimpl
def helpdesk_navigation(user):
    return [
        NavLink(
            "development.index",
            Label("Entwicklung", "Development"),
            audience="agent",
            order=27,
            menu="cases",
        ),
        NavLink(
            "survey.report",
            Label("Zufriedenheit", "Satisfaction"),
            audience="agent",
            order=61,
            menu="reports",
        ),
    ]
