"""The page where agents and portal admins turn the second factor on and off (ACC-1).

Turning it on: a new secret is kept in the session (not the account) until a code from the
app proves it was set up; then the account gets it and the recovery codes are shown once.
"""

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import ratelimit
from helpdesk.accounts import two_factor
from helpdesk.accounts.forms import ConfirmForm, PasswordCheckForm, TwoFactorCodeForm
from helpdesk.accounts.passwords import verify_password
from helpdesk.admin import settings
from helpdesk.web import render

bp = Blueprint("two_factor", __name__)

SETUP_SECRET = "totp_setup_secret"
#: What an agent who must still set up the second factor may reach: this page, signing out,
#: the language and the pages' style and pictures (the API signs in by token, not session).
SETUP_ENDPOINTS = ("static", "accounts.sign_out", "accounts.language")


@bp.before_app_request
def _second_factor_first():
    """When the admin requires two-factor sign-in for agents (``/admin/settings``), an agent
    without it is sent to set it up before anything else: at sign-in and on every page."""
    endpoint = request.endpoint or ""
    if (
        not current_user.is_authenticated
        or endpoint in SETUP_ENDPOINTS
        or endpoint.startswith(("two_factor.", "api.", "home.brand"))
        or not settings.two_factor_required(current_user)
        or two_factor.enabled(current_user)
    ):
        return None
    if request.method == "GET":
        flash(_("Please set up two-factor sign-in first: it is required for agents."), "error")
    return redirect(url_for("two_factor.index"), 303)


def _eligible():
    if not two_factor.eligible(current_user):
        abort(404)
    return current_user


def _page(status=200, **context):
    user = current_user
    context.setdefault("start_form", ConfirmForm())
    context.setdefault("disable_form", PasswordCheckForm())
    context.setdefault("renew_form", PasswordCheckForm(prefix="renew"))
    return render(
        "accounts/two_factor.html",
        enabled=two_factor.enabled(user),
        codes_left=two_factor.recovery_codes_left(user) if two_factor.enabled(user) else 0,
        status=status,
        **context,
    )


@bp.route("/account/two-factor")
@login_required
def index():
    _eligible()
    return _page()


def _setup(form, secret, status=200):
    uri = two_factor.provisioning_uri(current_user, secret)
    return _page(
        status=status, setup_form=form, secret=secret, uri=uri, qr_code=two_factor.qr_code(uri)
    )


@bp.route("/account/two-factor/setup", methods=["POST"])
@login_required
def setup():
    user = _eligible()
    if two_factor.enabled(user) or not ConfirmForm().validate():
        return redirect(url_for("two_factor.index"))
    secret = two_factor.new_secret()
    session[SETUP_SECRET] = secret
    return _setup(TwoFactorCodeForm(formdata=None), secret)


@bp.route("/account/two-factor/confirm", methods=["POST"])
@login_required
def confirm():
    user = _eligible()
    secret = session.get(SETUP_SECRET)
    if two_factor.enabled(user) or not secret:
        return redirect(url_for("two_factor.index"))
    form = TwoFactorCodeForm()
    if not form.validate():
        return _setup(form, secret, status=422)
    if not ratelimit.allow("totp_account", str(user.id)):
        form.code.errors.append(_("Too many codes tried. Please wait a few minutes and try again."))
        return _setup(form, secret, status=429)
    codes = two_factor.enable(user, secret, form.code.data)
    if codes is None:
        form.code.errors.append(_("This code is not right. Check the time on your phone."))
        return _setup(form, secret, status=422)
    session.pop(SETUP_SECRET, None)
    return _page(codes=codes)


def _password_confirmed(user, form) -> bool:
    """Whether ``form`` holds ``user``'s password (tries count against the code limit)."""
    if not form.validate():
        return False
    if not ratelimit.allow("totp_account", str(user.id)) or not verify_password(
        user.password_hash, form.password.data
    ):
        form.password.errors.append(_("This is not your password."))
        return False
    return True


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def renew_recovery_codes():
    """Ten new recovery codes in place of the old ones (all of them stop working), for
    someone who used some up or lost the list; the password proves it is them."""
    user = _eligible()
    if not two_factor.enabled(user):
        return redirect(url_for("two_factor.index"))
    form = PasswordCheckForm(prefix="renew")
    if not _password_confirmed(user, form):
        return _page(status=422, renew_form=form)
    return _page(codes=two_factor.new_recovery_codes(user))


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def disable():
    user = _eligible()
    if settings.two_factor_required(user):
        flash(_("Two-factor sign-in is required for agents: it stays on."), "error")
        return redirect(url_for("two_factor.index"))
    form = PasswordCheckForm()
    if not _password_confirmed(user, form):
        return _page(status=422, disable_form=form)
    two_factor.disable(user)
    flash(_("Sign-in asks for no code any more."), "info")
    return redirect(url_for("two_factor.index"))
