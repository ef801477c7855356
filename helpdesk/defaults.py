"""The core's own answers to the hooks, registered ``trylast`` like any other plugin.

They make a usable portal with no vendor plugin at all, and every vendor plugin overrides
what it defines.
"""

from flask import current_app

from helpdesk.accounts.models import CaseVisibility, CustomerRole
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import (
    Branding,
    CaseType,
    CaseWord,
    Category,
    ContractClass,
    EscalationLevel,
    Label,
    MailCase,
    NavLink,
    Priority,
    ProductSpec,
    Route,
    Severity,
    Status,
    SupportLevel,
    current_policy,
)

#: Customer roles that see all of their organisation's cases whatever its setting (seed 002).
SEES_ALL_ROLES = (CustomerRole.PORTAL_ADMIN, CustomerRole.MAIN_CONTACT, CustomerRole.ADMINISTRATOR)


@hookimpl(trylast=True)
def helpdesk_case_types():
    return [
        CaseType("question", Label("Frage", "Question")),
        CaseType("fault", Label("Fehler", "Fault")),
        CaseType("request", Label("Änderungswunsch", "Change request")),
    ]


@hookimpl(trylast=True)
def helpdesk_severities():
    return [
        Severity("critical", Label("Kritisch", "Critical"), needs_impact=True),
        Severity("high", Label("Hoch", "High"), needs_impact=True),
        Severity("normal", Label("Normal", "Normal")),
        Severity("low", Label("Niedrig", "Low")),
    ]


@hookimpl(trylast=True)
def helpdesk_priorities():
    return [
        Priority("high", Label("Hoch", "High")),
        Priority("normal", Label("Normal", "Normal")),
        Priority("low", Label("Niedrig", "Low")),
    ]


@hookimpl(trylast=True)
def helpdesk_priority_for(case_type, severity, contract_class):
    return {"critical": "high", "high": "high", "low": "low"}.get(severity, "normal")


@hookimpl(trylast=True)
def helpdesk_contract_classes():
    return [ContractClass(key, Label(f"Klasse {key}", f"Class {key}")) for key in "ABC"]


@hookimpl(trylast=True)
def helpdesk_statuses():
    return [
        Status("new", Label("Neu", "New"), Category.NEW),
        Status("open", Label("In Bearbeitung", "Open"), Category.OPEN),
        Status(
            "waiting",
            Label("Wartet auf Kundenrückmeldung", "Waiting for customer"),
            Category.WAITING,
            waiting_for=Label("Ihre Rückmeldung", "your reply"),
        ),
        Status("hold", Label("Zurückgestellt", "On hold"), Category.HOLD),
        Status("development", Label("In Entwicklung", "In development"), Category.DEVELOPMENT),
        Status("solved", Label("Gelöst", "Solved"), Category.SOLVED),
        Status("closed", Label("Geschlossen", "Closed"), Category.CLOSED),
    ]


@hookimpl(trylast=True)
def helpdesk_teams():
    return [("support", Label("Support", "Support"))]


@hookimpl(trylast=True)
def helpdesk_case_word():
    return CaseWord()


@hookimpl(trylast=True)
def helpdesk_branding():
    config = current_app.config
    return Branding(
        name=config.get("BRAND_NAME") or None,
        colour=config.get("BRAND_COLOUR") or Branding.colour,
        logo=config.get("BRAND_LOGO") or None,
        favicon=config.get("BRAND_FAVICON") or None,
    )


@hookimpl(trylast=True)
def helpdesk_mail_opens_cases():
    return True


@hookimpl(trylast=True)
def helpdesk_route_case(case_type, product, version, component, requester, extra):
    return Route(team="support")


@hookimpl(trylast=True)
def helpdesk_may_set_status(user, case, status):
    return user.is_agent or status.customer_may_set


@hookimpl(trylast=True)
def helpdesk_may_reopen(user, case):
    return case.status_category == Category.SOLVED or user.is_agent


@hookimpl(trylast=True)
def helpdesk_sees_all_organisation_cases(user):
    if user.organisation.case_visibility == CaseVisibility.EVERYONE:
        return True
    return user.customer_role in SEES_ALL_ROLES


@hookimpl(trylast=True)
def helpdesk_correspondence_rule(user):
    return False


@hookimpl(trylast=True)
def helpdesk_may_open_case(user):
    return bool(user.support_authorised)


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    # In the vendor's word for a case; German phrased so that its gender does not matter.
    one, many = current_policy().case_word.singular, current_policy().case_word.plural
    return [
        NavLink("cases.queue", Label("Warteschlange", "Queue"), audience="agent", order=10),
        *_case_menu(one, many),
        NavLink("outbox.index", Label("Postausgang", "Outbox"), audience="admin", order=90),
        *_account_links(user),
        NavLink(
            "sla.calendar", Label("Geschäftszeiten", "Business hours"), audience="admin", order=91
        ),
        NavLink("inbound.index", Label("Posteingang", "Inbound mail"), audience="admin", order=92),
    ]


def _case_menu(one, many):
    """The case menu: the customer's list and form; the agent's views of the queue (the bar's
    "Queue" is its first view, the new and unassigned cases) and the phone case form."""
    customer = (
        ("cases.index", Label(f"Meine {many.de}", f"My {many.en}"), {}),
        ("cases.new", Label(f"{one.de} erstellen", f"New {one.en}"), {}),
    )
    agent = (
        ("cases.queue", Label("Mir zugewiesen", "Assigned to me"), {"view": "mine"}),
        ("cases.queue", Label("Mein Team", "My team"), {"view": "team"}),
        ("cases.queue", Label("Frist läuft bald ab", "Breaching soon"), {"view": "breaching"}),
        ("cases.queue", Label(f"Alle offenen {many.de}", f"All open {many.en}"), {"view": "all"}),
        ("cases.new_phone", Label(f"{one.de} per Telefon", f"Phone {one.en}"), {}),
    )
    return [
        NavLink(endpoint, label, audience, order=20 + number, values=values, menu="cases")
        for audience, links in (("customer", customer), ("agent", agent))
        for number, (endpoint, label, values) in enumerate(links)
    ]


def _account_links(user):
    """Invitations for portal admins, pending registrations for vendor admins and managers,
    the second factor for both kinds of people who may turn it on (ACC-1, ACC-3, ACC-4)."""
    from helpdesk.accounts import invitations, two_factor
    from helpdesk.permissions import may_decide_registrations

    links = []
    if invitations.may_invite(user):
        label = Label("Einladungen", "Invitations")
        links.append(
            NavLink("invitations.index", label, audience="customer", order=83, menu="organisation")
        )
    if may_decide_registrations(user):
        label = Label("Registrierungen", "Registrations")
        links.append(
            NavLink("registration.pending", label, audience="agent", order=80, menu="admin")
        )
    if two_factor.eligible(user):
        label = Label("Zwei-Faktor-Anmeldung", "Two-factor sign-in")
        links.append(NavLink("two_factor.index", label, order=96, menu="account"))
    return links


@hookimpl(trylast=True)
def helpdesk_demo_products():
    return [
        ProductSpec(
            "suite",
            "Business Suite",
            versions=("2025.1", "2025.2", "2026.1"),
            components=(("finance", "Finance"), ("sales", "Sales"), ("stock", "Warehouse")),
        )
    ]


@hookimpl(trylast=True)
def helpdesk_may_close(user, case):
    return True  # the callers already checked that the user may write to the case


@hookimpl(trylast=True)
def helpdesk_escalation_levels():
    return [EscalationLevel(Label("Teamleitung", "Team manager"), notify=("manager",))]


@hookimpl(trylast=True)
def helpdesk_support_levels():
    return [
        SupportLevel(Label("1st-Level-Support", "1st level support")),
        SupportLevel(Label("2nd-Level-Support", "2nd level support")),
        SupportLevel(Label("3rd-Level-Support", "3rd level support")),
    ]


@hookimpl(trylast=True)
def helpdesk_release_published_status(case):
    return None


@hookimpl(trylast=True)
def helpdesk_calendar():
    from helpdesk.sla.calendar import default_calendar

    return default_calendar()


@hookimpl(trylast=True)
def helpdesk_sla_policy():
    from helpdesk.sla.policy import SlaPolicy

    return SlaPolicy()


@hookimpl(trylast=True)
def helpdesk_response_target(case):
    from helpdesk.contracts.service import class_of_case
    from helpdesk.sla.policy import sla_policy

    return sla_policy().target(case.severity, class_of_case(case))


@hookimpl(trylast=True)
def helpdesk_mail_case(sender, subject):
    policy = current_policy()
    calm = [s for s in policy.severities if not s.needs_impact] or policy.severities
    severity = next((s for s in calm if s.key == "normal"), calm[0])
    return MailCase(policy.case_types[0].key, severity.key)


@hookimpl(trylast=True)
def helpdesk_contract_kinds():
    from helpdesk.contracts.policy import ContractKind

    return [
        ContractKind("maintenance", Label("Wartungsvertrag", "Maintenance contract")),
        ContractKind("units", Label("Supporteinheiten", "Support units")),
        ContractKind("hosting", Label("Hosting", "Hosting")),
        ContractKind(
            "data_processing", Label("Auftragsverarbeitung (AVV)", "Data processing (AVV)")
        ),
    ]


@hookimpl(trylast=True)
def helpdesk_new_case_notices(standing):
    from helpdesk.contracts.policy import CaseNotice

    if standing.expired and not standing.active:
        return [
            CaseNotice(
                Label(
                    "Ihr Vertrag ist abgelaufen. Wir helfen gern, der Support kann jedoch "
                    "verrechnet werden.",
                    "Your contract has expired. We are glad to help, but support may be billed.",
                )
            )
        ]
    return []


@hookimpl(trylast=True)
def helpdesk_billable_by_default(case):
    return case.case_type != "fault"
