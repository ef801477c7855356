"""Vendor administration as plain functions; every change is audited with before and after.

A function raises ``AdminError`` with the reason in the admin's language when the change is
refused (a duplicate key, a free-mail domain, an admin about to lock themselves out), and
``permissions.NotAllowed`` when ``actor`` is no vendor admin: each checks for itself rather
than trust the page that calls it.
"""

from flask import current_app
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn

from helpdesk import audit
from helpdesk.accounts import sessions
from helpdesk.accounts.domains import is_free_mail
from helpdesk.accounts.models import Kind, Organisation, OrganisationDomain, Team, User
from helpdesk.accounts.passwords import hash_password
from helpdesk.accounts.service import normalise_email, set_password
from helpdesk.db import db
from helpdesk.permissions import ensure_admin
from helpdesk.products.models import Component, Product, ProductVersion

AGENT_FIELDS = ["name", "team", "support_level", "is_manager", "is_admin", "active"]
ORGANISATION_FIELDS = [
    "name",
    "case_visibility",
    "is_active",
    "account_team",
    "account_manager",
]


class AdminError(ValueError):
    """A change that is refused, with the reason in the admin's language."""


def _values(instance, fields):
    return {name: _plain(getattr(instance, name)) for name in fields}


def _plain(value):
    return value.id if hasattr(value, "id") else value


def _save(actor, instance, action: str, fields: list[str], values: dict):
    """Apply ``values``, save the fields that changed and audit them."""
    before, after = audit.changes(instance, fields, values)
    if after:
        try:
            with db.atomic():
                instance.save(only=[getattr(type(instance), name) for name in after])
                audit.record(
                    actor,
                    action,
                    instance,
                    {k: _plain(v) for k, v in before.items()},
                    {k: _plain(v) for k, v in after.items()},
                )
        except IntegrityError:
            raise AdminError(_("This key or name is already taken.")) from None
    return instance


def _create(actor, model, action: str, **values):
    try:
        with db.atomic():
            instance = model.create(**values)
            shown = {k: _plain(v) for k, v in values.items() if k != "password_hash"}
            audit.record(actor, action, instance, None, shown)
    except IntegrityError:
        raise AdminError(_("This key or name is already taken.")) from None
    return instance


# Agents ---------------------------------------------------------------------------------


def agents():
    return (
        User.select(User, Team)
        .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id))
        .where(User.kind == Kind.AGENT)
        .order_by(User.active.desc(), User.name)
    )


def create_agent(actor, *, email: str, password: str, **values) -> User:
    ensure_admin(actor)
    email = normalise_email(email)
    if User.select().where(User.email == email).exists():
        raise AdminError(_("Someone has this e-mail address already."))
    return _create(
        actor,
        User,
        "agent.created",
        email=email,
        kind=Kind.AGENT,
        password_hash=hash_password(password),
        **{name: values[name] for name in AGENT_FIELDS if name in values},
    )


def update_agent(actor, agent: User, values: dict, password: str | None = None) -> User:
    ensure_admin(actor)
    if agent.id == actor.id and (not values.get("is_admin") or not values.get("active")):
        raise AdminError(_("You cannot take your own admin rights or disable yourself."))
    was_active = agent.active
    _save(actor, agent, "agent.updated", AGENT_FIELDS, values)
    if password or (was_active and not agent.active):
        with db.atomic():
            if password:
                set_password(agent, password)  # ends every sign-in too
                audit.record(actor, "agent.password", agent, None, None)
            else:
                sessions.end_all(agent)
    return agent


# Teams ----------------------------------------------------------------------------------


def create_team(actor, key: str, names: dict[str, str]) -> Team:
    """A team with its ``names`` (``name_de``, ``name_en``)."""
    ensure_admin(actor)
    return _create(actor, Team, "team.created", key=key.strip().lower(), **_names(names))


def rename_team(actor, team: Team, names: dict[str, str]) -> Team:
    ensure_admin(actor)
    return _save(actor, team, "team.renamed", NAMES, _names(names))


#: The name columns of teams, products and components, one per language.
NAMES = ["name_de", "name_en"]


def _names(names: dict[str, str]) -> dict[str, str]:
    return {column: names[column].strip() for column in NAMES}


# Products -------------------------------------------------------------------------------


def create_product(actor, key: str, names: dict[str, str]) -> Product:
    ensure_admin(actor)
    return _create(actor, Product, "product.created", key=key.strip().lower(), **_names(names))


def update_product(actor, product: Product, names: dict[str, str], active: bool) -> Product:
    ensure_admin(actor)
    return _save(
        actor, product, "product.updated", [*NAMES, "active"], {**_names(names), "active": active}
    )


def add_version(actor, product: Product, name: str) -> ProductVersion:
    ensure_admin(actor)
    last = (
        ProductVersion.select(fn.MAX(ProductVersion.position))
        .where(ProductVersion.product == product.id)
        .scalar()
    )
    return _create(
        actor,
        ProductVersion,
        "version.created",
        product=product,
        name=name.strip(),
        position=(last if last is not None else -1) + 1,
    )


def update_version(actor, version: ProductVersion, name: str, supported: bool) -> ProductVersion:
    ensure_admin(actor)
    return _save(
        actor,
        version,
        "version.updated",
        ["name", "supported"],
        {"name": name.strip(), "supported": supported},
    )


def move_version(actor, version: ProductVersion, step: int) -> None:
    """Swap ``version`` with its neighbour ``step`` (-1 earlier, +1 later) in the order."""
    ensure_admin(actor)
    siblings = list(
        ProductVersion.select()
        .where(ProductVersion.product == version.product_id)
        .order_by(ProductVersion.position, ProductVersion.id)
    )
    index = next(i for i, row in enumerate(siblings) if row.id == version.id)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with db.atomic():
        for position, row in enumerate(siblings):
            if row.position != position:
                ProductVersion.update(position=position).where(
                    ProductVersion.id == row.id
                ).execute()
        audit.record(
            actor,
            "version.moved",
            version,
            {"position": index},
            {"position": other},
        )


def add_component(actor, product: Product, key: str, names: dict[str, str]) -> Component:
    ensure_admin(actor)
    return _create(
        actor,
        Component,
        "component.created",
        product=product,
        key=key.strip().lower(),
        **_names(names),
    )


def rename_component(actor, component: Component, names: dict[str, str]) -> Component:
    ensure_admin(actor)
    return _save(actor, component, "component.renamed", NAMES, _names(names))


# Organisations --------------------------------------------------------------------------


def organisations():
    return Organisation.select().order_by(Organisation.is_active.desc(), Organisation.name)


def create_organisation(actor, values: dict) -> Organisation:
    ensure_admin(actor)
    return _create(
        actor,
        Organisation,
        "organisation.created",
        **{name: values[name] for name in ORGANISATION_FIELDS if name in values},
    )


def update_organisation(actor, organisation: Organisation, values: dict) -> Organisation:
    """Change ``organisation``; deactivating it signs its people out everywhere (a later
    reactivation brings none of those sign-ins back). Its data stays."""
    ensure_admin(actor)
    was_active = organisation.is_active
    with db.atomic():
        _save(actor, organisation, "organisation.updated", ORGANISATION_FIELDS, values)
        if was_active and not organisation.is_active:
            sessions.end_all_of_organisation(organisation)
    return organisation


def add_domain(actor, organisation: Organisation, domain: str) -> OrganisationDomain:
    ensure_admin(actor)
    domain = domain.strip().lower().lstrip("@").rstrip(".")
    if "." not in domain or "@" in domain or " " in domain:
        raise AdminError(_("Please enter a domain such as example.com."))
    extra = frozenset(d.lower() for d in current_app.config.get("FREE_MAIL_DOMAINS", ()))
    if is_free_mail(domain, extra):
        raise AdminError(
            _("%(domain)s is a free-mail provider: anyone can get an address there.", domain=domain)
        )
    if OrganisationDomain.select().where(OrganisationDomain.domain == domain).exists():
        raise AdminError(_("%(domain)s belongs to an organisation already.", domain=domain))
    return _create(
        actor, OrganisationDomain, "domain.added", organisation=organisation, domain=domain
    )


def remove_domain(actor, domain: OrganisationDomain) -> None:
    ensure_admin(actor)
    with db.atomic():
        domain.delete_instance()
        audit.record(actor, "domain.removed", domain, {"domain": domain.domain}, None)
