"""Pages of personal access tokens: ``/account/tokens`` (one's own: make, list, revoke) and
``/organisation/tokens`` (a portal admin: their people's tokens)."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.api import tokens
from helpdesk.api.forms import TokenForm
from helpdesk.permissions import require_portal_admin
from helpdesk.timeutil import utcnow
from helpdesk.web import render

bp = Blueprint("tokens", __name__)


def _form(formdata=None) -> TokenForm:
    form = TokenForm(formdata=formdata) if formdata is not None else TokenForm()
    form.scopes.choices = tokens.available_scopes(current_user)
    if not form.is_submitted():
        form.expires_on.data = utcnow().date() + timedelta(days=90)
        form.scopes.data = ["cases:read"]
    return form


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render(
        "api/tokens.html",
        status=status,
        form=form,
        secret=secret,
        tokens=tokens.tokens_of(current_user),
        scope_labels=tokens.SCOPES,
        now=utcnow(),
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    form = _form()
    if not form.is_submitted():
        return _page(form)
    if form.validate():
        try:
            secret, _token = tokens.create(
                current_user, form.name.data, form.expires_on.data, form.scopes.data
            )
        except tokens.TokenError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            # Shown on this answer only: never stored, never redirected to.
            return _page(_form(), secret=secret, status=201)
    return _page(form, status=422)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = tokens.token_for(current_user, token_id)
    if token is None:
        abort(404)
    tokens.revoke(current_user, token)
    flash(_("The token %(name)s is revoked.", name=token.name), "info")
    if token.user_id != current_user.id and request.form.get("back") == "organisation":
        return redirect(url_for(".organisation"), 303)
    return redirect(url_for(".index"), 303)


@bp.get("/organisation/tokens")
@require_portal_admin
def organisation():
    return render(
        "api/organisation_tokens.html",
        tokens=tokens.tokens_of_organisation(current_user.organisation_id),
        scope_labels=tokens.SCOPES,
        now=utcnow(),
    )
