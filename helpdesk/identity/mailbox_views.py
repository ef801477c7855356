"""``/admin/mailboxes``: where the mail connections' OAuth2 tokens come from, their state,
and a test that fetches a token and signs in to the mail server."""

import imaplib
import smtplib

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk import audit
from helpdesk.db import db
from helpdesk.identity import mailbox, service
from helpdesk.identity.forms import StartForm
from helpdesk.identity.mailbox_forms import MailboxForm
from helpdesk.mail import transport
from helpdesk.mail.inbound import imap
from helpdesk.permissions import require_admin
from helpdesk.web import render

bp = Blueprint("mailboxes", __name__, url_prefix="/admin/mailboxes")


@bp.before_request
@require_admin
def _admins_only():
    """Every page here is for vendor admins."""


def _purpose(purpose: str) -> str:
    if purpose not in mailbox.PURPOSES:
        abort(404)
    return purpose


def _page(forms=None, status=200, tested=None):
    rows = {purpose: mailbox.configured(purpose) for purpose in mailbox.PURPOSES}
    forms = forms or {}
    for purpose, row in rows.items():
        if purpose not in forms:
            forms[purpose] = MailboxForm(prefix=purpose, obj=row, formdata=None)
            forms[purpose].client_secret.data = forms[purpose].refresh_token.data = ""
    response = render(
        "identity/mailboxes.html",
        rows=rows,
        forms=forms,
        test_form=StartForm(),
        presets=mailbox.PRESETS,
        tested=tested,
        status=status,
    )
    # The consent buttons' POST is answered with a redirect to the provider.
    return service.forms_may_go_to(response, [mailbox.consent_site(r) for r in rows.values() if r])


@bp.route("")
def index():
    return _page()


@bp.route("/<purpose>", methods=["POST"])
def save(purpose: str):
    _purpose(purpose)
    form = MailboxForm(prefix=purpose)
    row = mailbox.configured(purpose)
    if form.validate() and not (row is None and not form.client_secret.data):
        values = _values(form, purpose)
        if values["host"] and not (values["port"] and values["security"]):
            form.port.errors = [_("Please give the port and the security of this server.")]
        elif values["token_url"]:
            with db.atomic():
                saved = mailbox.save(
                    purpose, values, form.client_secret.data, form.refresh_token.data or None
                )
                audit.record(current_user, "mailbox.oauth2", saved, None, _logged(values))
            flash(_("Saved."), "info")
            return redirect(url_for(".index"))
        else:
            form.token_url.errors = [_("Please give the token address (or the tenant ID).")]
    elif row is None and not form.client_secret.data:
        form.client_secret.errors = [_("Please give the client secret.")]
    return _page({purpose: form}, status=422)


def _values(form: MailboxForm, purpose: str) -> dict:
    preset = mailbox.PRESETS.get(form.preset.data, {})
    token_url = form.token_url.data or ""
    if not token_url and preset:
        tenant = form.tenant.data or ""
        if "{tenant}" not in preset["token_url"] or tenant:
            token_url = preset["token_url"].replace("{tenant}", tenant)
    scope = form.scope.data
    if not scope and preset:
        scope = preset["scope_consent" if form.refresh_token.data else "scope_app"]
    return {
        **_server(form, preset.get(purpose, {})),
        "preset": form.preset.data,
        "token_url": token_url,
        "authorize_url": form.authorize_url.data or "",
        "client_id": form.client_id.data,
        "scope": scope or "",
        "username": form.username.data,
    }


def _server(form: MailboxForm, preset: dict) -> dict:
    """The mail server as given, each part left empty taken from the preset."""
    host = form.host.data or preset.get("host", "")
    if not host:
        return {"host": "", "port": None, "security": ""}
    return {
        "host": host,
        "port": form.port.data or preset.get("port"),
        "security": form.security.data or preset.get("security", ""),
    }


def _logged(values: dict) -> dict:
    keys = ("preset", "token_url", "client_id", "username", "host", "port", "security")
    return {key: values[key] for key in keys}


#: Session key: the consent under way (purpose, state, PKCE verifier).
CONSENT = "mailbox_consent"


@bp.route("/<purpose>/consent", methods=["POST"])
def consent(purpose: str):
    """Send the admin to the provider to consent once; the answer brings a refresh token."""
    _purpose(purpose)
    if not StartForm().validate():
        abort(400)
    row = mailbox.configured(purpose)
    if row is None:
        flash(_("OAuth2 is not set up for this connection."), "error")
        return redirect(url_for(".index"))
    try:
        url, state, verifier = mailbox.begin_consent(row, _consent_url())
    except mailbox.TokenError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    session[CONSENT] = {"purpose": purpose, "state": state, "verifier": verifier}
    return redirect(url)


def _consent_url() -> str:
    return url_for(".consent_done", _external=True)


@bp.route("/consent")
def consent_done():
    pending = session.pop(CONSENT, None)
    state = request.args.get("state", "")
    if not pending or not state or state != pending["state"]:
        flash(_("This consent was started elsewhere or used already. Please start again."), "error")
        return redirect(url_for(".index"))
    row = mailbox.configured(pending["purpose"])
    if row is None or request.args.get("error") or not request.args.get("code"):
        error = request.args.get("error", "")[:100]
        flash(_("The provider gave no consent (%(error)s).", error=error), "error")
        return redirect(url_for(".index"))
    try:
        with db.atomic():
            mailbox.finish_consent(row, _consent_url(), request.args["code"], pending["verifier"])
            audit.record(current_user, "mailbox.oauth2", row, None, {"consent": row.username})
    except mailbox.TokenError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    flash(_("Consent stored: the connection has a refresh token."), "info")
    return redirect(url_for(".index"))


@bp.route("/<purpose>/test", methods=["POST"])
def test(purpose: str):
    _purpose(purpose)
    if not StartForm().validate():
        abort(400)
    return _page(tested={purpose: _try(purpose)})


def _try(purpose: str) -> str | None:
    """None when a token came and the mail server took it; else what failed, in plain words."""
    row = mailbox.configured(purpose)
    if row is None:
        return _("OAuth2 is not set up for this connection.")
    try:
        mailbox.refresh(row)
    except mailbox.TokenError as error:
        return str(error)
    config = current_app.config
    try:
        if purpose == "smtp":
            transport.connect(config).quit()
        elif not mailbox.server("imap", config)[0]:
            return _("A token came, but no IMAP server is configured (IMAP_HOST).")
        else:
            imap.connect(config).logout()
    except (smtplib.SMTPAuthenticationError, imaplib.IMAP4.error) as error:
        return _("A token came, but the mail server refused it: %(error)s", error=error)
    except (smtplib.SMTPException, OSError) as error:
        return _("The mail server cannot be reached: %(error)s", error=error)
    return None
