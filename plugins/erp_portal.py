"""Policy of an ERP vendor's customer portal (seed 001).

What the document fixes and this plugin takes over:

- a new ticket lands "with the right agent" through "a few standard details on module area
  and version": the component (module area) picks the module's team, and the team's agent
  with the fewest open tickets takes it at once (one agent per module in the demo); the
  version counts as well: a ticket on a version the vendor no longer supports goes to the
  first-level Support team, since the answer there starts with the update (our choice);
- "Der Status „Warten auf Kundeninfo“ zeigt zudem via Mouseover Details an, worauf der
  TOPIX-Support genau wartet": the case page says it, and so does the case list, as the
  status cell's tooltip (the core does this for every waiting status);
- the status "Warten auf Kundeninfo" (waiting for customer info) says what exactly support
  waits for;
- closed tickets may be reopened by the customer;
- who sees what: "the ticket list can be seen by every support-authorised person" (they
  see all of the organisation's cases), "but the details of each correspondence only by
  the support-authorised persons who wrote or received it, unless the portal admin has set
  'may see the details of all correspondence of all tickets'" (the correspondence rule,
  off for people with ``sees_all_correspondence``). People who are not support-authorised
  keep the core's rule (their own and followed cases), under the correspondence rule too.

Choices made where the document gives no detail (it names no types, severities, priorities or
teams):

- Case types: how-to question, error report, installation/update and change request (the
  portal also shows development projects, so change requests are a type of their own).
- Severities: four levels, "operation stopped" and "severely impaired" ask for an impact
  justification as the core's case form does for the two highest (CASE-2).
- Priorities: high / normal / low. Stopped and severely impaired give high, normal gives
  normal, minor gives low; a change request is never above normal. The contract class is not
  used.
- Statuses: New, In progress, Waiting for customer info, In development, Closed. The customer
  may set "in progress" (reopen a closed ticket).
- Teams and routing: one team per module area (merchandise management, finance and payroll,
  CRM and documents) and a first-level Support team for cases without a module, with an
  unknown one, or on an unsupported version.
- Demo products: an ERP suite for small businesses with its modules and a mobile app, neutral
  names; the demo data adds one agent per module team (signing in with the demo password).

Closing and escalation (FLOW-4, FLOW-6): closed tickets may be reopened by the customer at
any time, as the portal's text says. The document names no escalation path; we use two
levels, the managers of the ticket's team and then the management (an invented address,
``management@vendor.example``).

Business time (SLA-1..3, FLOW-3), all our choices (the document names no times):

- Calendar: Monday to Friday 08:00-12:00 and 13:00-17:00 Berlin time, German holidays.
- Response targets in business hours, by priority: high priority by its severity, Operation
  stopped 1 h and Severely impaired 4 h; normal priority 8 h (so a change request, capped at
  normal, gets 8 h whatever its severity); low 16 h; next response twice those.
- Timers: waiting for customer info reminds after 5 business days and once more after 5
  more; no timer closes a ticket, since the customer may add information at any time.

Contracts and the data-processing agreement (DOC-1, DOC-2): "ohne AVV [ist] auch kein
Online-Support mehr rechtens". Until the AVV is countersigned the new-ticket form warns and
says why (the document asks the customer to send it, it does not refuse help); an expired
maintenance contract is named too.
"""

from helpdesk.accounts.models import Kind, User
from helpdesk.contracts.policy import CaseNotice
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    CaseType,
    Category,
    EscalationLevel,
    Label,
    Priority,
    ProductSpec,
    Route,
    Severity,
    Status,
)
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, Timer, Unit

#: module area (component key) -> team key
MODULE_TEAMS = {
    "merchandise": "merchandise",
    "pos": "merchandise",
    "finance": "finance",
    "payroll": "finance",
    "crm": "crm",
    "dms": "crm",
    "projects": "crm",
}

#: one demo agent per module team: team key -> (e-mail, name)
MODULE_AGENTS = {
    "merchandise": ("walter.waren@vendor.example", "Walter Waren"),
    "finance": ("fiona.finanz@vendor.example", "Fiona Finanz"),
    "crm": ("carl.crm@vendor.example", "Carl CRM"),
}


@hookimpl
def helpdesk_case_types():
    return [
        CaseType(
            "question",
            Label("Anwendungsfrage", "How-to question"),
            Label("Wie geht das im Programm?", "How is this done in the program?"),
        ),
        CaseType(
            "error",
            Label("Fehlermeldung", "Error report"),
            Label(
                "Das Programm verhält sich anders als erwartet.",
                "The program does not behave as expected.",
            ),
        ),
        CaseType(
            "installation",
            Label("Installation/Update", "Installation/update"),
            Label(
                "Installation, Update oder Umzug des Programms.",
                "Installing, updating or moving the program.",
            ),
        ),
        CaseType(
            "change_request",
            Label("Änderungswunsch", "Change request"),
            Label(
                "Eine Anpassung oder Erweiterung, ggf. als Entwicklungsprojekt.",
                "An adaptation or extension, possibly as a development project.",
            ),
        ),
    ]


@hookimpl
def helpdesk_severities():
    return [
        Severity(
            "stopped",
            Label("Betrieb steht", "Operation stopped"),
            Label(
                "Niemand kann mit dem Programm arbeiten.",
                "Nobody can work with the program.",
            ),
            needs_impact=True,
        ),
        Severity(
            "impaired",
            Label("Stark beeinträchtigt", "Severely impaired"),
            Label(
                "Ein wichtiger Ablauf ist gestört, es gibt keine Umgehung.",
                "An important process is disrupted and there is no workaround.",
            ),
            needs_impact=True,
        ),
        Severity(
            "normal",
            Label("Normal", "Normal"),
            Label(
                "Die Arbeit ist möglich, aber mühsamer.",
                "Work is possible, but harder.",
            ),
        ),
        Severity(
            "minor",
            Label("Gering", "Minor"),
            Label("Schönheitsfehler oder Frage.", "Cosmetic issue or question."),
        ),
    ]


@hookimpl
def helpdesk_priorities():
    return [
        Priority("high", Label("Hoch", "High")),
        Priority("normal", Label("Normal", "Normal")),
        Priority("low", Label("Niedrig", "Low")),
    ]


@hookimpl
def helpdesk_priority_for(case_type, severity, contract_class):
    priority = {"stopped": "high", "impaired": "high", "minor": "low"}.get(severity, "normal")
    if case_type == "change_request" and priority == "high":
        return "normal"
    return priority


@hookimpl
def helpdesk_statuses():
    return [
        Status("new", Label("Neu", "New"), Category.NEW),
        Status(
            "in_progress",
            Label("In Bearbeitung", "In progress"),
            Category.OPEN,
            customer_may_set=True,
        ),
        Status(
            "waiting_for_customer_info",
            Label("Warten auf Kundeninfo", "Waiting for customer info"),
            Category.WAITING,
            waiting_for=Label(
                "die Angaben oder Dateien, um die der Support Sie in seiner letzten Nachricht "
                "gebeten hat",
                "the details or files support asked you for in its last message",
            ),
        ),
        Status(
            "in_development",
            Label("In Entwicklung", "In development"),
            Category.DEVELOPMENT,
        ),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED),
    ]


@hookimpl
def helpdesk_teams():
    return [
        ("support", Label("Support", "Support")),
        ("merchandise", Label("Warenwirtschaft", "Merchandise management")),
        ("finance", Label("Finanzen & Lohn", "Finance & payroll")),
        ("crm", Label("CRM & Dokumente", "CRM & documents")),
    ]


@hookimpl
def helpdesk_route_case(case_type, product, version, component):
    if version is not None and not version.supported:
        return Route(team="support", assign_in_team=True)
    module = getattr(component, "key", None)
    return Route(team=MODULE_TEAMS.get(module, "support"), assign_in_team=True)


@hookimpl
def helpdesk_sees_all_organisation_cases(user):
    return True if user.support_authorised else None


@hookimpl
def helpdesk_correspondence_rule(user):
    return not user.sees_all_correspondence


@hookimpl
def helpdesk_demo_products():
    return [
        ProductSpec(
            "business",
            "Business Komplettlösung",
            versions=("10.5", "11.0", "11.1"),
            components=(
                ("merchandise", "Warenwirtschaft"),
                ("pos", "Kasse"),
                ("finance", "Finanzbuchhaltung"),
                ("payroll", "Lohn & Gehalt"),
                ("crm", "CRM & Kontakte"),
                ("dms", "Dokumentenmanagement"),
                ("projects", "Projekte"),
            ),
        ),
        ProductSpec(
            "mobile",
            "Mobile App",
            versions=("3.2", "3.3"),
            components=(("crm", "CRM & Kontakte"), ("merchandise", "Warenwirtschaft")),
        ),
    ]


@hookimpl
def helpdesk_demo_data(teams):
    colleague = User.get_or_none(User.kind == Kind.AGENT)
    for team_key, (email, name) in MODULE_AGENTS.items():
        User.create(
            email=email,
            name=name,
            password_hash=colleague.password_hash if colleague else None,
            kind=Kind.AGENT,
            team=teams[team_key],
            support_level=2,
        )


@hookimpl
def helpdesk_may_reopen(user, case):
    return True  # "Natürlich können auch bereits geschlossene Tickets ... wiedereröffnet werden"


@hookimpl
def helpdesk_escalation_levels():
    return [
        EscalationLevel(Label("Teamleitung", "Team manager"), notify=("manager",)),
        EscalationLevel(
            Label("Geschäftsleitung", "Management"), notify=("management@vendor.example",)
        ),
    ]


# -- Business time: calendar, SLA targets, status timers (issue 6) --------------------


@hookimpl
def helpdesk_calendar():
    return BusinessCalendar(
        name="erp_portal",
        timezone="Europe/Berlin",
        hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ("08:00-12:00", "13:00-17:00")),
        country="DE",
    )


#: first response in business hours of a high-priority case by severity, else by priority
_HIGH_HOURS = {"stopped": 1, "impaired": 4}
_PRIORITY_HOURS = {"normal": 8, "low": 16}


@hookimpl
def helpdesk_response_target(case):
    if case.priority == "high":
        hours = _HIGH_HOURS.get(case.severity, _HIGH_HOURS["impaired"])
    else:
        hours = _PRIORITY_HOURS.get(case.priority, _PRIORITY_HOURS["normal"])
    return ResponseTarget(hours, 2 * hours, Unit.BUSINESS_HOURS)


@hookimpl
def helpdesk_status_timers():
    return [
        Timer(
            "waiting_for_customer_info", 5, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"
        ),
        Timer(
            "waiting_for_customer_info", 5, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"
        ),
    ]


#: Why the AVV matters, in the document's words where it has them.
MISSING_AGREEMENT = Label(
    "Mit Ihrer Organisation ist noch kein Auftragsverarbeitungsvertrag (AVV) geschlossen. "
    "Ohne AVV dürfen wir seit Inkrafttreten der DSGVO streng genommen keine Daten von Ihnen "
    "einsehen, und auch Online-Support ist ohne AVV nicht rechtens. Bitte laden Sie den auf "
    "Sie ausgestellten Vertrag unter „Verträge und Dokumente“ herunter und senden Sie ihn "
    "unterschrieben zurück.",
    "Your organisation has not concluded a data-processing agreement (AVV) with us yet. "
    "Under the GDPR we may strictly speaking not look at your data without one, and online "
    "support is not lawful without it either. Please download the agreement made out to you "
    "under “Contracts and documents” and send it back signed.",
)
EXPIRED_CONTRACT = Label(
    "Ihr Wartungsvertrag ist abgelaufen. Bitte wenden Sie sich an uns, um ihn zu verlängern.",
    "Your maintenance contract has expired. Please contact us to renew it.",
)


@hookimpl
def helpdesk_new_case_notices(standing):
    notices = []
    if standing.agreement in ("none", "issued"):  # once signed, the customer has done theirs
        notices.append(CaseNotice(MISSING_AGREEMENT))
    if standing.expired and not standing.active:
        notices.append(CaseNotice(EXPIRED_CONTRACT))
    return notices


@hookimpl
def helpdesk_document_pages(organisation):
    from helpdesk.contracts.policy import DocumentPage

    return [
        DocumentPage(
            "contracts-and-avv",
            Label("Ihre Verträge und der AVV", "Your contracts and the AVV"),
            Label(
                "Hier sehen Sie die zwischen Ihnen und uns geschlossenen Pflege- und "
                "Auftragsverarbeitungsverträge. Haben Sie noch keinen "
                "Auftragsverarbeitungsvertrag (AVV) mit uns geschlossen, finden Sie unten "
                "einen auf Sie ausgestellten Blankovertrag: Bitte laden Sie ihn herunter und "
                "senden Sie ihn unterschrieben zurück. Sobald er uns vorliegt, ersetzen wir ihn "
                "durch die von uns gegengezeichnete Version.",
                "Here you see the maintenance and data-processing agreements between you and "
                "us. If you have not concluded a data-processing agreement (AVV) with us yet, "
                "you find a blank made out to you below: please download it and send it back "
                "signed. As soon as we have it, we replace it with the version we countersigned.",
            ),
        )
    ]
