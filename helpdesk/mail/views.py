"""``/admin/outbox``: what the portal sent, what it still tries, and sending a message again.

Only vendor admins see it; everyone else gets a 404, as if it did not exist.
"""

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import page_number
from helpdesk.mail import outbox, reading
from helpdesk.mail.models import OutboxMessage, State
from helpdesk.permissions import require_admin
from helpdesk.web import render

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

PER_PAGE = 50

STATE_LABELS = {
    State.PENDING: _l("waiting"),
    State.SENDING: _l("sending"),
    State.SENT: _l("sent"),
    State.FAILED: _l("failed, trying again"),
    State.DEAD: _l("given up"),
}

#: The states from which an admin may send a message again.
RESENDABLE = (State.FAILED, State.DEAD)


@bp.before_request
@require_admin
def _admins_only():
    """Every page here is for vendor admins."""


@bp.get("")
def index():
    state = request.args.get("state")
    if state not in STATE_LABELS:
        state = None
    page = page_number(request.args.get("page"))
    rows = list(OutboxMessage.latest(state).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))
    return render(
        "admin/outbox.html",
        messages=rows[:PER_PAGE],
        has_next=len(rows) > PER_PAGE,
        page=page,
        state=state,
        states=STATE_LABELS,
        resendable=RESENDABLE,
    )


@bp.post("/<int:pk>/resend")
def resend(pk: int):
    if OutboxMessage.get_or_none(OutboxMessage.id == pk) is None:
        abort(404)
    if outbox.requeue(pk, current_user):
        flash(_("The message is being sent again."), "info")
    else:
        flash(_("Only failed messages can be sent again."), "error")
    state = request.form.get("state")
    return redirect(url_for(".index", state=state if state in STATE_LABELS else None))


#: The HTML part of a mail, shown alone: no script, no form, no request to any other host;
#: its links open (they are what an admin follows in the demo: reset, registration).
MAIL_HTML_POLICY = (
    "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation; "
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def _message_or_404(pk: int) -> OutboxMessage:
    message = OutboxMessage.get_or_none(OutboxMessage.id == pk)
    if message is None:
        abort(404)
    return message


@bp.get("/<int:pk>")
def detail(pk: int):
    """One mail as its recipient reads it: headers, the text with clickable links, and a
    link to the HTML part."""
    message = _message_or_404(pk)
    return render(
        "admin/outbox_detail.html",
        message=message,
        mail=reading.readable(message),
        states=STATE_LABELS,
    )


@bp.get("/<int:pk>/html")
def html(pk: int):
    mail = reading.readable(_message_or_404(pk))
    if mail.html is None:
        abort(404)
    response = make_response(mail.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = MAIL_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
