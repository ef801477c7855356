"""Sign-in, sign-out and the language switch."""

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk import ratelimit
from helpdesk.accounts import service, sessions, two_factor
from helpdesk.accounts.forms import SignInForm, TwoFactorCodeForm
from helpdesk.accounts.models import Approval, User
from helpdesk.identity import service as sso
from helpdesk.web import render

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative ``//`` trick."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm(next=request.args.get("next", ""))
    if not form.is_submitted():
        return _sign_in_page(form)
    if form.validate():
        if not _allowed_to_try(form.email.data):
            flash(_("Too many sign-in attempts. Please wait a few minutes and try again."), "error")
            return _sign_in_page(form, 429)
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None and not sessions.may_sign_in(user):
            # Only said to whoever knows the password: it reveals nothing to anyone else.
            flash(_not_in(user), "error")
            return _sign_in_page(form, 403)
        if user is not None:
            language = session.get("language")
            session.clear()  # a fresh session at sign-in: no fixation
            if language and not user.language:
                service.set_language(user, language)  # the choice made before signing in
            if two_factor.enabled(user):
                # Half signed in: the session names the account, the login waits for a code.
                session[HALF_SIGNED_IN] = {
                    "user": user.id,
                    "remember": bool(form.remember.data),
                    "next": safe_next(form.next.data),
                    "at": time.time(),
                }
                return redirect(url_for("accounts.second_factor"))
            login_user(sessions.start(user), remember=form.remember.data)
            return redirect(safe_next(form.next.data) or url_for("home.index"))
        flash(_("The e-mail address or the password is not right."), "error")
    return _sign_in_page(form, 422)


def _sign_in_page(form, status=200):
    """The sign-in page, with a button for each company sign-in (single sign-on) there is."""
    providers = list(sso.active_providers())
    response = render("accounts/sign_in.html", form=form, providers=providers, status=status)
    # Each button's POST is answered with a redirect to its provider's site.
    return sso.forms_may_go_to(response, [p.issuer for p in providers])


def _not_in(user) -> str:
    if user.approval == Approval.APPROVED:  # then its organisation is deactivated
        return _("Your organisation's access to the portal is switched off. Please contact us.")
    if user.approval == Approval.UNCONFIRMED:
        return _("Please confirm your address first: follow the link in the mail we sent you.")
    if user.approval == Approval.PENDING:
        return _("Your registration waits for approval by our support team. We will write to you.")
    return _("Your registration was not approved.")


#: Session key of a sign-in that waits for its second factor; it lasts this many seconds.
HALF_SIGNED_IN = "half_signed_in"
HALF_SIGNED_IN_SECONDS = 600


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor():
    pending = session.get(HALF_SIGNED_IN)
    if not pending or time.time() - pending["at"] > HALF_SIGNED_IN_SECONDS:
        session.pop(HALF_SIGNED_IN, None)
        return redirect(url_for("accounts.sign_in"))
    user = User.get_or_none(User.id == pending["user"])
    if user is None or not sessions.may_sign_in(user):
        session.pop(HALF_SIGNED_IN, None)
        return redirect(url_for("accounts.sign_in"))
    form = TwoFactorCodeForm()
    if not form.is_submitted():
        return render("accounts/second_factor.html", form=form)
    if form.validate():
        if not ratelimit.allow("totp_account", str(user.id)):
            flash(_("Too many codes tried. Please wait a few minutes and try again."), "error")
            return render("accounts/second_factor.html", form=form, status=429)
        if two_factor.verify(user, form.code.data):
            session.pop(HALF_SIGNED_IN, None)
            login_user(sessions.start(user), remember=pending["remember"])
            return redirect(pending["next"] or url_for("home.index"))
        form.code.errors.append(_("This code is not right (or was used already)."))
    form.code.data = ""
    return render("accounts/second_factor.html", form=form, status=422)


def _allowed_to_try(email: str) -> bool:
    """Count this attempt against the address it comes from and the account it names."""
    by_address = ratelimit.allow("sign_in_address", request.remote_addr or "unknown")
    by_account = ratelimit.allow("sign_in_account", service.normalise_email(email))
    return by_address and by_account


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    sessions.end(current_user)
    return _signed_out(_("You are signed out."))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every sign-in of the person, this one and every remember-me cookie included."""
    sessions.end_all(current_user)
    return _signed_out(_("You are signed out on every device."))


def _signed_out(message: str):
    session.clear()
    logout_user()  # after clearing: it leaves the mark that deletes the remember-me cookie
    flash(message, "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/language", methods=["POST"])
def language():
    chosen = request.form.get("language", "")
    if chosen not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = chosen
    if current_user.is_authenticated:
        service.set_language(current_user, chosen)
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
