"""Policy of a CRM integrator's ITIL-oriented support process (seed 003).

What the document fixes and the core already provides: the report checklist (symptom, who is
affected, expected behaviour, steps, recent changes), every channel ending as a ticket, first,
second and third level support keeping everything gathered, and the customer seeing the
history and adding findings at any time. This plugin adds the vocabulary. The document's FAQ
management for self-help is not yet there: it comes with the core's knowledge base.

Choices made where the document gives no detail (it names no types, severities, priorities,
statuses or teams, only that the process follows ITIL):

- Case types after ITIL: incident (the software misbehaves), question about the CRM solution,
  service request and change request.
- Severities from the document's question "are single users affected or all?": standstill for
  all users, major (many users or a core process), limited (single users), minor. The two
  highest ask for an impact justification (CASE-2).
- Priorities P1 to P4. An incident's priority follows its severity one to one; every other
  type is one level lower (never below P4). The contract class is not used.
- Statuses: New, In progress, Waiting for customer (what support waits for: the report
  details), Code fix (third level: the solution lies in the program code), Resolved, Closed.
- Teams: the CRM support team takes incidents, questions and service requests; change
  requests go to the project and consulting team, as customising is integrator's work.
- Demo products: a CRM suite with its modules and the integrator's interfaces, neutral names.

Support levels and closing (FLOW-4, FLOW-6): first, second and third level support, all in
the CRM support team (the document gives the levels no teams of their own); each handover
keeps the whole ticket. The document names no reopen window or escalation path: a resolved
or closed ticket can be reopened within 30 days, and escalation has one level, the managers
of the ticket's team.

Business time (SLA-1..3, FLOW-3), all our choices (the document names no times):

- Calendar: Monday to Friday 08:00-18:00 Berlin time, German holidays.
- Response targets in business minutes, ITIL-like: first response Standstill 30, Major 120,
  Limited 480, Minor 960; next response twice those.
- Timers: waiting for customer reminds after 3 and again after 5 more business days, and
  closes (with a mail) 5 business days after that; Resolved closes after 10 business days.
"""

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
    SupportLevel,
)
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, SlaPolicy, Timer, Unit

PRIORITY_ORDER = ("p1", "p2", "p3", "p4")
SEVERITY_PRIORITY = {"standstill": "p1", "major": "p2", "limited": "p3", "minor": "p4"}


@hookimpl
def helpdesk_case_types():
    return [
        CaseType(
            "incident",
            Label("Störung", "Incident"),
            Label(
                "Die Software verhält sich fehlerhaft oder Abläufe stehen still.",
                "The software misbehaves or processes have come to a halt.",
            ),
        ),
        CaseType(
            "question",
            Label("Frage zur CRM-Lösung", "Question about the CRM solution"),
            Label("Wie setze ich etwas um?", "How do I do something?"),
        ),
        CaseType(
            "service_request",
            Label("Serviceanfrage", "Service request"),
            Label(
                "Eine Standardleistung, z. B. Benutzer anlegen oder Update einspielen.",
                "A standard service, e.g. creating users or installing an update.",
            ),
        ),
        CaseType(
            "change_request",
            Label("Änderungsanfrage", "Change request"),
            Label(
                "Eine Anpassung der Lösung, z. B. neue Felder oder Abläufe.",
                "An adaptation of the solution, e.g. new fields or processes.",
            ),
        ),
    ]


@hookimpl
def helpdesk_severities():
    return [
        Severity(
            "standstill",
            Label("Stillstand", "Standstill"),
            Label(
                "Alle Anwender betroffen, Abläufe stehen still.",
                "All users affected, processes have come to a halt.",
            ),
            needs_impact=True,
        ),
        Severity(
            "major",
            Label("Erheblich", "Major"),
            Label(
                "Viele Anwender oder ein Kernprozess betroffen.",
                "Many users or a core process affected.",
            ),
            needs_impact=True,
        ),
        Severity(
            "limited",
            Label("Eingeschränkt", "Limited"),
            Label(
                "Einzelne Anwender betroffen, Arbeit möglich.",
                "Single users affected, work is possible.",
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
        Priority("p1", Label("P1 – sehr hoch", "P1 – critical")),
        Priority("p2", Label("P2 – hoch", "P2 – high")),
        Priority("p3", Label("P3 – mittel", "P3 – medium")),
        Priority("p4", Label("P4 – niedrig", "P4 – low")),
    ]


@hookimpl
def helpdesk_priority_for(case_type, severity, contract_class):
    level = PRIORITY_ORDER.index(SEVERITY_PRIORITY.get(severity, "p3"))
    if case_type != "incident":
        level = min(level + 1, len(PRIORITY_ORDER) - 1)
    return PRIORITY_ORDER[level]


@hookimpl
def helpdesk_statuses():
    return [
        Status("new", Label("Neu", "New"), Category.NEW),
        Status("in_progress", Label("In Bearbeitung", "In progress"), Category.OPEN),
        Status(
            "waiting_for_customer",
            Label("Rückfrage an Sie", "Waiting for customer"),
            Category.WAITING,
            waiting_for=Label(
                "Ihre Angaben zum Fehlverhalten: Symptom, Betroffene, erwartetes Verhalten, "
                "Schritte und jüngste Änderungen",
                "your details of the misbehaviour: symptom, who is affected, expected "
                "behaviour, steps and recent changes",
            ),
        ),
        Status("code_fix", Label("Korrektur im Programmcode", "Code fix"), Category.DEVELOPMENT),
        Status("resolved", Label("Gelöst", "Resolved"), Category.SOLVED),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED),
    ]


@hookimpl
def helpdesk_teams():
    return [
        ("support", Label("CRM-Support", "CRM support")),
        ("projects", Label("Projekte & Beratung", "Projects & consulting")),
    ]


@hookimpl
def helpdesk_route_case(case_type, product, component):
    return Route(team="projects" if case_type == "change_request" else "support")


@hookimpl
def helpdesk_demo_products():
    return [
        ProductSpec(
            "crm",
            "CRM Suite",
            versions=("2024", "2025", "2026"),
            components=(
                ("contacts", "Adressen & Kontakte"),
                ("sales", "Vertrieb & Verkaufschancen"),
                ("service", "Service & Helpdesk"),
                ("marketing", "Kampagnen"),
                ("groupware", "E-Mail & Kalender"),
                ("web_client", "Web- & Mobile-Client"),
                ("rights", "Rechtekonzept"),
            ),
        ),
        ProductSpec(
            "interfaces",
            "Schnittstellen",
            versions=("2.1", "3.0"),
            components=(("erp", "ERP-Anbindung"), ("telephony", "Telefonie (CTI)")),
        ),
    ]


#: How long after resolving or closing a ticket can be reopened (our choice).
REOPEN_DAYS = 30


@hookimpl
def helpdesk_support_levels():
    return [
        SupportLevel(Label("First Level Support", "First level support"), team="support"),
        SupportLevel(Label("Second Level Support", "Second level support"), team="support"),
        SupportLevel(Label("Third Level Support", "Third level support"), team="support"),
    ]


@hookimpl
def helpdesk_may_reopen(user, case):
    from helpdesk.cases.closing import within_days

    return within_days(case, REOPEN_DAYS)


@hookimpl
def helpdesk_escalation_levels():
    return [EscalationLevel(Label("Teamleitung", "Team manager"), notify=("manager",))]


# -- Business time: calendar, SLA targets, status timers (issue 6) --------------------


@hookimpl
def helpdesk_calendar():
    return BusinessCalendar(
        name="crm_integrator",
        timezone="Europe/Berlin",
        hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-18:00"),
        country="DE",
    )


@hookimpl
def helpdesk_sla_policy():
    minutes = {"standstill": 30, "major": 120, "limited": 480, "minor": 960}
    return SlaPolicy(by_severity={key: ResponseTarget(m, 2 * m) for key, m in minutes.items()})


@hookimpl
def helpdesk_status_timers():
    waiting = "waiting_for_customer"
    return [
        Timer(waiting, 3, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"),
        Timer(waiting, 5, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"),
        Timer(waiting, 5, Unit.BUSINESS_DAYS, Action.CLOSE, mail="timer_last_reminder"),
        Timer("resolved", 10, Unit.BUSINESS_DAYS, Action.CLOSE),
    ]


@hookimpl
def helpdesk_knowledge():
    """Seed 003: FAQ management for self-help; a how-to follows the good report's parts."""
    from helpdesk.knowledge.extensions import ArticleTemplate, KnowledgeCategory

    return {
        "categories": [
            KnowledgeCategory("faq", "Häufige Fragen (FAQ)", "Frequently asked questions", True),
        ],
        "templates": [
            ArticleTemplate(
                "known-problem",
                Label("Bekanntes Problem", "Known problem"),
                body_de="## Symptom\n\n## Betroffen\n\n## Ursache\n\n## Lösung\n",
                body_en="## Symptom\n\n## Who is affected\n\n## Cause\n\n## Solution\n",
            )
        ],
    }
