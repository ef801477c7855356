"""Single sign-on pages: the choice of provider, the provider's answer, and the admin's
provider pages (``/admin/sign-in-providers``)."""

import time

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from helpdesk.accounts import sessions, two_factor
from helpdesk.accounts.views import HALF_SIGNED_IN, safe_next
from helpdesk.identity import service
from helpdesk.identity.forms import ProviderForm, StartForm
from helpdesk.identity.models import SignInProvider
from helpdesk.permissions import require_admin
from helpdesk.web import render

bp = Blueprint("sso", __name__)

#: Session key: the state of the sign-in this browser sent to a provider.
STATE = "sso_state"


@bp.route("/sign-in/sso")
def choose():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = StartForm(next=request.args.get("next", ""))
    providers = list(service.active_providers())
    response = render("identity/choose.html", providers=providers, form=form)
    # The buttons' POST is answered with a redirect to the provider: browsers hold a form's
    # redirects to form-action, so this page lets the providers' own sites in as well.
    return service.forms_may_go_to(response, [p.issuer for p in providers])


@bp.route("/sign-in/sso/<int:pk>", methods=["POST"])
def start(pk: int):
    provider = SignInProvider.get_or_none((SignInProvider.id == pk) & SignInProvider.active)
    if provider is None:
        abort(404)
    form = StartForm()
    if not form.validate():
        abort(400)
    try:
        url, state = service.begin(provider, _callback_url(), safe_next(form.next.data))
    except service.SignInRefused as refused:
        return _refused(refused)
    session[STATE] = state
    return redirect(url)


def _callback_url() -> str:
    return url_for("sso.callback", _external=True)


@bp.route("/sign-in/sso/callback")
def callback():
    expected = session.pop(STATE, None)
    try:
        outcome = service.finish(
            state=request.args.get("state", ""),
            expected_state=expected,
            code=request.args.get("code", ""),
            error=request.args.get("error", ""),
            redirect_uri=_callback_url(),
        )
    except service.SignInRefused as refused:
        return _refused(refused)
    user = outcome.user
    language = session.get("language")
    session.clear()  # a fresh session at sign-in: no fixation
    if language:
        session["language"] = language
    if two_factor.enabled(user) and not outcome.mfa_done:
        session[HALF_SIGNED_IN] = {
            "user": user.id,
            "remember": False,
            "next": outcome.next_url,
            "at": time.time(),
        }
        return redirect(url_for("accounts.second_factor"))
    login_user(sessions.start(user))
    return redirect(outcome.next_url or url_for("home.index"))


def _refused(refused: service.SignInRefused):
    flash(str(refused.message), "error")
    return redirect(url_for("accounts.sign_in"))


# The admin's pages ----------------------------------------------------------------------


@bp.route("/admin/sign-in-providers", methods=["GET", "POST"])
@require_admin
def providers():
    form = ProviderForm()
    status = 200
    if form.is_submitted():
        if not form.client_secret.data:
            form.client_secret.errors = [_("Please give the client secret.")]
        elif form.validate():
            provider = service.create_provider(current_user, form.values(), form.client_secret.data)
            flash(_("Saved."), "info")
            return redirect(url_for("sso.provider", pk=provider.id))
        status = 422
    return render(
        "identity/providers.html", providers=list(service.providers()), form=form, status=status
    )


@bp.route("/admin/sign-in-providers/<int:pk>", methods=["GET", "POST"])
@require_admin
def provider(pk: int):
    found = _provider(pk)
    form = _filled(found) if request.method == "GET" else ProviderForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            service.update_provider(current_user, found, form.values(), form.client_secret.data)
            flash(_("Saved."), "info")
            return redirect(url_for("sso.provider", pk=found.id))
        status = 422
    return _provider_page(found, form, status)


def _provider_page(found, form, status=200, problem=None, tested=False):
    return render(
        "identity/provider.html",
        provider=found,
        form=form,
        test_form=StartForm(),
        callback_url=_callback_url(),
        problem=problem,
        tested=tested,
        status=status,
    )


@bp.route("/admin/sign-in-providers/<int:pk>/test", methods=["POST"])
@require_admin
def test(pk: int):
    found = _provider(pk)
    if not StartForm().validate():
        abort(400)
    problem = service.test_connection(found)
    return _provider_page(found, _filled(found), problem=problem, tested=True)


def _filled(found: SignInProvider) -> ProviderForm:
    form = ProviderForm(obj=found)
    form.client_secret.data = ""  # never sent back, not even encrypted
    return form


def _provider(pk: int) -> SignInProvider:
    found = SignInProvider.get_or_none(SignInProvider.id == pk)
    if found is None:
        abort(404)
    return found
