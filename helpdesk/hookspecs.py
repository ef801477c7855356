"""The hooks a vendor plugin implements. Only markers and specifications live here.

Every hook is called with keyword arguments, so a specification can gain arguments without
breaking plugins. Hooks marked ``firstresult`` take the first answer that is not ``None``: the
vendor plugin's, because the core's defaults (``helpdesk.defaults``) are registered ``trylast``.
A first-answer hook typed ``X | None`` takes None as "no answer". The other hooks collect
one answer from every plugin; the docstring says how they combine. The objects the hooks
return are defined in ``helpdesk.policy``. The hooks only the demo data asks are apart, in
``helpdesk.demo_hookspecs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from helpdesk.accounts.models import Organisation, User
    from helpdesk.cases.models import Case, Event
    from helpdesk.contracts.policy import CaseNotice, ContractKind, DocumentPage, Standing
    from helpdesk.policy import (
        Branding,
        CaseType,
        CaseWord,
        ContractClass,
        EscalationLevel,
        FormField,
        Label,
        MailCase,
        NavLink,
        Priority,
        Route,
        Severity,
        Status,
        SupportLevel,
    )
    from helpdesk.products.models import Component, Product, ProductVersion
    from helpdesk.reports.service import Figure, Filters
    from helpdesk.sla.calendar import BusinessCalendar
    from helpdesk.sla.policy import ResponseTarget, SlaPolicy, Timer

hookspec = pluggy.HookspecMarker("helpdesk")
hookimpl = pluggy.HookimplMarker("helpdesk")


# -- Start-up and pages -------------------------------------------------------------------


@hookspec
def helpdesk_init_app(app: Flask) -> None:
    """Called once while the app is built, after every plugin is registered.

    A plugin registers its blueprints, template folders, CLI commands or huey tasks here.
    Nothing is returned.
    """


@hookspec
def helpdesk_navigation(user: User) -> list[NavLink]:
    """Links for the main navigation of a signed-in ``user``.

    Every plugin's lists are joined, filtered by each link's audience and sorted by ``order``.
    """


# -- Case vocabulary ----------------------------------------------------------------------


@hookspec(firstresult=True)
def helpdesk_case_types() -> list[CaseType]:
    """The case types a customer chooses from, in display order.

    Asked once at start-up. First answer wins; the core offers question, fault and request.
    """


@hookspec(firstresult=True)
def helpdesk_severities() -> list[Severity]:
    """The severities, from the most severe down.

    ``Severity.needs_impact`` marks those that require an impact justification (CASE-2).
    Asked once at start-up. First answer wins.
    """


@hookspec(firstresult=True)
def helpdesk_priorities() -> list[Priority]:
    """The priorities the vendor works by, from the most urgent down.

    Asked once at start-up. First answer wins.
    """


@hookspec(firstresult=True)
def helpdesk_priority_for(case_type: str, severity: str, contract_class: str | None) -> str | None:
    """The priority key for a case of this type and severity under this contract class.

    ``contract_class`` is the class of the organisation's contract that covers the case's
    product (one of ``helpdesk_contract_classes``, see ``helpdesk.contracts.service``) or
    None. Every combination is checked at start-up to name a known priority. First answer
    wins.
    """


@hookspec(firstresult=True)
def helpdesk_contract_classes() -> list[ContractClass]:
    """The classes of support contract an organisation may have, each a key with a German
    and English label, in the order the admin's organisation form offers them.

    The key is stored on the organisation and handed to ``helpdesk_priority_for``; the
    response targets read it from the case's organisation. Asked once at start-up. First
    answer wins; the core's are A, B and C.
    """


@hookspec(firstresult=True)
def helpdesk_statuses() -> list[Status]:
    """The statuses in their usual order, each mapped to one core ``Category`` (FLOW-1).

    There must be at least one status in the categories new and closed; the first ``new``
    status is where cases start. Asked once at start-up. First answer wins.
    """


@hookspec(firstresult=True)
def helpdesk_teams() -> list[tuple[str, Label | str]]:
    """The teams the vendor routes to, as ``(key, label)`` pairs: a ``Label`` with the German
    and English name (a plain string is the same in both). ``flask migrate`` creates those the
    database lacks; a team routed to or named anywhere must be declared here, or the start
    stops. First answer wins; the core has one team, ``support``.
    """


# -- The vendor's words and channels -------------------------------------------------------


@hookspec(firstresult=True)
def helpdesk_case_word() -> CaseWord | None:
    """The vendor's word for a case (a ``CaseWord``: singular and plural in German and
    English), used by the navigation, the list heading, the new-case form, the case page and
    the case mails. Asked once at start-up. First answer wins; the core says "Fall"/"case".
    """


@hookspec(firstresult=True)
def helpdesk_branding() -> Branding | None:
    """The vendor's name, colour, logo and favicon (a ``Branding``) for the pages' header,
    the browser tab and the mail layout. Asked once at start-up. First answer wins; the core
    answers from the settings ``BRAND_NAME``, ``BRAND_COLOUR``, ``BRAND_LOGO`` and
    ``BRAND_FAVICON``.
    """


@hookspec(firstresult=True)
def helpdesk_mail_opens_cases() -> bool | None:
    """Whether a mail that answers no case opens one (MAIL-3). False when the vendor takes
    requests only through the portal: the sender gets a polite automatic answer pointing to
    the portal, in their language, and nothing is opened; replies to existing cases still
    join them. Return None to let the next plugin decide. First answer wins; the core says
    yes.
    """


# -- Routing and forms --------------------------------------------------------------------


@hookspec(firstresult=True)
def helpdesk_route_case(
    case_type: str,
    product: Product,
    version: ProductVersion | None,
    component: Component | None,
    requester: User,
    extra: dict,
) -> Route | None:
    """Where a new case goes (CASE-6): a ``Route`` naming a team key and optionally an agent
    (or "the team's least busy agent") and the status it starts in.

    ``requester`` is the customer user it is opened for (``requester.organisation`` has the
    customer's ``account_team`` and ``account_manager``), ``extra`` the values of the plugins'
    form fields (empty for a mail). Called when a case is opened, on every channel, and at
    start-up for every case type to check the teams and statuses named. Return None to let
    the next plugin decide. First answer wins; the core routes every case to ``support``.
    """


@hookspec
def helpdesk_case_form_fields(product: Product, case_type: str) -> list[FormField]:
    """Extra fields the case form asks for this product and case type (CASE-2).

    Every plugin's lists are joined, in registration order.
    """


# -- Who may do what to a case -----------------------------------------------------------


@hookspec(firstresult=True)
def helpdesk_may_set_status(user: User, case: Case, status: Status) -> bool | None:
    """Whether ``user`` may move ``case`` to ``status`` (FLOW-1).

    Called before every status change by a person. Return True or False to decide, None to
    let the next plugin decide. First answer wins; the core lets agents set every status and
    customers those marked ``customer_may_set``.
    """


@hookspec(firstresult=True)
def helpdesk_may_reopen(user: User, case: Case) -> bool | None:
    """Whether ``user`` may reopen the solved or closed ``case`` (FLOW-4).

    When the answer is False the portal offers a linked follow-up case instead. Return None
    to let the next plugin decide. First answer wins; the core allows it for solved cases
    always and for closed ones to agents.
    """


@hookspec(firstresult=True)
def helpdesk_may_close(user: User, case: Case) -> bool | None:
    """Whether ``user`` may close ``case`` (FLOW-4): a customer confirming the solution, or an
    agent setting a closed status.

    Return None to let the next plugin decide. First answer wins; the core lets everyone who
    may write to the case close it.
    """


# -- Who sees what (PERM-2, PERM-3, PERM-5) ---------------------------------------------
# Asked by ``helpdesk.cases.access`` only, for customer users (agents see everything), and
# applied there inside the queries: a plugin answers about a person, never about a row.


@hookspec(firstresult=True)
def helpdesk_sees_all_organisation_cases(user: User) -> bool | None:
    """Whether the customer ``user`` sees every case of their organisation (PERM-2); if not,
    they see the cases they requested and those they follow.

    Return True or False to decide, None to let the next plugin decide. First answer wins;
    the core says yes when the organisation lets every user see all cases, and otherwise to
    portal admins, main contacts and administrators.
    """


@hookspec(firstresult=True)
def helpdesk_correspondence_rule(user: User) -> bool | None:
    """Whether the correspondence rule applies to the customer ``user`` (PERM-3): they read
    only the messages they wrote or received; the others show as a placeholder, without
    text, files or recipients.

    Return True or False to decide, None to let the next plugin decide. First answer wins;
    the core never applies it (everyone who sees a case reads its public messages).
    """


@hookspec(firstresult=True)
def helpdesk_may_open_case(user: User) -> bool | None:
    """Whether the customer ``user`` may open cases in their organisation's name, on every
    channel (web form, phone, mail).

    Return True or False to decide, None to let the next plugin decide. First answer wins;
    the core allows it to support-authorised persons.
    """


# -- What a change causes ------------------------------------------------------------------


@hookspec
def helpdesk_case_changed(events: list[Event]) -> None:
    """Called once per change of cases (opened, message, note, field, status, assignment,
    follow, reopen), inside its transaction, with the timeline entries it wrote, oldest first.

    ``event.case`` is the changed case (a follow-up opened from a case brings entries of both
    cases; a timer sweep's batch, entries of all its cases). What an implementation writes
    commits or rolls back with the change; an exception undoes the change. The core's
    notifications, SLA clocks and timers hang off this hook.
    Nothing is returned.
    """


# -- Mail, outgoing and incoming (MAIL-3) ------------------------------------------------


@hookspec(firstresult=True)
def helpdesk_mail_template(name: str, language: str) -> str | None:
    """The template to write mail ``name`` (e.g. ``case_opened``) with in ``language``
    (``de`` or ``en``, the recipient's), instead of the core's ``mail/<name>``.

    Answer a template name without extension (``<answer>.txt`` with the blocks ``subject``
    and ``text``, optionally ``<answer>.html``), or None to let the next plugin decide. First
    answer wins; with no answer the core's template is used.
    """


@hookspec(firstresult=True)
def helpdesk_mail_case(sender: User, subject: str) -> MailCase | None:
    """What a case opened by a new mail is (MAIL-3): a ``MailCase`` with the case type, the
    severity and optionally the product key.

    ``sender`` is the support-authorised customer user the mail came from, ``subject`` the
    mail's decoded subject. A mail has no form, so this decides what a customer would have
    chosen. First answer wins; the core takes the first case type, the severity ``normal``
    (else the first that needs no impact statement) and the first active product.
    """


# -- Business time: calendar, SLA targets, status timers ----------------------------------


@hookspec(firstresult=True)
def helpdesk_calendar() -> BusinessCalendar:
    """The business calendar SLA targets and business-day timers count in (SLA-1).

    An admin's calendar (page /admin/calendar) wins over every plugin's. First answer wins;
    the core's is Monday to Friday 08:00-17:00 Vienna time with Austrian public holidays.
    """


@hookspec(firstresult=True)
def helpdesk_sla_policy() -> SlaPolicy:
    """First- and next-response targets in business minutes per severity and contract class
    (SLA-2, SLA-3), read by the core's ``helpdesk_response_target``. First answer wins; the
    core sets no targets.
    """


@hookspec(firstresult=True)
def helpdesk_response_target(case: Case) -> ResponseTarget | None:
    """The first- and next-response targets of ``case`` (SLA-2, SLA-3): a ``ResponseTarget``
    in business minutes, hours or days, on the vendor's calendar or one of its own.

    Asked when a response clock starts, and again when the case's type, severity, priority or
    product changes (``case`` has the new values). Return None to let the next plugin decide.
    First answer wins; the core's answer is ``helpdesk_sla_policy``'s target for the case's
    severity and its organisation's contract class.
    """


@hookspec
def helpdesk_status_timers() -> list[Timer]:
    """What happens to a case left in a status without a customer answer (FLOW-3): reminders,
    moves to another status, closing, resubmission. Every plugin's lists are joined; a status's
    timers run in the order declared. The core declares none.
    """


# -- Escalation, support levels and releases (FLOW-6, FLOW-7) ----------------------------


@hookspec(firstresult=True)
def helpdesk_escalation_levels() -> list[EscalationLevel]:
    """The escalation path a customer climbs one step per request (FLOW-6), lowest first.

    The first level's recipients are also told at once of a case opened at, or raised to, the
    top severity. An empty list turns escalation off. First answer wins; the core has one
    level that notifies the managers of the case's team.
    """


@hookspec(firstresult=True)
def helpdesk_support_levels() -> list[SupportLevel]:
    """The support levels agents hand a case on through (FLOW-6), first level first.

    First answer wins; the core has 1st, 2nd and 3rd level support, all in the case's team.
    """


@hookspec(firstresult=True)
def helpdesk_release_published_status(case: Case) -> str | None:
    """The status key ``case`` moves to when the release of its development item is
    published (FLOW-7); None keeps its status.

    First answer wins; the core keeps the status.
    """


# -- Contracts and the data-processing agreement (DOC-1, DOC-2) -----------------------------


@hookspec
def helpdesk_contract_kinds() -> list[ContractKind]:
    """Kinds of contract an organisation may have, beside the core's maintenance, support
    units, hosting and data processing. Every plugin's kinds count; a key named twice keeps
    the first plugin's label.
    """


@hookspec(firstresult=True)
def helpdesk_new_case_notices(standing: Standing) -> list[CaseNotice] | None:
    """What the new-case form tells a customer before they write, from their organisation's
    ``standing`` (its active and expired contracts and its AVV's state): each a
    ``CaseNotice`` that warns, or with ``blocks=True`` refuses the customer's new cases on
    every channel. First answer wins; the core warns about expired contracts.
    """


@hookspec
def helpdesk_document_pages(organisation: Organisation) -> list[DocumentPage]:
    """Pages the plugin adds to ``organisation``'s contracts and documents area (DOC-5), each
    a ``DocumentPage`` with its own visibility rule. Every plugin's pages count, in the order
    the plugins answer.
    """


@hookspec(firstresult=True)
def helpdesk_billable_by_default(case: Case) -> bool | None:
    """Whether time recorded on ``case`` is billable unless the agent says otherwise (with a
    reason), by its type (DOC-3). First answer wins; the core bills all but faults.
    """


# -- Reports (REP-1) ----------------------------------------------------------------------


@hookspec
def helpdesk_report_figures(user: User, filters: Filters) -> list[Figure]:
    """The vendor's own figures for ``user``'s dashboard (``helpdesk.reports.service.Figure``:
    a key, a ``Chart`` of one of the kinds bar, stacked, line or histogram), for ``filters``
    (the period ``start`` to ``end``, and ``team``, ``product``, ``organisation`` ids or None).

    Compute them through the service layer and respect ``filters.organisation``: a customer's
    dashboard must show their own organisation's cases only. Every answer is added after the
    core's figures; return an empty list to add none.
    """


# -- Knowledge base (issue 14) -----------------------------------------------------------


@hookspec
def helpdesk_knowledge() -> dict | None:
    """What a plugin adds to the knowledge base, as a dict with any of the keys
    ``categories`` (``helpdesk.knowledge.extensions.KnowledgeCategory``: created with these
    names when an agent first files an article there), ``templates`` (``ArticleTemplate``:
    starting texts the editor offers for a new article) and ``announcement_kinds``
    (``helpdesk.knowledge.announcements.AnnouncementKind``, after the core's release,
    technical warning, event invitation and newsletter).

    Collected: every plugin's answer counts; a key given twice keeps the first.
    """
