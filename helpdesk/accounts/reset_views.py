"""Pages of the forgotten password (ACC-2); the work is in ``helpdesk.accounts.reset``."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from helpdesk import ratelimit
from helpdesk.accounts import service, tokens
from helpdesk.accounts.forms import ForgotPasswordForm, ResetPasswordForm
from helpdesk.accounts.reset import request_reset, reset_password
from helpdesk.accounts.tokens import Purpose, State
from helpdesk.web import render

bp = Blueprint("reset", __name__)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("accounts/forgot.html", form=form, status=status)
    by_client = ratelimit.allow("reset_client", request.remote_addr or "unknown")
    by_address = ratelimit.allow("reset_address", service.normalise_email(form.email.data))
    if not (by_client and by_address):
        flash(_("Too many requests. Please wait a while and try again."), "error")
        return render("accounts/forgot.html", form=form, status=429)
    request_reset(form.email.data)
    return render("accounts/forgot_sent.html", email=form.email.data)


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset(secret):
    state, token = tokens.check(secret, Purpose.RESET)
    if state != State.VALID:
        return render("accounts/link_invalid.html", state=state, purpose=Purpose.RESET, status=410)
    form = ResetPasswordForm()
    form.person = token.user
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("accounts/reset.html", form=form, secret=secret, status=status)
    state = reset_password(secret, form.password.data)
    if state != State.VALID:
        return render("accounts/link_invalid.html", state=state, purpose=Purpose.RESET, status=410)
    flash(_("Your new password is set. Please sign in with it."), "info")
    return redirect(url_for("accounts.sign_in"))
