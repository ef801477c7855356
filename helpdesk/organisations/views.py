"""Pages of the organisation's administration: users (ACC-4), profile (ACC-6), audit log.

The portal admin manages their own organisation under ``/organisation/...``; a vendor admin
reaches the same user page of any organisation under ``/admin/organisations/<id>/users``.
Everyone else, and every id of another organisation, gets a 404. A change answers an htmx
request with the changed row, and a plain form post with a redirect to the list.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import audit
from helpdesk.accounts.models import Kind, Organisation, User
from helpdesk.inputs import page_number
from helpdesk.organisations import service
from helpdesk.organisations.forms import FLAG_LABELS, ROLE_LABELS, NewsAddressForm, ProfileForm
from helpdesk.organisations.models import NewsAddress
from helpdesk.permissions import (
    is_portal_admin,
    may_administer,
    may_manage_organisation,
    require_admin,
)
from helpdesk.reports import audit_filters
from helpdesk.web import render

bp = Blueprint("organisation", __name__)

AUDIT_PER_PAGE = 50


def _own_organisation() -> Organisation:
    if not is_portal_admin(current_user):
        abort(404)
    return current_user.organisation


def _users_url(organisation_id: int) -> str:
    if current_user.is_agent:
        return url_for(".admin_users", organisation_id=organisation_id)
    return url_for(".users")


def _users_page(organisation: Organisation):
    return render(
        "organisations/users.html",
        organisation=organisation,
        users=list(service.users_of(organisation.id)),
        roles=ROLE_LABELS,
        flags=FLAG_LABELS,
    )


@bp.get("/organisation/users")
@login_required
def users():
    return _users_page(_own_organisation())


@bp.get("/admin/organisations/<int:organisation_id>/users")
@require_admin
def admin_users(organisation_id: int):
    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        abort(404)
    return _users_page(organisation)


def _managed_user(user_id: int) -> User:
    user = User.get_or_none((User.id == user_id) & (User.kind == Kind.CUSTOMER))
    if user is None or not may_manage_organisation(current_user, user.organisation_id):
        abort(404)
    return user


def _answer(user: User, error: str | None = None):
    """The changed row for htmx, else back to the list with the outcome as a message."""
    if request.htmx:
        body = render_template(
            "organisations/_user_row.html",
            person=User.get_by_id(user.id),
            roles=ROLE_LABELS,
            flags=FLAG_LABELS,
            error=error,
        )
        return body, 422 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Saved."), "info")
    return redirect(_users_url(user.organisation_id))


def _apply(user_id: int, change):
    user = _managed_user(user_id)
    try:
        change(user)
    except service.RuleError as error:
        return _answer(user, str(error))
    except LookupError:
        abort(404)
    return _answer(user)


@bp.post("/organisation/users/<int:user_id>/rights")
@login_required
def rights(user_id: int):
    flags = {name: name in request.form for name in FLAG_LABELS}
    role = request.form.get("role", "")
    return _apply(user_id, lambda user: service.set_rights(current_user, user, role, flags))


@bp.post("/organisation/users/<int:user_id>/disable")
@login_required
def disable(user_id: int):
    return _apply(user_id, lambda user: service.set_active(current_user, user, False))


@bp.post("/organisation/users/<int:user_id>/enable")
@login_required
def enable(user_id: int):
    return _apply(user_id, lambda user: service.set_active(current_user, user, True))


@bp.post("/organisation/users/<int:user_id>/remove")
@login_required
def remove(user_id: int):
    user = _managed_user(user_id)
    try:
        service.remove(current_user, user)
    except service.RuleError as error:
        flash(str(error), "error")
    else:
        flash(_("The person was removed; their cases stay with the organisation."), "info")
    return redirect(_users_url(user.organisation_id))


@bp.route("/organisation/profile", methods=["GET", "POST"])
@login_required
def profile():
    organisation = _own_organisation()
    form = ProfileForm(obj=organisation)
    status = 200
    if form.is_submitted():
        if form.validate():
            service.update_profile(current_user, organisation, form.data)
            flash(_("Saved."), "info")
            return redirect(url_for(".profile"))
        status = 422
    return _profile_page(organisation, form, NewsAddressForm(formdata=None), status)


def _profile_page(organisation, form, news_form, status=200):
    addresses = NewsAddress.select().where(NewsAddress.organisation == organisation.id)
    return render(
        "organisations/profile.html",
        status=status,
        organisation=organisation,
        form=form,
        news_form=news_form,
        news_addresses=list(addresses.order_by(NewsAddress.id)),
        max_news=service.MAX_NEWS_ADDRESSES,
    )


@bp.post("/organisation/news")
@login_required
def add_news():
    organisation = _own_organisation()
    news_form = NewsAddressForm()
    if news_form.validate():
        try:
            service.add_news_address(current_user, organisation, news_form.email.data)
        except service.RuleError as error:
            flash(str(error), "error")  # the form is gone when the list is full
        else:
            flash(
                _("We sent a confirmation link to %(email)s.", email=news_form.email.data), "info"
            )
            return redirect(url_for(".profile"))
    return _profile_page(organisation, ProfileForm(obj=organisation, formdata=None), news_form, 422)


@bp.post("/organisation/news/<int:address_id>/remove")
@login_required
def remove_news(address_id: int):
    organisation = _own_organisation()
    address = NewsAddress.get_or_none(
        (NewsAddress.id == address_id) & (NewsAddress.organisation == organisation.id)
    )
    if address is None:
        abort(404)
    service.remove_news_address(current_user, address)
    flash(_("The address gets no more news."), "info")
    return redirect(url_for(".profile"))


@bp.route("/news/confirm/<token>", methods=["GET", "POST"])
def confirm_news(token: str):
    """A link from mail: the GET only asks, the button's POST confirms (mail scanners open
    links, and they must not confirm an address on their own)."""
    address = service.news_address_for_token(token)
    if address is None:
        return render("organisations/news_confirm.html", address=None, status=404)
    if request.method == "POST":
        address = service.confirm_news_address(address)
    return render("organisations/news_confirm.html", address=address, token=token)


@bp.get("/audit")
@login_required
def audit_log():
    """Vendor admins read the whole log, a portal admin their organisation's."""
    vendor = may_administer(current_user)
    organisation_id = None if vendor else _own_organisation().id
    page = page_number(request.args.get("page"))
    found = audit_filters.parse(request.args, vendor, organisation_id)
    query = audit.entries(**found.query).offset((page - 1) * AUDIT_PER_PAGE)
    rows = list(query.limit(AUDIT_PER_PAGE + 1))
    return render(
        "organisations/audit.html",
        status=422 if found.problem else 200,
        rows=rows[:AUDIT_PER_PAGE],
        page=page,
        has_next=len(rows) > AUDIT_PER_PAGE,
        field_label=audit.field_label,
        value_text=audit.value_text,
        filters=found,
        choices=audit_filters.choices(vendor, organisation_id),
    )
