"""Demo data for a first look: one customer organisation with a user of every role, an agent
of every support level, an admin, and the vendor plugin's products and teams."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from helpdesk.accounts.models import (
    CaseVisibility,
    CustomerRole,
    Kind,
    Organisation,
    OrganisationDomain,
    Team,
    User,
)
from helpdesk.accounts.passwords import hash_password
from helpdesk.db import db
from helpdesk.hooks import plugin_manager
from helpdesk.naming import create_teams
from helpdesk.policy import Category, Label, current_policy
from helpdesk.products.models import Component, Product, ProductVersion

CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    what: str
    fields: dict


CUSTOMERS = [
    DemoPerson(
        "paula.portal@muster.example",
        "Paula Portal",
        "customer, portal admin",
        {
            "customer_role": CustomerRole.PORTAL_ADMIN,
            "support_authorised": True,
            "sees_all_correspondence": True,
        },
    ),
    DemoPerson(
        "martin.main@muster.example",
        "Martin Main",
        "customer, main contact",
        {
            "customer_role": CustomerRole.MAIN_CONTACT,
            "support_authorised": True,
            "information_recipient": True,
        },
    ),
    DemoPerson(
        "alma.admin@muster.example",
        "Alma Admin",
        "customer, administrator",
        {"customer_role": CustomerRole.ADMINISTRATOR, "support_authorised": True},
    ),
    DemoPerson(
        "mia.member@muster.example",
        "Mia Member",
        "customer, member",
        {"customer_role": CustomerRole.MEMBER, "support_authorised": True},
    ),
]

AGENTS = [
    DemoPerson("erik.first@vendor.example", "Erik First", "agent, 1st level", {"support_level": 1}),
    DemoPerson(
        "sara.second@vendor.example", "Sara Second", "agent, 2nd level", {"support_level": 2}
    ),
    DemoPerson(
        "tom.third@vendor.example",
        "Tom Third",
        "agent, 3rd level, team manager",
        {"support_level": 3, "is_manager": True},
    ),
    DemoPerson(
        "ada.admin@vendor.example",
        "Ada Admin",
        "vendor admin",
        {"support_level": 3, "is_admin": True},
    ),
]


def has_data() -> bool:
    return User.select().exists()


def load(password: str | None = None, password_hash: str | None = None) -> str:
    """Write the demo data and return the password every demo person signs in with.

    ``password_hash`` is ``password`` hashed already: the tests load the demo data a thousand
    times with one password, and argon2 at its real cost takes a fifth of a second each time.
    """
    password = password or secrets.token_urlsafe(9)
    hook = plugin_manager().hook
    hashed = password_hash or hash_password(password)
    with db.atomic():
        policy = current_policy()
        create_teams(policy)
        teams = {team.key: team for team in Team.select().where(Team.key.in_(list(policy.teams)))}
        first_team = teams[next(iter(policy.teams))]
        organisation = Organisation.create(
            name="Muster GmbH", case_visibility=CaseVisibility.MAIN_CONTACTS, contract_class="B"
        )
        # Its people's domain: a registration at it joins the organisation (ACC-3).
        OrganisationDomain.create(organisation=organisation, domain="muster.example")
        for person in CUSTOMERS:
            User.create(
                email=person.email,
                name=person.name,
                password_hash=hashed,
                kind=Kind.CUSTOMER,
                organisation=organisation,
                **person.fields,
            )
        for person in AGENTS:
            User.create(
                email=person.email,
                name=person.name,
                password_hash=hashed,
                kind=Kind.AGENT,
                team=first_team,
                **person.fields,
            )
        for spec in hook.helpdesk_demo_products():
            product = Product.create(key=spec.key, **_names(spec.name))
            for position, version in enumerate(spec.versions):
                ProductVersion.create(product=product, name=version, position=position)
            for key, name in spec.components:
                Component.create(product=product, key=key, **_names(name))
        hook.helpdesk_demo_data(teams=teams)
    return password


def _names(name: Label | str) -> dict[str, str]:
    """The name columns of a demo product or component named in both languages or in one."""
    if isinstance(name, Label):
        return {"name_de": name.de, "name_en": name.en}
    return {"name_de": name, "name_en": name}


def credentials_text(password: str) -> str:
    lines = ["Sign in with one of these (password for all: " + password + "):"]
    for person in CUSTOMERS + AGENTS:
        lines.append(f"  {person.email:<32} {person.what}")
    return "\n".join(lines) + "\n"


def credentials_path() -> Path:
    return Path(current_app.instance_path) / CREDENTIALS_FILE


#: The demo's cases: subject, description, and how far each one has come (the index of the
#: step list in ``story``: 0 new, 1 answered, 2 waiting on the customer, 3 in progress with a
#: note, 4 solved, 5 closed with a survey answer).
STORY = [
    (
        "Invoice run stops at customer 10234",
        "Since this morning the invoice run stops with error E-4711.",
        2,
    ),
    (
        "Monatsabschluss bricht bei der USt-Meldung ab",
        "Der Abschluss für November bricht mit einem Timeout ab.",
        3,
    ),
    ("Printer queue in the warehouse is stuck", "Delivery notes do not print since the update.", 0),
    ("Export to Excel loses leading zeros", "Article numbers like 00123 arrive as 123.", 1),
    (
        "Login for new colleague not possible",
        "Our new colleague gets 'account locked' at the first sign-in.",
        4,
    ),
    ("EDI orders from Retailer AG missing", "No EDI orders arrived since Friday 14:00.", 2),
    ("Dashboard loads slowly", "The sales dashboard takes about 40 seconds to open.", 3),
    ("Wrong VAT rate on credit notes", "Credit notes use 20 % instead of 10 % for books.", 5),
    ("Feature request: dark mode", "Several colleagues would like a dark theme.", 0),
    (
        "Bestellvorschlag rechnet mit alten Preisen",
        "Der Bestellvorschlag nimmt noch die Preise von 2025.",
        1,
    ),
    ("Backup job reports warnings", "The nightly backup ends with three warnings.", 4),
    ("Payroll export: umlauts broken", "Names with ä, ö, ü appear garbled in the export file.", 5),
    ("How do I add a second warehouse?", "We open a second site in Graz next month.", 1),
    ("Licence count shows 0 free seats", "We bought five more licences last week.", 2),
    (
        "Mahnlauf verschickt doppelte Mahnungen",
        "Einige Kunden haben die Mahnung zweimal erhalten.",
        3,
    ),
    (
        "Training for the new accounting module",
        "We would like a two-hour online training for four people.",
        0,
    ),
    (
        "Report 'open items' shows paid invoices",
        "Invoices paid yesterday still appear in the report.",
        4,
    ),
    ("API token expired", "Our shop integration stopped at midnight: 401 Unauthorized.", 5),
    ("Delivery address cannot be changed", "The field is greyed out for existing orders.", 1),
    ("Crash when closing the period", "The client crashes with an access violation.", 3),
    ("Serienbrief: Anrede fehlt", "In Serienbriefen fehlt die Anrede bei Firmenkontakten.", 2),
    ("Stock count import fails", "The CSV import stops at line 812 without a message.", 0),
    (
        "Question about the new price lists",
        "Can price lists be valid for a customer group only?",
        5,
    ),
    ("Mobile app shows no orders", "Field staff see an empty order list in the app.", 4),
]

_LOG = b"2026-12-03 08:14:02 ERROR E-4711 invoice run aborted at customer 10234\n"


def story() -> int:
    """Cases for a first look, written through the case service as people would: opened by
    the demo customers, answered, noted, waiting on the customer (their reminder timers
    running), solved and closed with a survey answer. Steps the vendor's plugin does not
    allow are left out. Returns how many cases were opened."""
    from helpdesk.cases import files, service, uploads
    from helpdesk.cases.errors import CaseError
    from helpdesk.cases.models import Case
    from helpdesk.survey import service as surveys
    from helpdesk.survey.models import SurveyResponse

    policy = current_policy()
    customers = [
        User.get(User.email == person.email)
        for person in CUSTOMERS
        if person.fields.get("support_authorised")
    ]
    agents = [User.get(User.email == person.email) for person in AGENTS]
    products = list(Product.select().order_by(Product.id))
    if not products or not customers:
        return 0
    severities = [s.key for s in policy.severities]
    by_category = {}
    for status in policy.statuses:
        by_category.setdefault(status.category, status.key)
    opened = 0
    for number, (subject, description, stage) in enumerate(STORY):
        requester = customers[number % len(customers)]
        agent = agents[number % len(agents)]
        severity = severities[(number + 1) % len(severities)]
        needs_impact = any(s.key == severity and s.needs_impact for s in policy.severities)
        case = service.open_case(
            service.NewCase(
                requester=requester,
                product=products[number % len(products)],
                subject=subject,
                description=description,
                case_type=policy.case_types[number % len(policy.case_types)].key,
                severity=severity,
                impact="The whole accounting team is blocked." if needs_impact else None,
            )
        )
        opened += 1

        def step(action, *args, **kwargs):
            try:
                return action(*args, **kwargs)
            except CaseError:
                return None  # the vendor's rules do not allow this step: the story skips it

        if stage >= 1:
            step(service.assign, Case.get_by_id(case.id), agent, agent)
            step(
                service.add_message,
                Case.get_by_id(case.id),
                agent,
                f"Thank you, {requester.name.split()[0]}. We are looking into it.\n\n"
                "Could you tell us **since when** this happens?",
            )
        if stage >= 2 and number % 2 == 0:
            log = uploads.pending_upload(requester, files.store("error.log", _LOG))
            step(
                service.add_message,
                Case.get_by_id(case.id),
                requester,
                "Here is the log file.",
                [log],
            )
        if stage == 2 and Category.WAITING in by_category:
            step(
                service.reply_and_move,
                Case.get_by_id(case.id),
                agent,
                "Please send us a screenshot of the error message and the time it appeared.",
                by_category[Category.WAITING],
            )
        if stage >= 3:
            step(
                service.add_message,
                Case.get_by_id(case.id),
                agent,
                "Reproduced on the test system; looks like the rounding change of 2026.2.",
                internal=True,
            )
        if stage >= 4 and Category.SOLVED in by_category:
            step(
                service.reply_and_move,
                Case.get_by_id(case.id),
                agent,
                "The fix is installed on your system. Please check and confirm.",
                by_category[Category.SOLVED],
            )
        if stage >= 5 and Category.CLOSED in by_category:
            step(
                service.move_status,
                Case.get_by_id(case.id),
                requester,
                by_category[Category.CLOSED],
            )
            survey = SurveyResponse.get_or_none(SurveyResponse.case == case.id)
            if survey is not None:
                surveys.answer(survey, 4 + number % 2, "Quick and friendly, thank you!")
    return opened


#: The demo's help center: (category key, audience, German title and text, English title and
#: text). The first answers the story's "Export to Excel loses leading zeros", so a customer
#: who starts writing that case is offered it (KB-3).
HELP_CENTER = [
    (
        "getting-started",
        "customers",
        "Führende Nullen beim Export nach Excel behalten",
        "Excel liest Artikelnummern wie `00123` als Zahl und lässt die Nullen weg.\n\n"
        "1. Exportieren Sie die Liste als **CSV**.\n"
        "2. Öffnen Sie sie in Excel über *Daten → Aus Text/CSV*.\n"
        "3. Wählen Sie für die Spalte *Artikelnummer* den Datentyp **Text**.",
        "Keep leading zeros when exporting to Excel",
        "Excel reads article numbers like `00123` as numbers and drops the zeros.\n\n"
        "1. Export the list as **CSV**.\n"
        "2. Open it in Excel with *Data → From Text/CSV*.\n"
        "3. Choose the data type **Text** for the column *Article number*.",
    ),
    (
        "getting-started",
        "customers",
        "Rechnungslauf bricht mit Fehler E-4711 ab",
        "Der Fehler E-4711 bedeutet, dass bei einem Kunden die Zahlungsbedingung fehlt. "
        "Ergänzen Sie sie im Kundenstamm und starten Sie den Rechnungslauf erneut.",
        "Invoice run stops with error E-4711",
        "Error E-4711 means a customer has no terms of payment. Add them in the customer "
        "record and start the invoice run again.",
    ),
    (
        "getting-started",
        "public",
        "Passwort vergessen",
        "Wählen Sie auf der Anmeldeseite *Passwort vergessen?* und geben Sie Ihre "
        "E-Mail-Adresse ein. Sie erhalten einen Link, der eine Stunde gilt.",
        "Forgotten password",
        "Choose *Forgot your password?* on the sign-in page and enter your e-mail address. "
        "You get a link that is valid for one hour.",
    ),
    (
        "support",
        "public",
        "Wie erreiche ich den Support außerhalb der Geschäftszeiten?",
        "Schreiben Sie uns über das Portal oder per E-Mail; Fälle mit dem Schweregrad "
        "*kritisch* bearbeiten wir laut Ihrem Vertrag auch außerhalb der Geschäftszeiten.",
        "How do I reach support outside business hours?",
        "Write to us through the portal or by e-mail; cases of critical severity are worked "
        "on outside business hours too, as your contract says.",
    ),
    (
        "support",
        "customers",
        "Wie lege ich ein zweites Lager an?",
        "Unter *Stammdaten → Lager* legen Sie ein neues Lager an und ordnen ihm einen "
        "Standort zu; Bestände buchen Sie danach mit einer Umlagerung.",
        "How do I add a second warehouse?",
        "Create a new warehouse under *Master data → Warehouses* and give it a site; then "
        "move stock there with a transfer.",
    ),
]


def help_center() -> int:
    """The demo's help-center articles, written and published through the knowledge service
    by the demo's vendor admin, in the categories a vendor starts with. Returns how many."""
    from helpdesk.knowledge import service as knowledge
    from helpdesk.knowledge.models import State

    admin = User.get(User.email == AGENTS[-1].email)
    categories = {
        "getting-started": knowledge.ensure_category(
            "getting-started", "Erste Schritte", "Getting started"
        ),
        # a questions-and-answers category: its badge already says "FAQ", its name need not
        "support": knowledge.ensure_category(
            "support", "Support und Betrieb", "Support and operations", is_faq=True
        ),
    }
    for key, audience, title_de, body_de, title_en, body_en in HELP_CENTER:
        article = knowledge.create_article(
            admin,
            {
                "title_de": title_de,
                "body_de": body_de,
                "title_en": title_en,
                "body_en": body_en,
                "category": str(categories[key].id),
                "audience": audience,
            },
        )
        knowledge.set_state(admin, article, State.PUBLISHED)
    return len(HELP_CENTER)
