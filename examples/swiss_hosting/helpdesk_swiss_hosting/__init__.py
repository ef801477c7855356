"""Support policy of a Swiss web-hosting company: the sixth vendor plugin, in a package of its own.

Written from the README and ``docs/plugins.md`` alone; the portal finds it by its entry point
(group ``helpdesk``, name ``swiss_hosting``) once the package is installed. What the policy
fixes (issue 13):

- business hours Monday to Friday 07:30-18:00 Europe/Zurich; Swiss public holidays, plus
  2 January (Berchtoldstag) and 26 December (Stephanstag) closed in every case;
- case types outage, degraded performance, configuration question, billing, feature request;
- priorities P1 to P4 by type and contract class; billing goes to the billing team;
- first-response targets by priority: P1 30 business minutes, P4 3 business days;
- a maintenance on-hold status that pauses the response clock;
- waiting for the customer: a reminder after 2 business days, closed after 3 more;
- resolved: closed after 7 days.

Choices made where the policy gives no detail (invented, say so to the vendor):

- Canton: Zurich (``subdivision="ZH"``), so Good Friday, Easter Monday, 1 May, Ascension, Whit
  Monday, 1 August, 25 and 26 December are closed; 2 January is added as the policy asks
  (Zurich has no Berchtoldstag of its own in the ``holidays`` package).
- Contract classes: Premium and Standard. A customer without a contract is handled like
  Standard.
- Priorities: outage P1 under Premium, else P2; degraded performance P2 under Premium, else
  P3; configuration question P3 under Premium, else P4; billing P3; feature request P4. The
  severity does not change the priority (the policy ties it to type and contract only); the
  core's severities are kept.
- Targets: P2 2 business hours and P3 1 business day are ours. A business day is the
  calendar's full day, 10.5 hours: "3 business days" from Monday 10:00 is Thursday 10:00,
  and a case opened on a weekend is due at the end of the third business day. The next
  response has the same target as the first (the policy names first responses only).
- Statuses: New, In progress, Waiting for customer, Maintenance (on hold until a maintenance
  window: core category hold, which pauses the clock), Resolved, Closed. The customer may
  close a resolved case.
- Timer mails: the core's reminder and closing mails.
"""

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    CaseType,
    Category,
    ContractClass,
    Label,
    Priority,
    ProductSpec,
    Route,
    Status,
)
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, Timer, Unit

#: case type -> priority under a Premium contract, under Standard or none
PRIORITIES = {
    "outage": ("p1", "p2"),
    "degraded": ("p2", "p3"),
    "configuration": ("p3", "p4"),
    "billing": ("p3", "p3"),
    "feature_request": ("p4", "p4"),
}

#: first (and next) response target by priority
TARGETS = {
    "p1": ResponseTarget(30, 30, Unit.BUSINESS_MINUTES),
    "p2": ResponseTarget(2, 2, Unit.BUSINESS_HOURS),
    "p3": ResponseTarget(1, 1, Unit.BUSINESS_DAYS),
    "p4": ResponseTarget(3, 3, Unit.BUSINESS_DAYS),
}

CALENDAR = BusinessCalendar(
    name="swiss_hosting",
    timezone="Europe/Zurich",
    hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "07:30-18:00"),
    country="CH",
    subdivision="ZH",
    closed_yearly=("01-02", "12-26"),
)


@hookimpl
def helpdesk_case_types():
    return [
        CaseType(
            "outage",
            Label("Ausfall", "Outage"),
            Label("Website, Mail oder Server nicht erreichbar.", "Website, mail or server down."),
        ),
        CaseType(
            "degraded",
            Label("Eingeschränkte Leistung", "Degraded performance"),
            Label("Erreichbar, aber langsam oder fehlerhaft.", "Reachable, but slow or faulty."),
        ),
        CaseType("configuration", Label("Konfigurationsfrage", "Configuration question")),
        CaseType("billing", Label("Rechnung", "Billing")),
        CaseType("feature_request", Label("Funktionswunsch", "Feature request")),
    ]


@hookimpl
def helpdesk_priorities():
    return [
        Priority("p1", Label("P1 – kritisch", "P1 – critical")),
        Priority("p2", Label("P2 – hoch", "P2 – high")),
        Priority("p3", Label("P3 – normal", "P3 – normal")),
        Priority("p4", Label("P4 – niedrig", "P4 – low")),
    ]


@hookimpl
def helpdesk_contract_classes():
    return [
        ContractClass("premium", Label("Premium-Vertrag", "Premium contract")),
        ContractClass("standard", Label("Standardvertrag", "Standard contract")),
    ]


@hookimpl
def helpdesk_priority_for(case_type, contract_class):
    premium, other = PRIORITIES[case_type]
    return premium if contract_class == "premium" else other


@hookimpl
def helpdesk_statuses():
    return [
        Status("new", Label("Neu", "New"), Category.NEW),
        Status("in_progress", Label("In Bearbeitung", "In progress"), Category.OPEN),
        Status(
            "waiting",
            Label("Wartet auf Kunde", "Waiting for customer"),
            Category.WAITING,
            waiting_for=Label("Ihre Rückmeldung", "your reply"),
        ),
        Status(
            "maintenance",
            Label("Wartung", "Maintenance"),
            Category.HOLD,
            waiting_for=Label("das nächste Wartungsfenster", "the next maintenance window"),
        ),
        Status("resolved", Label("Gelöst", "Resolved"), Category.SOLVED),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED, customer_may_set=True),
    ]


@hookimpl
def helpdesk_teams():
    return [("support", Label("Support", "Support")), ("billing", Label("Buchhaltung", "Billing"))]


@hookimpl
def helpdesk_route_case(case_type):
    return Route(team="billing" if case_type == "billing" else "support")


@hookimpl
def helpdesk_calendar():
    return CALENDAR


@hookimpl
def helpdesk_response_target(case):
    return TARGETS.get(case.priority)  # None: a priority of old, the core decides


@hookimpl
def helpdesk_status_timers():
    return [
        Timer("waiting", 2, Unit.BUSINESS_DAYS, Action.REMIND, mail="timer_reminder"),
        Timer("waiting", 3, Unit.BUSINESS_DAYS, Action.CLOSE, mail="timer_last_reminder"),
        Timer("resolved", 7, Unit.DAYS, Action.CLOSE),
    ]


@hookimpl
def helpdesk_demo_products():
    """Two hosting products, so that the demo of this policy has something to open cases for."""
    return [
        ProductSpec(
            "webhosting",
            "Webhosting",
            versions=("Basic", "Business"),
            components=(("mail", "E-Mail"), ("web", "Webserver"), ("dns", "DNS")),
        ),
        ProductSpec(
            "managed-server",
            "Managed Server",
            versions=("2025", "2026"),
            components=(("os", "Betriebssystem"), ("database", "Datenbank"), ("backup", "Backup")),
        ),
    ]
