"""``/admin/...``: the vendor admin's pages for agents, teams, products and organisations.

Each list page carries the form that adds one more; each edit page shows its form again with
the input and the reasons when something is refused. Plain forms, so everything works
without JavaScript.
"""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from helpdesk.accounts.models import Organisation, OrganisationDomain, Team, User
from helpdesk.admin import service, settings
from helpdesk.admin.forms import (
    AgentForm,
    DomainForm,
    KeyNameForm,
    NameForm,
    OrganisationForm,
    ProductForm,
    SettingsForm,
    VersionForm,
)
from helpdesk.i18n import current_language
from helpdesk.permissions import require_admin
from helpdesk.policy import current_policy
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.web import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@require_admin
def _admins_only():
    """Every page here is for vendor admins."""


def _get(model, pk, *conditions):
    found = model.get_or_none(model.id == pk, *conditions)
    if found is None:
        abort(404)
    return found


def _by_name(model):
    """Teams, products and components by their name in the admin's language."""
    return model.name_column(current_language())


def _saved(endpoint: str, **values):
    flash(_("Saved."), "info")
    return redirect(url_for(endpoint, **values))


# Agents ---------------------------------------------------------------------------------


def _agent_form(**kwargs) -> AgentForm:
    form = AgentForm(**kwargs)
    form.team.choices = [SelectChoice(0, "–")] + [
        SelectChoice(t.id, t.name) for t in Team.select().order_by(_by_name(Team))
    ]
    return form


def _agent_values(form: AgentForm) -> dict:
    return {
        "name": form.name.data,
        "team": form.team.data or None,
        "support_level": form.support_level.data,
        "is_manager": form.is_manager.data,
        "is_admin": form.is_admin.data,
        "active": form.active.data,
    }


@bp.route("/agents", methods=["GET", "POST"])
def agents():
    form = _agent_form()
    status = 200
    if form.is_submitted():
        if not form.password.data:
            form.password.errors = [_("Please give an initial password.")]
        elif form.validate():
            try:
                service.create_agent(
                    current_user,
                    email=form.email.data,
                    password=form.password.data,
                    **_agent_values(form),
                )
            except service.AdminError as error:
                form.email.errors = [str(error)]
            else:
                return _saved(".agents")
        status = 422
    return render("admin/agents.html", agents=list(service.agents()), form=form, status=status)


@bp.route("/agents/<int:pk>", methods=["GET", "POST"])
def agent(pk: int):
    person = _get(User, pk, User.kind == "agent")
    form = _agent_form(
        name=person.name,
        email=person.email,
        team=person.team_id or 0,
        support_level=person.support_level or 1,
        is_manager=person.is_manager,
        is_admin=person.is_admin,
        active=person.active,
    )
    del form.email  # the address is the person's sign-in name: shown, not changed here
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                service.update_agent(current_user, person, _agent_values(form), form.password.data)
            except service.AdminError as error:
                form.is_admin.errors = [str(error)]
            else:
                return _saved(".agent", pk=pk)
        status = 422
    return render("admin/agent.html", person=person, form=form, status=status)


# Teams ----------------------------------------------------------------------------------


@bp.route("/teams", methods=["GET", "POST"])
def teams():
    form = KeyNameForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                service.create_team(current_user, form.key.data, form.names())
            except service.AdminError as error:
                form.key.errors = [str(error)]
            else:
                return _saved(".teams")
        status = 422
    rows = list(Team.select().order_by(_by_name(Team)))
    return render("admin/teams.html", teams=rows, form=form, status=status)


@bp.post("/teams/<int:pk>")
def rename_team(pk: int):
    team = _get(Team, pk)
    form = NameForm()
    if form.validate():
        service.rename_team(current_user, team, form.names())
        return _saved(".teams")
    flash(_("Please give a name in each language."), "error")
    return redirect(url_for(".teams"))


# Products -------------------------------------------------------------------------------


@bp.route("/products", methods=["GET", "POST"])
def products():
    form = KeyNameForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                product = service.create_product(current_user, form.key.data, form.names())
            except service.AdminError as error:
                form.key.errors = [str(error)]
            else:
                return _saved(".product", pk=product.id)
        status = 422
    rows = list(Product.select().order_by(_by_name(Product)))
    return render("admin/products.html", products=rows, form=form, status=status)


def _product_page(product, status=200, **forms):
    forms.setdefault("form", ProductForm(obj=product, formdata=None))
    forms.setdefault("version_form", VersionForm(formdata=None))
    forms.setdefault("component_form", KeyNameForm(formdata=None))
    versions = ProductVersion.select().where(ProductVersion.product == product.id)
    components = Component.select().where(Component.product == product.id)
    return render(
        "admin/product.html",
        status=status,
        product=product,
        versions=list(versions.order_by(ProductVersion.position, ProductVersion.id)),
        components=list(components.order_by(_by_name(Component))),
        **forms,
    )


@bp.route("/products/<int:pk>", methods=["GET", "POST"])
def product(pk: int):
    product = _get(Product, pk)
    form = ProductForm(obj=product)
    if form.is_submitted():
        if form.validate():
            service.update_product(current_user, product, form.names(), form.active.data)
            return _saved(".product", pk=pk)
        return _product_page(product, 422, form=form)
    return _product_page(product)


@bp.post("/products/<int:pk>/versions")
def add_version(pk: int):
    product = _get(Product, pk)
    form = VersionForm()
    if form.validate():
        try:
            service.add_version(current_user, product, form.name.data)
        except service.AdminError as error:
            form.name.errors = [str(error)]
        else:
            return _saved(".product", pk=pk)
    return _product_page(product, 422, version_form=form)


@bp.post("/versions/<int:pk>")
def update_version(pk: int):
    version = _get(ProductVersion, pk)
    form = VersionForm()
    if form.validate():
        try:
            service.update_version(current_user, version, form.name.data, form.supported.data)
        except service.AdminError as error:
            flash(str(error), "error")
            return redirect(url_for(".product", pk=version.product_id))
        return _saved(".product", pk=version.product_id)
    flash(_("Please give a version."), "error")
    return redirect(url_for(".product", pk=version.product_id))


@bp.post("/versions/<int:pk>/up")
def version_up(pk: int):
    version = _get(ProductVersion, pk)
    service.move_version(current_user, version, -1)
    return redirect(url_for(".product", pk=version.product_id))


@bp.post("/versions/<int:pk>/down")
def version_down(pk: int):
    version = _get(ProductVersion, pk)
    service.move_version(current_user, version, 1)
    return redirect(url_for(".product", pk=version.product_id))


@bp.post("/products/<int:pk>/components")
def add_component(pk: int):
    product = _get(Product, pk)
    form = KeyNameForm()
    if form.validate():
        try:
            service.add_component(current_user, product, form.key.data, form.names())
        except service.AdminError as error:
            form.key.errors = [str(error)]
        else:
            return _saved(".product", pk=pk)
    return _product_page(product, 422, component_form=form)


@bp.post("/components/<int:pk>")
def rename_component(pk: int):
    component = _get(Component, pk)
    form = NameForm()
    if form.validate():
        service.rename_component(current_user, component, form.names())
        return _saved(".product", pk=component.product_id)
    flash(_("Please give a name in each language."), "error")
    return redirect(url_for(".product", pk=component.product_id))


# Organisations --------------------------------------------------------------------------


def _organisation_values(form: OrganisationForm) -> dict:
    return {
        "name": form.name.data,
        "case_visibility": form.case_visibility.data,
        "is_active": form.is_active.data,
        "account_team": form.account_team_id.data or None,
        "account_manager": form.account_manager_id.data or None,
    }


def _organisation_form(**kwargs) -> OrganisationForm:
    """The organisation form with the teams and the active agents to choose who looks after
    the customer."""
    form = OrganisationForm(**kwargs)
    form.account_team_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(t.id, t.name) for t in Team.select().order_by(_by_name(Team))
    ]
    agents = User.select().where((User.kind == "agent") & User.active).order_by(User.name)
    form.account_manager_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(a.id, a.name) for a in agents
    ]
    for field in (form.account_team_id, form.account_manager_id):
        field.data = field.data or 0  # nobody, when neither the row nor the form names one
    return form


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    form = _organisation_form()
    status = 200
    if form.is_submitted():
        if form.validate():
            organisation = service.create_organisation(current_user, _organisation_values(form))
            return _saved(".organisation", pk=organisation.id)
        status = 422
    rows = list(service.organisations())
    return render("admin/organisations.html", organisations=rows, form=form, status=status)


def _organisation_page(organisation, status=200, **forms):
    # Built only when the caller has none: the organisation form queries teams and agents.
    if "form" not in forms:
        forms["form"] = _organisation_form(obj=organisation, formdata=None)
    if "domain_form" not in forms:
        forms["domain_form"] = DomainForm(formdata=None)
    domains = OrganisationDomain.select().where(OrganisationDomain.organisation == organisation.id)
    return render(
        "admin/organisation.html",
        status=status,
        organisation=organisation,
        domains=list(domains.order_by(OrganisationDomain.domain)),
        **forms,
    )


@bp.route("/organisations/<int:pk>", methods=["GET", "POST"])
def organisation(pk: int):
    organisation = _get(Organisation, pk)
    form = _organisation_form(obj=organisation)
    if form.is_submitted():
        if form.validate():
            service.update_organisation(current_user, organisation, _organisation_values(form))
            return _saved(".organisation", pk=pk)
        return _organisation_page(organisation, 422, form=form)
    return _organisation_page(organisation, form=form)


@bp.post("/organisations/<int:pk>/domains")
def add_domain(pk: int):
    organisation = _get(Organisation, pk)
    form = DomainForm()
    if form.validate():
        try:
            service.add_domain(current_user, organisation, form.domain.data)
        except service.AdminError as error:
            form.domain.errors = [str(error)]
        else:
            return _saved(".organisation", pk=pk)
    return _organisation_page(organisation, 422, domain_form=form)


@bp.post("/domains/<int:pk>/remove")
def remove_domain(pk: int):
    domain = _get(OrganisationDomain, pk)
    service.remove_domain(current_user, domain)
    return _saved(".organisation", pk=domain.organisation_id)


# Settings -------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    """Two-factor for agents and the vendor's face; a picture left empty keeps the old one."""
    values = settings.current()
    form = SettingsForm(
        two_factor_for_agents=values.get(settings.TWO_FACTOR) == "1",
        name=values.get(settings.NAME, ""),
        colour=values.get(settings.COLOUR) or current_policy().branding.colour,
    )
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                settings.save(
                    current_user,
                    two_factor_for_agents=form.two_factor_for_agents.data,
                    name=form.name.data or "",
                    colour=_chosen_colour(form.colour.data or ""),
                    uploads=_uploads(form),
                    removals={kind for kind in settings.IMAGES if form[f"remove_{kind}"].data},
                )
            except settings.SettingsError as error:
                form[error.field].errors = [str(error)]
            else:
                return _saved(".settings_page")
        status = 422
    return render(
        "admin/settings.html",
        form=form,
        status=status,
    )


def _chosen_colour(colour: str) -> str:
    """The colour to keep: none when it is the plugin's own (then the plugin's stays in force)."""
    return "" if colour.lower() == current_policy().branding.colour.lower() else colour


def _uploads(form: SettingsForm) -> dict[str, bytes]:
    return {
        kind: upload.read()
        for kind in settings.IMAGES
        if (upload := form[kind].data) is not None and getattr(upload, "filename", "")
    }
