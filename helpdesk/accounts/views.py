"""Sign-in, sign-out and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk import ratelimit
from helpdesk.accounts import service
from helpdesk.accounts.forms import SignInForm
from helpdesk.web import render

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
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
        return render("accounts/sign_in.html", form=form)
    if form.validate():
        if not _allowed_to_try(form.email.data):
            flash(_("Too many sign-in attempts. Please wait a few minutes and try again."), "error")
            return render("accounts/sign_in.html", form=form, status=429)
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            language = session.get("language")
            session.clear()  # a fresh session at sign-in: no fixation
            if language and not user.language:
                service.set_language(user, language)  # the choice made before signing in
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(form.next.data) or url_for("home.index"))
        flash(_("The e-mail address or the password is not right."), "error")
    return render("accounts/sign_in.html", form=form, status=422)


def _allowed_to_try(email: str) -> bool:
    """Count this attempt against the address it comes from and the account it names."""
    by_address = ratelimit.allow("sign_in_address", request.remote_addr or "unknown")
    by_account = ratelimit.allow("sign_in_account", service.normalise_email(email))
    return by_address and by_account


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/language", methods=["POST"])
def language():
    chosen = request.form.get("language", "")
    if chosen not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = chosen
    if current_user.is_authenticated:
        service.set_language(current_user, chosen)
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"))
