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
from helpdesk.policy import Label, current_policy
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


def load(password: str | None = None) -> str:
    """Write the demo data and return the password every demo person signs in with."""
    password = password or secrets.token_urlsafe(9)
    hook = plugin_manager().hook
    hashed = hash_password(password)
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
