"""``/admin/inbound``: held and failed mail for vendor admins, the original mail for agents.

An admin accepts a held mail by naming the customer to open it for, refuses it, or has a
failed one processed again. Every agent may read the original of a mail that became a case
entry (linked from the timeline). Everyone else gets a 404, as if none of it existed.
"""

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.accounts.models import Kind, User
from helpdesk.accounts.service import normalise_email
from helpdesk.cases.errors import CaseError
from helpdesk.db import Prepared
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import page_number
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.inbound.parse import parse
from helpdesk.permissions import may_administer, require_admin, require_agent
from helpdesk.web import render

bp = Blueprint("inbound", __name__, url_prefix="/admin/inbound")

PER_PAGE = 50

STATE_LABELS = {
    InboundState.HELD: _l("held"),
    InboundState.FAILED: _l("failed"),
    InboundState.TAKEN: _l("taken"),
    InboundState.REFUSED: _l("refused"),
    InboundState.IGNORED: _l("ignored (automatic)"),
}

#: What the list shows unless asked otherwise: what waits for an admin.
ATTENTION = (InboundState.HELD, InboundState.FAILED)


@bp.before_request
@require_agent
def _agents_only():
    """Agents read originals; everything else here is for vendor admins (``require_admin``)."""


def _row(pk: int) -> InboundMessage:
    row = InboundMessage.get_or_none(InboundMessage.id == pk)
    if row is None:
        abort(404)
    return row


@bp.get("")
@require_admin
def index():
    state = request.args.get("state")
    if state not in STATE_LABELS and state != "all":
        state = None
    page = page_number(request.args.get("page"))
    fields = [f for f in InboundMessage._meta.sorted_fields if f is not InboundMessage.raw]
    query = InboundMessage.select(*fields)
    if state is None:
        query = query.where(InboundMessage.state.in_(ATTENTION))
    elif state != "all":
        query = query.where(InboundMessage.state == state)
    query = query.order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    rows = list(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))
    return render(
        "admin/inbound.html",
        messages=rows[:PER_PAGE],
        has_next=len(rows) > PER_PAGE,
        page=page,
        state=state,
        states=STATE_LABELS,
    )


@bp.get("/<int:pk>")
@require_admin
def detail(pk: int):
    row = _row(pk)
    parsed = parse(bytes(row.raw))
    return render("admin/inbound_detail.html", message=row, parsed=parsed, states=STATE_LABELS)


@bp.get("/<int:pk>/raw")
def raw(pk: int):
    """The mail exactly as it came, as a download: never rendered by the browser."""
    row = InboundMessage.get_or_none(InboundMessage.id == pk)
    if row is None or (row.case_id is None and not may_administer(current_user)):
        abort(404)
    return Response(
        bytes(row.raw),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="mail-{row.id}.eml"'},
    )


@bp.post("/<int:pk>/accept")
@require_admin
def accept(pk: int):
    row = _row(pk)
    address = normalise_email(request.form.get("customer", ""))
    customer = User.get_or_none(
        (User.email == address) & (User.kind == Kind.CUSTOMER) & User.active
    )
    if customer is None:
        flash(_("There is no active customer user with this address."), "error")
        return redirect(url_for(".detail", pk=pk))
    try:
        case = intake.accept(row, customer, current_user._get_current_object())
    except CaseError as error:
        flash(str(error), "error")
        return redirect(url_for(".detail", pk=pk))
    flash(_("Case %(call_id)s was opened from the mail.", call_id=case.call_id), "info")
    return redirect(url_for("cases.detail", call_id=case.call_id))


@bp.post("/<int:pk>/refuse")
@require_admin
def refuse(pk: int):
    row = _row(pk)
    if intake.refuse(row, current_user):
        flash(_("The mail was refused."), "info")
    else:
        flash(_("Only held mail can be refused."), "error")
    return redirect(url_for(".index"))


@bp.post("/<int:pk>/retry")
@require_admin
def retry(pk: int):
    row = _row(pk)
    if row.state != InboundState.FAILED:
        flash(_("Only failed mail can be processed again."), "error")
        return redirect(url_for(".detail", pk=pk))
    outcome = intake.retry(row, current_user)
    flash(_("Processed again: %(state)s.", state=STATE_LABELS[outcome.state]), "info")
    return redirect(url_for(".detail", pk=pk))


def original_mails(case) -> dict[int, int]:
    """Timeline entry id -> inbound mail id, for the case's entries that came by mail."""
    return {row.event_id: row.id for row in _mails_of(case.id)}


#: On every agent's case page: compiled once.
_mails_of = Prepared(
    lambda case_id: InboundMessage.select(InboundMessage.id, InboundMessage.event).where(
        (InboundMessage.case == case_id) & InboundMessage.event.is_null(False)
    ),
    -9_000_501,
)
