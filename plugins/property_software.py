"""Policy of a property-software vendor's service portal, run on a hosted ticket tool (seed 002).

What the document fixes and this plugin takes over:

- the request types (Anfragetyp) and their priorities: user help low, fault normal, product
  requirement normal, urgency high; the request type alone decides;
- the statuses New, Open, Waiting, Open (in development), Solved and Closed;
- "for different products and request types there are special forms": see the form fields;
- the web form asks for request type and topic; a mail opens a "user help" case (the core's
  inbound mail, MAIL-3). The document says "with standard priority"; we read that as the
  standard priority of user help, which its table gives as low.

Choices made where the document gives no detail:

- Severities: the document has none, the request type "urgency" takes their place. There is
  one severity, "standard", so the case form has nothing to choose.
- Teams and routing: application support for the product questions, technical support for the
  component "general / technical help" (the document's second form is for technical
  questions), product management for product requirements. "vollständig ausgefülltes Ticket
  => wird direkt einem Bearbeiter zugewiesen": a ticket with version, component and every
  field of its special form filled goes to the team's agent with the fewest open tickets and
  starts "Offen" ("Ticket wurde einem Mitarbeiter zugeordnet"); any other (and every mail)
  starts "Neu" and "wartet auf Zuweisung".
- Approvers: main contacts and administrators are "Genehmiger für die Freigabe von Aufträgen
  und Änderungen". The portal has no orders or quotes to release (they are agreed outside
  it), so the role has no step of its own here; what it gives them in the portal is the
  document's "Hauptansprechpartner und Administratoren dürfen alle Tickets der Organisation
  sehen" (below). An approval step belongs with a later orders feature.
- Form fields: the ERP product asks for client and property number on every request except
  product requirements; faults ask for the installation kind (the help article is about
  client/server installations); product requirements ask for the business case, urgency for
  its reason (urgency is checked before a case is assigned).
- Demo products: a property-management ERP and a tenant portal, with neutral names.

Who sees what, as the document's "Zugriff" says: the organisation either lets all users see
all tickets, or only main contacts and administrators (the approvers) see all and everyone
else their own and those they follow; the portal admin of other vendors is no role here.
"Every end user can sign up" and then submits requests: every customer user of the
organisation may open cases, not only support-authorised ones. No correspondence rule.

Closing and releases (FLOW-4, FLOW-7): a solved ticket is reopened by the customer (the
rejected solution), a closed one only through a follow-up ticket. When the release of the
development item a ticket waits on is published, the ticket gets the announcement and moves
to Solved (closed 14 days later by the timers). The document names no escalation path; we
use one level, the managers of the ticket's team.

Business time (SLA-1..3, FLOW-3):

- Timers as the status table: Waiting reminds after 5 working days and, after 5 more, reminds
  once more and closes (one mail saying so); Solved closes 14 days later (calendar days, no
  mail: the document names none); a customer reply to Solved reopens (core behaviour).
- Calendar (the document names none): Monday to Friday 08:00-17:00 Berlin time with German
  public holidays; "working days" are its business days.
- Response targets (the document has none, only "updates are handled the same day"): first
  response within 8 business hours, next response within one business day (9 h).
"""

from helpdesk.accounts.models import CaseVisibility, CustomerRole
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    CaseType,
    Category,
    Choice,
    EscalationLevel,
    FormField,
    Label,
    MailCase,
    Priority,
    ProductSpec,
    Route,
    Severity,
    Status,
)
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, SlaPolicy, Timer, Unit

#: the document's table "Anfragetyp -> Priorität"
TYPE_PRIORITY = {
    "user_help": "low",
    "fault": "normal",
    "product_requirement": "normal",
    "urgency": "high",
}

ERP_PRODUCT = "property_erp"
TECHNICAL_COMPONENT = "technical"


@hookimpl
def helpdesk_case_types():
    return [
        CaseType(
            "user_help",
            Label("Anwenderhilfe", "User help"),
            Label("Fragen zur Bedienung des Programms.", "Questions about using the program."),
        ),
        CaseType(
            "fault",
            Label("Fehler/Störung", "Fault/disruption"),
            Label(
                "Das Programm arbeitet fehlerhaft oder ist gestört.",
                "The program works incorrectly or is disrupted.",
            ),
        ),
        CaseType(
            "product_requirement",
            Label("Produktanforderung", "Product requirement"),
            Label(
                "Ein Wunsch an die Weiterentwicklung des Produkts.",
                "A wish for the further development of the product.",
            ),
        ),
        CaseType(
            "urgency",
            Label("Dringlichkeit", "Urgency"),
            Label(
                "Ein dringender Sachverhalt; die Dringlichkeit wird geprüft.",
                "An urgent matter; the urgency is checked.",
            ),
        ),
    ]


@hookimpl
def helpdesk_severities():
    return [
        Severity(
            "standard",
            Label("Standard", "Standard"),
            Label(
                "Die Priorität ergibt sich aus dem Anfragetyp.",
                "The request type decides the priority.",
            ),
        )
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
    return TYPE_PRIORITY.get(case_type, "normal")


@hookimpl
def helpdesk_statuses():
    return [
        Status("new", Label("Neu", "New"), Category.NEW),
        Status("open", Label("Offen", "Open"), Category.OPEN),
        Status(
            "waiting",
            Label("Wartend", "Waiting"),
            Category.WAITING,
            waiting_for=Label(
                "Ihre Antwort auf die Rückfrage des Supports",
                "your answer to support's question",
            ),
        ),
        Status(
            "open_in_development",
            Label("Offen (in Entwicklung)", "Open (in development)"),
            Category.DEVELOPMENT,
        ),
        Status("solved", Label("Gelöst", "Solved"), Category.SOLVED),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED),
    ]


@hookimpl
def helpdesk_teams():
    return [
        ("support", Label("Anwendersupport", "Application support")),
        ("technical", Label("Technischer Support", "Technical support")),
        ("product_management", Label("Produktmanagement", "Product management")),
    ]


@hookimpl
def helpdesk_route_case(case_type, product, version, component, extra):
    if case_type == "product_requirement":
        team = "product_management"
    elif getattr(component, "key", None) == TECHNICAL_COMPONENT:
        team = "technical"
    else:
        team = "support"
    if _complete(product, version, component, case_type, extra):
        return Route(team=team, assign_in_team=True, status="open")
    return Route(team=team)


def _complete(product, version, component, case_type, extra) -> bool:
    """Whether the web form was filled completely: version, component and every field of the
    special form for this product and request type."""
    asked = helpdesk_case_form_fields(product, case_type)
    return (
        version is not None
        and component is not None
        and all(extra.get(field.key) not in (None, "", False) for field in asked)
    )


def _erp_fields():
    return [
        FormField(
            "client_number",
            Label("Mandant", "Client company"),
            help=Label(
                "Nummer des Mandanten, in dem der Sachverhalt auftritt.",
                "Number of the client company in which the matter occurs.",
            ),
        ),
        FormField(
            "property_number",
            Label("Objekt / Wirtschaftseinheit", "Property / economic unit"),
        ),
    ]


def _installation_field():
    return FormField(
        "installation",
        Label("Installationsart", "Kind of installation"),
        kind="select",
        choices=(
            Choice("single", Label("Einzelplatz", "Single workstation")),
            Choice("client_server", Label("Netzwerk (Client/Server)", "Network (client/server)")),
            Choice("terminal_server", Label("Terminalserver", "Terminal server")),
            Choice("hosted", Label("Rechenzentrum (gehostet)", "Data centre (hosted)")),
        ),
    )


@hookimpl
def helpdesk_case_form_fields(product, case_type):
    fields = []
    if getattr(product, "key", None) == ERP_PRODUCT and case_type != "product_requirement":
        fields += _erp_fields()
    if case_type == "fault":
        fields.append(_installation_field())
    elif case_type == "product_requirement":
        fields.append(
            FormField(
                "business_case",
                Label("Nutzen und Geschäftsfall", "Benefit and business case"),
                kind="textarea",
                required=True,
                help=Label(
                    "Welcher Ablauf würde besser, und für wen?",
                    "Which process would improve, and for whom?",
                ),
            )
        )
    elif case_type == "urgency":
        fields.append(
            FormField(
                "urgency_reason",
                Label("Begründung der Dringlichkeit", "Reason for the urgency"),
                kind="textarea",
                required=True,
                help=Label(
                    "Zum Beispiel eine Frist, ein Abschluss oder eine Abrechnung, die ansteht.",
                    "For example a deadline, a closing or a statement that is due.",
                ),
            )
        )
    return fields


@hookimpl
def helpdesk_sees_all_organisation_cases(user):
    if user.organisation.case_visibility == CaseVisibility.EVERYONE:
        return True
    return user.customer_role in (CustomerRole.MAIN_CONTACT, CustomerRole.ADMINISTRATOR)


@hookimpl
def helpdesk_may_open_case(user):
    return True


@hookimpl
def helpdesk_demo_products():
    return [
        ProductSpec(
            ERP_PRODUCT,
            "Hausverwaltung ERP",
            versions=("7.2", "7.3", "8.0"),
            components=(
                ("tenancy", "Mietverwaltung"),
                ("owners", "WEG-Verwaltung"),
                ("accounting", "Finanzbuchhaltung"),
                ("operating_costs", "Betriebskostenabrechnung"),
                ("dunning", "Mahnwesen"),
                (TECHNICAL_COMPONENT, "Allgemein / Technische Hilfe"),
            ),
        ),
        ProductSpec(
            "tenant_portal",
            "Mieterportal",
            versions=("2025.4", "2026.1"),
            components=(
                ("portal", "Portal"),
                ("app", "Mieter-App"),
                (TECHNICAL_COMPONENT, "Allgemein / Technische Hilfe"),
            ),
        ),
    ]


@hookimpl
def helpdesk_may_reopen(user, case):
    return case.status_category == Category.SOLVED


@hookimpl
def helpdesk_release_published_status(case):
    return "solved"


@hookimpl
def helpdesk_escalation_levels():
    return [EscalationLevel(Label("Teamleitung", "Team manager"), notify=("manager",))]


# -- Business time: calendar, SLA targets, status timers (issue 6) --------------------


@hookimpl
def helpdesk_calendar():
    return BusinessCalendar(
        name="property_software",
        timezone="Europe/Berlin",
        hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00"),
        country="DE",
    )


@hookimpl
def helpdesk_sla_policy():
    return SlaPolicy(default=ResponseTarget(8 * 60, 9 * 60))


@hookimpl
def helpdesk_status_timers():
    return [
        Timer("waiting", 5, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"),
        Timer("waiting", 5, Unit.BUSINESS_DAYS, Action.CLOSE, mail="timer_last_reminder"),
        Timer("solved", 14, Unit.DAYS, Action.CLOSE),
    ]


@hookimpl
def helpdesk_mail_case(sender, subject):
    # "A mail opens a user help case with standard priority" (seed 002).
    return MailCase("user_help", "standard")


@hookimpl
def helpdesk_knowledge():
    """Seed 002: help-center articles found by keyword search and suggested while a ticket is
    written (the core's search and suggestions); the help center's sections."""
    from helpdesk.knowledge.extensions import KnowledgeCategory

    return {
        "categories": [
            KnowledgeCategory("help-center", "Hilfe-Center", "Help center"),
            KnowledgeCategory("faq", "Häufige Fragen", "Frequently asked questions", True),
        ],
    }
