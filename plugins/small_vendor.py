"""Policy of a small vendor's support terms (seed 004).

What the terms fix and this plugin takes over:

- the kinds of request: error, extension, improvement suggestion or help;
- "for an error, your priority (A, B or C according to the maintenance contract) matters":
  the customer states A, B or C, and the vendor works by that priority;
- the five statuses Open (a responsible person is set), Working, Hold (deferred by agreement
  with a resubmission date), Delivered (a solution is delivered or installed) and Closed (after
  the customer's release); a case is closed only when the customer agrees;
- remote support only with the customer's individual consent: a form field asks for it.

Choices made where the terms give no detail:

- Severities: the customer's stated priority takes the severity's place, "A", "B" and "C"
  with a short definition each (A: operation stopped, may mean night work at extra cost).
  A and B ask for an impact justification (CASE-2).
- Priority mapping: for an error, the stated priority, but never above the organisation's
  contract class (a class B contract gets at most B); without a contract, C. Extensions,
  improvement suggestions and help are always C: the terms tie the priority to errors.
- Status categories: Open is where cases start (core category new), Delivered is solved
  (waiting for the release), and only the customer may set Closed. "Open: ... Ein
  verantwortlicher Bearbeiter bei SoftMate ist festgelegt": a case gets its responsible person
  as it is opened, the customer's own contact at the vendor (``account_manager`` on the
  organisation's admin page) or else the support agent with the fewest open cases.
- Teams: Support, and the management the terms name for escalations.
- Demo products: an order-processing product and a time-tracking product, neutral names.

Closing and escalation (FLOW-4, FLOW-6):

- "Closed: after the customer's release": only the customer closes a case, by confirming the
  delivered solution; agents cannot choose Closed. A delivered case the customer rejects is
  reopened; a closed one gets a follow-up case (the terms say nothing about reopening).
- Escalation: one level, the management ("wenden Sie sich bitte direkt an die
  Geschäftsleitung"); the terms give phone numbers only, so the address is invented
  (``geschaeftsleitung@vendor.example``).

Business time (SLA-1..3, FLOW-3):

- Hold: the agent sets a resubmission date on the case; on that date (at the calendar's first
  opening) the case goes back to Working and its assignee gets a mail.
- Response targets by the effective priority (``helpdesk_response_target`` reads the case's
  priority: an extension with stated A under an A contract is priority C and gets the C
  target); the terms give no times, so ours, in business hours: A first response 1 h, next
  2 h; B 4 h and 8 h; C 16 h and 32 h. Without a contract, C.
- Priority A (only an A contract gets it) runs on a 24/7 calendar: the terms' "höhere Kosten
  wenn z. B. bei Prio A auch nachts an Ihrem Problem gearbeitet werden muss". B and C run on
  the business calendar.
- Calendar (the terms name none): Monday to Friday 08:00-17:00 Berlin time, German holidays.
- Contract classes: the maintenance contract's A, B and C ("Pflegevertrag A").
- No timer closes a case: the terms close a case only when the customer agrees.
"""

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    CaseType,
    Category,
    ContractClass,
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

CLASSES = ("A", "B", "C")


@hookimpl
def helpdesk_case_types():
    return [
        CaseType("error", Label("Fehler", "Error")),
        CaseType("extension", Label("Erweiterung", "Extension")),
        CaseType("improvement", Label("Verbesserungsvorschlag", "Improvement suggestion")),
        CaseType("help", Label("Hilfestellung", "Help")),
    ]


@hookimpl
def helpdesk_severities():
    return [
        Severity(
            "a",
            Label("A – Betrieb steht", "A – operation stopped"),
            Label(
                "Sofortige Bearbeitung, bei Bedarf auch nachts; dabei können höhere Kosten "
                "entstehen.",
                "Worked on at once, at night if need be; this may cost more.",
            ),
            needs_impact=True,
        ),
        Severity(
            "b",
            Label("B – Betrieb eingeschränkt", "B – operation impaired"),
            Label(
                "Bearbeitung vorrangig in der Geschäftszeit.",
                "Worked on with precedence during business hours.",
            ),
            needs_impact=True,
        ),
        Severity(
            "c",
            Label("C – geringe Auswirkung", "C – minor impact"),
            Label("Bearbeitung in der üblichen Reihenfolge.", "Worked on in the usual order."),
        ),
    ]


@hookimpl
def helpdesk_priorities():
    return [
        Priority("a", Label("Priorität A", "Priority A")),
        Priority("b", Label("Priorität B", "Priority B")),
        Priority("c", Label("Priorität C", "Priority C")),
    ]


@hookimpl
def helpdesk_contract_classes():
    return [
        ContractClass(key, Label(f"Pflegevertrag {key}", f"Maintenance contract {key}"))
        for key in CLASSES
    ]


@hookimpl
def helpdesk_priority_for(case_type, severity, contract_class):
    if case_type != "error" or contract_class not in CLASSES:
        return "c"
    stated = CLASSES.index(severity.upper()) if severity.upper() in CLASSES else 2
    return CLASSES[max(stated, CLASSES.index(contract_class))].lower()


@hookimpl
def helpdesk_statuses():
    return [
        Status("open", Label("Offen", "Open"), Category.NEW),
        Status("working", Label("In Arbeit", "Working"), Category.OPEN),
        Status("hold", Label("Zurückgestellt", "Hold"), Category.HOLD),
        Status("delivered", Label("Geliefert", "Delivered"), Category.SOLVED),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED, customer_may_set=True),
    ]


@hookimpl
def helpdesk_teams():
    return [
        ("support", Label("Support", "Support")),
        ("management", Label("Geschäftsleitung", "Management")),
    ]


@hookimpl
def helpdesk_route_case(requester):
    contact = requester.organisation.account_manager
    if contact is not None and contact.active:
        return Route(team="support", agent_email=contact.email)
    return Route(team="support", assign_in_team=True)


@hookimpl
def helpdesk_case_form_fields(product, case_type):
    if case_type not in ("error", "help"):
        return []
    return [
        FormField(
            "remote_consent",
            Label("Fernwartungssitzung erlaubt", "Remote support session allowed"),
            kind="checkbox",
            help=Label(
                "Ohne Ihre Freigabe verbinden wir uns nicht mit Ihrem System.",
                "Without your consent we do not connect to your system.",
            ),
        )
    ]


@hookimpl
def helpdesk_demo_products():
    return [
        ProductSpec(
            "orders",
            "Auftragsbearbeitung",
            versions=("5.4", "5.5", "6.0"),
            components=(
                ("quotes", "Angebote"),
                ("orders", "Aufträge"),
                ("invoicing", "Fakturierung"),
                ("reports", "Auswertungen"),
                ("interfaces", "Schnittstellen"),
            ),
        ),
        ProductSpec(
            "timetracking",
            "Zeiterfassung",
            versions=("2.8", "3.0"),
            components=(("terminals", "Terminals"), ("evaluation", "Auswertung")),
        ),
    ]


@hookimpl
def helpdesk_may_close(user, case):
    return user.is_customer


@hookimpl
def helpdesk_may_reopen(user, case):
    return case.status_category == Category.SOLVED


@hookimpl
def helpdesk_escalation_levels():
    return [
        EscalationLevel(
            Label("Geschäftsleitung", "Management"),
            notify=("geschaeftsleitung@vendor.example",),
        )
    ]


# -- Business time: calendar, SLA targets, status timers (issue 6) --------------------

#: first and next response in business hours, by effective priority
_TARGET_HOURS = {"a": (1, 2), "b": (4, 8), "c": (16, 32)}

#: Priority A is worked at night too, at extra cost ("höhere Kosten"): round the clock.
NIGHT_AND_DAY = BusinessCalendar(
    name="24/7",
    timezone="Europe/Berlin",
    hours=["00:00-24:00"] * 7,
)


@hookimpl
def helpdesk_calendar():
    return BusinessCalendar(
        name="small_vendor",
        timezone="Europe/Berlin",
        hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00"),
        country="DE",
    )


@hookimpl
def helpdesk_response_target(case):
    first, following = _TARGET_HOURS.get(case.priority, _TARGET_HOURS["c"])
    calendar = NIGHT_AND_DAY if case.priority == "a" else None
    return ResponseTarget(first, following, Unit.BUSINESS_HOURS, calendar)


@hookimpl
def helpdesk_status_timers():
    return [Timer("hold", 0, Unit.DAYS, Action.RESUBMIT, to_status="working")]


@hookimpl
def helpdesk_billable_by_default(case):
    # "kostenlose Fehlerbeseitigung" for an error; extensions, improvements and help are
    # "kostenpflichtige Unterstützungsleistung" unless the agent says why not.
    return case.case_type != "error"


def _has_contract(user, organisation) -> bool:
    """Remote support is a free service for customers with a maintenance contract."""
    from helpdesk.contracts.service import standing

    return user.is_agent or any(c.kind == "maintenance" for c in standing(organisation).active)


@hookimpl
def helpdesk_document_pages(organisation):
    from helpdesk.contracts.policy import DocumentPage

    return [
        DocumentPage(
            "remote-support",
            Label("Fernwartung", "Remote support"),
            Label(
                "Als kostenlose Serviceleistung bieten wir unseren Vertragskunden "
                "Fernwartung an. Mit dem Programm unten starten Sie eine Sitzung. **Ohne Ihre "
                "individuelle Freigabe verbinden wir uns nie mit Ihrem System:** Sie nennen "
                "uns für jede Sitzung die angezeigte Kennung und das Kennwort selbst.",
                "Remote support is a free service for our contract customers. Start a session "
                "with the program below. **We never connect to your system without your "
                "consent:** you give us the ID and password it shows for each session.",
            ),
            files=(("remote-support.exe", "https://vendor.example/downloads/remote-support.exe"),),
            visible_to=_has_contract,
        )
    ]
