"""Pages of self-registration (ACC-3) and the vendor's approval of unknown domains."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from helpdesk import ratelimit
from helpdesk.accounts import registration, tokens
from helpdesk.accounts.forms import (
    ApproveRegistrationForm,
    ConfirmForm,
    PasswordCheckForm,
    RegistrationForm,
)
from helpdesk.accounts.models import Approval, Organisation, User
from helpdesk.accounts.tokens import Purpose, State
from helpdesk.i18n import current_language
from helpdesk.permissions import may_decide_registrations
from helpdesk.web import render

bp = Blueprint("registration", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    if not form.is_submitted():
        form.language.data = current_language()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("accounts/register.html", form=form, status=status)
    if not ratelimit.allow("registration_client", request.remote_addr or "unknown"):
        flash(_("Too many registrations from here. Please wait a while and try again."), "error")
        return render("accounts/register.html", form=form, status=429)
    registration.register(form.name.data, form.email.data, form.password.data, form.language.data)
    return render("accounts/register_sent.html", email=form.email.data)


@bp.route("/register/confirm/<secret>", methods=["GET", "POST"])
def confirm(secret):
    state, token = tokens.check(secret, Purpose.CONFIRM)
    if state != State.VALID:
        return render(
            "accounts/link_invalid.html", state=state, purpose=Purpose.CONFIRM, status=410
        )
    form = PasswordCheckForm()  # the password chosen at registration, nothing else
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("accounts/confirm.html", form=form, email=token.user.email, status=status)
    result = registration.confirm(secret, form.password.data)
    if result.state == "password":
        form.password.errors.append(_("This is not the password you chose when registering."))
        return render("accounts/confirm.html", form=form, email=token.user.email, status=422)
    if result.state != State.VALID:
        return render(
            "accounts/link_invalid.html", state=result.state, purpose=Purpose.CONFIRM, status=410
        )
    return render("accounts/confirmed.html", organisation=result.organisation)


def _decider():
    if not may_decide_registrations(current_user):
        abort(404)


@bp.route("/admin/registrations")
@login_required
def pending():
    _decider()
    return _page()


def _page(failed: User | None = None, form=None):
    """The pending people, each with an approval form (the one that failed keeps its input)."""
    people = list(registration.pending())
    forms = {person.id: _approve_form(person.id, formdata=None) for person in people}
    if failed is not None:
        forms[failed.id] = form
    return render(
        "accounts/registrations.html",
        people=people,
        forms=forms,
        reject_form=ConfirmForm(),
        status=422 if failed else 200,
    )


def _approve_form(person_id: int, **kwargs) -> ApproveRegistrationForm:
    """One form per person on the page: the prefix keeps their fields' ids apart."""
    form = ApproveRegistrationForm(prefix=f"r{person_id}", **kwargs)
    organisations = Organisation.select().where(Organisation.is_active).order_by(Organisation.name)
    form.organisation.choices = [SelectChoice(0, "—")] + [
        SelectChoice(o.id, o.name) for o in organisations
    ]
    return form


def _pending_person(user_id: int) -> User:
    user = User.get_or_none((User.id == user_id) & (User.approval == Approval.PENDING))
    if user is None:
        abort(404)
    return user


@bp.route("/admin/registrations/<int:user_id>/approve", methods=["POST"])
@login_required
def approve(user_id):
    _decider()
    person = _pending_person(user_id)
    form = _approve_form(person.id)
    if form.validate():
        organisation = Organisation.get_or_none(
            (Organisation.id == form.organisation.data) & Organisation.is_active
        )
        if (organisation is None) == (not form.new_organisation.data):
            form.new_organisation.errors = [
                _("Choose an existing organisation or name a new one (not both).")
            ]
            return _page(failed=person, form=form)
        joined = registration.approve(
            current_user,
            person,
            organisation,
            form.new_organisation.data,
            form.support_authorised.data,
        )
        flash(
            _("%(name)s joined %(organisation)s.", name=person.name, organisation=joined.name),
            "info",
        )
    return redirect(url_for("registration.pending"))


@bp.route("/admin/registrations/<int:user_id>/reject", methods=["POST"])
@login_required
def reject(user_id):
    _decider()
    person = _pending_person(user_id)
    if ConfirmForm().validate():
        registration.reject(current_user, person)
        flash(_("The registration of %(name)s is rejected.", name=person.name), "info")
    return redirect(url_for("registration.pending"))
