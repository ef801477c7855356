"""Policy of an ERP vendor's customer-service handbook (seed 000).

What the handbook fixes and this plugin takes over unchanged:

- the 23 case types of its "Fall-Typen" table, "general request" first and preselected on
  the case form ("standardmäßig „Allgemeine Anfrage“ ausgewählt"); "general request" goes to
  the Support team, "consulting request" to the customer's own consulting team ("landen
  automatisch bei dem zugewiesenen Consultingteam");
- each customer's customer service manager ("Ihr Apteon-Ansprechpartner (Customer Service
  Manager / Kundenbetreuer)"): the organisation's ``account_manager``, set on its admin page.
  The core tells the responsible manager at once of a critical case and makes them the first
  escalation level ("Der verantwortliche Customer Service Manager wird sofort
  benachrichtigt"); without one, the managers of the case's team;
- "Supportanfragen sind ausschließlich über das Portal zuzustellen": mail opens no case
  (``helpdesk_mail_opens_cases``); the sender gets a polite answer pointing to the portal;
- the four severities with their definitions; "Kritisch" and "Dringend" ask for an impact
  justification;
- the status "pending closure" (Schließung ausstehend): support thinks the problem is solved
  and waits for the customer's confirmation;
- the report details beyond the core checklist: troubleshooting done before contacting support
  and related third-party products.

Choices made where the handbook gives no detail:

- Priorities: the case form shows a field "Priorität" with the value "Mittel", but no list. We
  use Hoch / Mittel / Niedrig (high / medium / low). Kritisch and Dringend give high, Standard
  medium, Gering low; the types "cloud outage" and "security risk" are always high. The
  contract class is not used: the handbook only says individual agreements may differ.
- Statuses: only "pending closure" is defined. Around it we use New, In progress, Waiting for
  customer (support has answered; 7 days without reply move the case to pending closure),
  With development (support, consulting and development work together) and Closed. The
  customer may set "closed" (confirms the solution) and "in progress" (reopens within 14 days).
- Routing: besides "consulting request", the types "services" and "training request" also go
  to the customer's consulting team, because the handbook has both ordered as paid services
  through a consulting request. A customer without a team of its own (``account_team`` on the
  organisation's admin page) goes to the Consulting team. Everything else goes to Support.
- Report fields: "Thema" (topic) is a core field of the case form (CASE-2), so it is not
  repeated here. The two extra fields are asked for the technical case types only.
- Demo products: an ERP system with its modules, an EDI connector and cloud hosting, with
  neutral names; the demo data adds one consultant so the Consulting team is not empty.

Closing, survey and escalation (FLOW-4 to FLOW-6):

- Reopening: "können Sie innerhalb von 14 Tagen den gleichen Fall wiedereröffnen ... Danach
  muss ein neuer Fall eröffnet werden". The 14 days run from "pending closure", not from
  closing: the sentence follows the one that moves the case to pending closure, and the
  status table gives pending closure the same 14 days before it closes by itself, so the
  customer's window and the case's wait are one period. A case closed without passing
  through pending closure counts from its closing. After that a linked follow-up case is
  opened. A case pending closure can always be rejected.
- The survey goes out when a case is closed (the core does that for every vendor).
- The four escalation levels of "Fall-Eskalationen": lead customer service manager (the
  managers of the case's team), senior customer service manager, director customer service
  and COO. The handbook names roles, not addresses: the three addresses are invented
  (``*@vendor.example``); the vendor sets its own. A critical case notifies the responsible
  manager at once (the first level).

Business time (SLA-1..3, FLOW-3):

- Calendar as the handbook's "Betriebszeiten": Monday to Thursday 08:00-17:00, Friday
  08:00-14:00 Vienna time, Austrian public holidays and 24 and 31 December.
- Timers as "Schließen eines Supportfalls": 7 days (calendar days: the handbook says "Tage")
  waiting for the customer move the case to pending closure with a mail; 14 more days without
  an answer close it with a mail. Reopening within 14 days of pending closure is allowed,
  afterwards a follow-up case (``helpdesk_may_reopen``); a customer answer to pending closure
  reopens.
- Response targets: the handbook refers to a table of response times it does not contain, so
  the numbers are ours, in business hours: first response Kritisch 2 h, Dringend 4 h,
  Standard 8 h, Gering 16 h; next response twice those. A case of high priority gets at most
  Dringend's 4 h, so a cloud outage or security risk (always high) of a lower severity is
  answered as high priority is.
"""

from datetime import timedelta

from helpdesk.accounts.models import Kind, User
from helpdesk.cases.models import Event, EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    CaseType,
    Category,
    EscalationLevel,
    FormField,
    Label,
    Priority,
    ProductSpec,
    Route,
    Severity,
    Status,
)
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, Timer, Unit
from helpdesk.timeutil import utcnow

# key, German label, English label, German definition, English definition
_TYPES = [
    (
        "general_request",
        "Allgemeine Anfrage",
        "General request",
        "Allgemeine Frage zu einem eingesetzten Produkt/Modul/Prozess.",
        "General question about a product, module or process in use.",
    ),
    (
        "consulting_request",
        "Consultinganfrage/Anpassung",
        "Consulting request/customisation",
        "In Zusammenhang mit einer Anpassung/einem Customizing.",
        "Related to an adaptation or customisation.",
    ),
    (
        "support_center",
        "Support Center",
        "Support center",
        "Ein Problem mit dem Customer Service Portal.",
        "A problem with the customer service portal.",
    ),
    (
        "cloud",
        "Cloud",
        "Cloud",
        "Ein Anwendungsproblem in der Cloud-Hosting-Umgebung.",
        "An application problem in the cloud hosting environment.",
    ),
    (
        "cloud_outage",
        "Cloud Ausfall",
        "Cloud outage",
        "Die Applikation ist in der Cloud nicht erreichbar.",
        "The application cannot be reached in the cloud.",
    ),
    (
        "documentation",
        "Dokumentation",
        "Documentation",
        "Im Zusammenhang mit der Produktdokumentation.",
        "Related to the product documentation.",
    ),
    (
        "edi",
        "EDI",
        "EDI",
        "Probleme mit oder Anforderungen an neue EDI-Funktionen.",
        "Problems with, or requirements for new, EDI functions.",
    ),
    (
        "extension_request",
        "Erweiterungsanfrage",
        "Extension request",
        "Kundenspezifische Erweiterungsanfragen für ein Produkt.",
        "Customer-specific extension requests for a product.",
    ),
    (
        "question",
        "Frage",
        "Question",
        "Eine Frage zu nicht eingesetzten Produkten/Modulen/Prozessen.",
        "A question about products, modules or processes not in use.",
    ),
    (
        "feature_request",
        "Funktionsanfrage",
        "Feature request",
        "Funktionsanfrage für die Standardsoftware.",
        "Request for a feature of the standard software.",
    ),
    (
        "hardware",
        "Hardware",
        "Hardware",
        "Ein Hardware-Problem des Kunden.",
        "A hardware problem of the customer.",
    ),
    (
        "infrastructure",
        "Infrastruktur",
        "Infrastructure",
        "In Zusammenhang mit der Systemumgebung des Kunden.",
        "Related to the customer's system environment.",
    ),
    (
        "installation",
        "Installation",
        "Installation",
        "Ein Installationsproblem oder eine Frage dazu.",
        "An installation problem or a question about installing.",
    ),
    (
        "knowledge_base_suggestion",
        "Knowledgebase Vorschlag",
        "Knowledge base suggestion",
        "Ein Vorschlag für eine Ergänzung der Wissensdatenbank.",
        "A suggestion for an addition to the knowledge base.",
    ),
    (
        "contact_request",
        "Kontaktanfrage",
        "Contact request",
        "Eine allgemeine Kontaktanfrage zu einem bestimmten Thema.",
        "A general request to be contacted about a particular topic.",
    ),
    (
        "licence_request",
        "Lizenzanfrage",
        "Licence request",
        "Anfrage für eine neue Lizenz für ein Produkt.",
        "Request for a new licence for a product.",
    ),
    (
        "performance",
        "Performance",
        "Performance",
        "Performance-/Laufzeitprobleme in der produktiven Umgebung.",
        "Performance or run-time problems in the production environment.",
    ),
    (
        "product_problem",
        "Produktproblem",
        "Product problem",
        "Ein Problem oder Anliegen bezüglich der Verwendung eines Produkts.",
        "A problem or concern with the use of a product.",
    ),
    (
        "training_request",
        "Schulungsanfrage",
        "Training request",
        "In Zusammenhang mit Weiterbildungen und/oder Schulungsangeboten.",
        "Related to further education or training offers.",
    ),
    (
        "services",
        "Services/Dienstleistungen",
        "Services",
        "Problem, Anliegen oder Anfrage zu beratenden Dienstleistungen.",
        "A problem, concern or request about consulting services.",
    ),
    (
        "security_risk",
        "Sicherheitsrisiko",
        "Security risk",
        "Gefahr eines Sicherheitsrisikos ist gegeben.",
        "There is a danger of a security risk.",
    ),
    (
        "improvement",
        "Verbesserung",
        "Improvement",
        "Verbesserungsmöglichkeiten der Standardsoftware für bestehende Funktionalitäten.",
        "Ways to improve existing functions of the standard software.",
    ),
    (
        "sales_request",
        "Vertriebsanfrage",
        "Sales request",
        "Allgemeine Vertriebsanfrage.",
        "General sales enquiry.",
    ),
]

CONSULTING_TYPES = frozenset({"consulting_request", "services", "training_request"})
ALWAYS_HIGH_TYPES = frozenset({"cloud_outage", "security_risk"})
TECHNICAL_TYPES = frozenset(
    {
        "general_request",
        "cloud",
        "cloud_outage",
        "edi",
        "hardware",
        "infrastructure",
        "installation",
        "performance",
        "product_problem",
        "security_risk",
        "support_center",
    }
)


@hookimpl
def helpdesk_case_types():
    return [
        CaseType(
            key,
            Label(de, en),
            description=Label(de_text, en_text),
            preselected=key == "general_request",
        )
        for key, de, en, de_text, en_text in _TYPES
    ]


@hookimpl
def helpdesk_severities():
    return [
        Severity(
            "critical",
            Label("Kritisch", "Critical"),
            Label(
                "System ausgefallen, Zugriff auf das System nicht möglich oder wichtige "
                "Geschäftsprozesse sind betroffen",
                "System down, no access to the system, or important business processes are "
                "affected",
            ),
            needs_impact=True,
        ),
        Severity(
            "urgent",
            Label("Dringend", "Urgent"),
            Label(
                "Produktionsfunktionalität funktioniert nicht; kritische Geschäftsprozesse "
                "betroffen",
                "Production functionality does not work; critical business processes affected",
            ),
            needs_impact=True,
        ),
        Severity(
            "standard",
            Label("Standard", "Standard"),
            Label(
                "Geschäft mäßig beeinträchtigt, Benutzer können arbeiten; Effizienz ist "
                "beeinträchtigt",
                "Business moderately impaired, users can work; efficiency is impaired",
            ),
        ),
        Severity(
            "minor",
            Label("Gering", "Minor"),
            Label(
                "Geschäft nicht wesentlich beeinträchtigt; das Problem ist lästig oder eine "
                "Verbesserung",
                "Business not significantly impaired; the problem is a nuisance or an improvement",
            ),
        ),
    ]


@hookimpl
def helpdesk_priorities():
    return [
        Priority("high", Label("Hoch", "High")),
        Priority("medium", Label("Mittel", "Medium")),
        Priority("low", Label("Niedrig", "Low")),
    ]


@hookimpl
def helpdesk_priority_for(case_type, severity, contract_class):
    if case_type in ALWAYS_HIGH_TYPES:
        return "high"
    return {"critical": "high", "urgent": "high", "minor": "low"}.get(severity, "medium")


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
            "waiting_for_customer",
            Label("Warten auf Kunde", "Waiting for customer"),
            Category.WAITING,
            waiting_for=Label(
                "Ihre Antwort auf die vom Customer Service bereitgestellten Informationen",
                "your answer to the information customer service has provided",
            ),
        ),
        Status(
            "with_development",
            Label("In Entwicklung", "With development"),
            Category.DEVELOPMENT,
        ),
        Status(
            "pending_closure",
            Label("Schließung ausstehend", "Pending closure"),
            Category.SOLVED,
        ),
        Status(
            "closed",
            Label("Geschlossen", "Closed"),
            Category.CLOSED,
            customer_may_set=True,
        ),
    ]


@hookimpl
def helpdesk_teams():
    return [
        ("support", Label("Support", "Support")),
        ("consulting", Label("Consulting", "Consulting")),
    ]


@hookimpl
def helpdesk_route_case(case_type, requester):
    if case_type not in CONSULTING_TYPES:
        return Route(team="support")
    own_team = requester.organisation.account_team  # "dem zugewiesenen Consultingteam"
    return Route(team=own_team.key if own_team is not None else "consulting")


@hookimpl
def helpdesk_mail_opens_cases():
    return False  # "Supportanfragen sind ausschließlich über das Portal zuzustellen"


@hookimpl
def helpdesk_case_form_fields(product, case_type):
    if case_type not in TECHNICAL_TYPES:
        return []
    return [
        FormField(
            "troubleshooting_done",
            Label("Bereits durchgeführte Untersuchung", "Troubleshooting already done"),
            kind="textarea",
            help=Label(
                "Untersuchungs- und Fehlerbehebungsschritte vor der Kontaktaufnahme, z. B. "
                "Konfiguration, Pfade und Zugriffe geprüft, Versionshinweise gelesen.",
                "Investigation and troubleshooting before contacting us, e.g. configuration, "
                "paths and access checked, release notes read.",
            ),
        ),
        FormField(
            "third_party_products",
            Label("Zugehörige Produkte von Drittanbietern", "Related third-party products"),
        ),
    ]


@hookimpl
def helpdesk_demo_products():
    return [
        ProductSpec(
            "erp",
            "ERP Business",
            versions=("2022.2", "2023.1", "2023.2", "2024.1"),
            components=(
                ("finance", "Finanzbuchhaltung"),
                ("sales", "Verkauf"),
                ("purchasing", "Einkauf"),
                ("inventory", "Lager & Logistik"),
                ("production", "Produktion"),
                ("reporting", "Berichtswesen"),
            ),
        ),
        ProductSpec(
            "edi",
            "EDI Connector",
            versions=("3.4", "4.0"),
            components=(("orders", "Bestellungen"), ("invoices", "Rechnungen")),
        ),
        ProductSpec(
            "cloud",
            "Cloud Hosting",
            versions=("current",),
            components=(("access", "Zugang"), ("backup", "Datensicherung")),
        ),
    ]


@hookimpl
def helpdesk_demo_data(teams):
    colleague = User.get_or_none(User.kind == Kind.AGENT)
    User.create(
        email="clara.consulting@vendor.example",
        name="Clara Consulting",
        password_hash=colleague.password_hash if colleague else None,
        kind=Kind.AGENT,
        team=teams["consulting"],
        support_level=2,
    )


#: How long after closing the customer may reopen the same case ("innerhalb von 14 Tagen").
REOPEN_DAYS = 14


@hookimpl
def helpdesk_may_reopen(user, case):
    if case.status_category == Category.SOLVED:
        return True
    return utcnow() - _reopen_window_start(case) <= timedelta(days=REOPEN_DAYS)


def _reopen_window_start(case):
    """When the closed ``case`` went to pending closure, if that is how it came to be closed;
    else when it was closed."""
    from helpdesk.cases.closing import closed_at

    moves = list(
        Event.select(Event.new_value, Event.created_at)
        .where((Event.case == case.id) & (Event.kind == EventKind.STATUS))
        .order_by(Event.id.desc())
        .limit(2)
    )
    if len(moves) == 2 and moves[1].new_value == "pending_closure":
        return moves[1].created_at
    return closed_at(case)


@hookimpl
def helpdesk_escalation_levels():
    return [
        EscalationLevel(
            Label("Lead Customer Service Manager", "Lead customer service manager"),
            notify=("manager",),
        ),
        EscalationLevel(
            Label("Senior Customer Service Manager", "Senior customer service manager"),
            notify=("senior.csm@vendor.example",),
        ),
        EscalationLevel(
            Label("Director Customer Service DACH", "Director customer service DACH"),
            notify=("director.cs@vendor.example",),
        ),
        EscalationLevel(
            Label("Chief Operating Officer (COO)", "Chief operating officer (COO)"),
            notify=("coo@vendor.example",),
        ),
    ]


# -- Business time: calendar, SLA targets, status timers (issue 6) --------------------


@hookimpl
def helpdesk_calendar():
    return BusinessCalendar(
        name="erp_handbook",
        timezone="Europe/Vienna",
        hours={
            "mon": "08:00-17:00",
            "tue": "08:00-17:00",
            "wed": "08:00-17:00",
            "thu": "08:00-17:00",
            "fri": "08:00-14:00",
        },
        country="AT",
        closed_yearly=("12-24", "12-31"),
    )


#: first response in business hours by severity (next response: twice)
_TARGET_HOURS = {"critical": 2, "urgent": 4, "standard": 8, "minor": 16}


@hookimpl
def helpdesk_response_target(case):
    hours = _TARGET_HOURS.get(case.severity, _TARGET_HOURS["standard"])
    if case.priority == "high":
        hours = min(hours, _TARGET_HOURS["urgent"])
    return ResponseTarget(hours, 2 * hours, Unit.BUSINESS_HOURS)


@hookimpl
def helpdesk_status_timers():
    return [
        Timer(
            "waiting_for_customer",
            7,
            Unit.DAYS,
            Action.MOVE,
            to_status="pending_closure",
            mail="timer_pending_closure",
        ),
        Timer("pending_closure", 14, Unit.DAYS, Action.CLOSE, mail="timer_closed"),
    ]


@hookimpl
def helpdesk_knowledge():
    """Seed 000: knowledge base, learning center and product information; newsletters and
    technical warnings are the core's announcement kinds, webinars are the handbook's own."""
    from helpdesk.knowledge.announcements import AnnouncementKind
    from helpdesk.knowledge.extensions import KnowledgeCategory

    return {
        "categories": [
            KnowledgeCategory("knowledge-base", "Wissensdatenbank", "Knowledge base"),
            KnowledgeCategory("learning-center", "Learning Center", "Learning center"),
            KnowledgeCategory("product-information", "Produktinformationen", "Product information"),
        ],
        "announcement_kinds": [AnnouncementKind("webinar", Label("Webinar", "Webinar"))],
    }
