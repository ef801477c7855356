"""Everything people do on a case's page, each a POST that calls one service function.

An htmx request gets the case panel back (the ``case`` block) with the change in it; a plain
form post is redirected back to the page (303, post/redirect/get). A refused action (a
``CaseError`` or a refused file) shows the panel again with the reason next to the form and
the typed text kept: 422, as the block for htmx and as the whole page otherwise.

Every route first finds the case through ``access.case_by_call_id``, so a case the user may
not see is a 404 whatever the action; the agents' actions are a 404 for customers as well.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.accounts.models import Team, User
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.cases.service import CaseError
from helpdesk.cases.views.attachments import take_uploads
from helpdesk.cases.views.blueprint import bp
from helpdesk.cases.views.detail import (
    AGENT_FIELDS,
    CLOSING,
    Failure,
    case_or_404,
    size_label,
)
from helpdesk.cases.views.helpers import (
    agents_case_or_404,
    attempt,
    done,
    partial_wanted,
    refused,
)
from helpdesk.inputs import parse_id
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.web import render

#: The form of the properties panel: where the one-field routes (status, assignee, a field;
#: what the panel posts field by field) show their refusals too.
PROPERTIES = "properties"
#: The model whose row an agent picks for a field, for the fields that refer to a row.
FIELD_MODELS = {
    "product": Product,
    "version": ProductVersion,
    "component": Component,
    "team": Team,
}


@bp.post("/cases/<call_id>/messages")
@login_required
def add_message(call_id: str):
    case = case_or_404(call_id)
    pending, problems = take_uploads(current_user)
    if problems:
        return refused(case, "message", problems, "files", pending)
    # An agent's message stays internal unless they chose to reply publicly.
    internal = current_user.is_agent and request.form.get("visibility") != "public"
    then_status = request.form.get("then_status", "") if current_user.is_agent else ""
    body = request.form.get("body", "")
    try:
        if then_status and not internal:
            service.reply_and_move(case, current_user, body, then_status, attachments=pending)
        else:
            service.add_message(case, current_user, body, attachments=pending, internal=internal)
    except CaseError as error:
        return refused(case, "message", [error], error.field, pending)
    return done(case, _("The note was added.") if internal else _("The message was sent."))


@bp.post("/cases/<call_id>/follow")
@login_required
def follow(call_id: str):
    case = case_or_404(call_id)
    return attempt(
        case,
        "follow",
        lambda: service.follow(case, current_user),
        _("You follow this case now."),
    )


@bp.post("/cases/<call_id>/unfollow")
@login_required
def unfollow(call_id: str):
    case = case_or_404(call_id)
    service.unfollow(case, current_user)
    return done(case, _("You no longer follow this case."))


@bp.post("/cases/<call_id>/reopen")
@login_required
def reopen(call_id: str):
    case = case_or_404(call_id)
    reason = request.form.get("reason", "")
    return attempt(
        case,
        "reopen",
        lambda: service.reopen(case, current_user, reason),
        _("The case was reopened."),
    )


@bp.post("/cases/<call_id>/fields/<name>")
@login_required
def change_field(call_id: str, name: str):
    case = agents_case_or_404(call_id)
    if name not in AGENT_FIELDS:
        abort(404)
    reason = request.form.get("reason", "").strip() or None

    def change():
        value = field_value(name, request.form.get("value", ""))
        service.change_field(case, current_user, name, value, reason)

    return attempt(case, PROPERTIES, change, _("The change was saved."))


def field_value(name: str, raw: str):
    """The form's value for ``name``: a key as it is, or the row an id names."""
    model = FIELD_MODELS.get(name)
    if model is None:
        return raw
    if raw == "" and name != "product":
        return None
    row = model.get_or_none(model.id == number) if (number := parse_id(raw)) else None
    if row is None:
        raise CaseError(_("Please choose one of the offered values."), name)
    return row


@bp.post("/cases/<call_id>/status")
@login_required
def move_status(call_id: str):
    case = agents_case_or_404(call_id)
    status = request.form.get("status", "")
    waiting_for = request.form.get("waiting_for", "")
    return attempt(
        case,
        PROPERTIES,
        lambda: service.move_status(
            case, current_user, status, waiting_for=waiting_for, asking=True
        ),
        _("The status was changed."),
    )


@bp.post("/cases/<call_id>/assignee")
@login_required
def assign(call_id: str):
    case = agents_case_or_404(call_id)
    raw = request.form.get("assignee", "")

    def change():
        service.assign(case, current_user, _assignee(raw))

    return attempt(case, PROPERTIES, change, _("The assignment was changed."))


@bp.route("/cases/<call_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(call_id: str):
    """A new case linked to a solved or closed one (FLOW-4), when it cannot be reopened."""
    case = case_or_404(call_id)
    if case.status_category not in CLOSING:
        return redirect(url_for("cases.detail", call_id=case.call_id), 303)
    if request.method == "GET":
        return _follow_up_page(case, None, {"subject": case.subject})
    pending, problems = take_uploads(current_user)
    field = "files" if problems else None
    if not problems:
        try:
            new = service.open_follow_up(
                case,
                current_user,
                request.form.get("subject", ""),
                request.form.get("description", ""),
                attachments=pending,
            )
        except CaseError as error:
            problems, field = [str(error)], error.field
        else:
            flash(_("The follow-up case %(call_id)s was opened.", call_id=new.call_id), "info")
            return redirect(url_for("cases.detail", call_id=new.call_id), 303)
    failure = Failure("follow-up", problems, field, request.form, pending)
    return _follow_up_page(case, failure, request.form, status=422)


def _follow_up_page(case: Case, failure: Failure | None, values, status: int = 200):
    return render(
        "cases/follow_up.html",
        status=status,
        case=case,
        failure=failure,
        values=values,
        size_of=size_label,
    )


@bp.post("/cases/<call_id>/properties")
@login_required
def save_properties(call_id: str):
    """The properties panel: one form, one Save without JavaScript; with htmx each change of
    a field posts the form at once. Only what differs from the case as shown is changed; an
    htmx post that changes nothing (a text field left) is answered with 204, no swap."""
    case = agents_case_or_404(call_id)
    form = request.form
    try:
        changes = _property_changes(case, form)
    except CaseError as error:
        return refused(case, PROPERTIES, [error], error.field)
    if not changes and partial_wanted():
        return "", 204

    def change():
        service.save_properties(
            case,
            current_user,
            changes,
            waiting_for=form.get("waiting_for", ""),
            reason=form.get("reason", "").strip() or None,
        )

    return attempt(case, PROPERTIES, change, _("The change was saved."))


def _property_changes(case: Case, form) -> dict:
    """What ``form`` sets differently from ``case``, as values for ``save_properties``."""
    changes = {}
    if "assignee" in form and form["assignee"] != str(case.assignee_id or ""):
        changes["assignee"] = _assignee(form["assignee"])
    for name in service.PROPERTY_FIELDS:
        if name in ("version", "component") and "product" in changes:
            continue  # the new product's are picked afterwards
        if name in form and form[name] != _shown_value(case, name):
            changes[name] = field_value(name, form[name])
    if form.get("status") and form["status"] != case.status:
        changes["status"] = form["status"]
    return changes


def _shown_value(case: Case, name: str) -> str:
    """``name`` of ``case`` as the panel's select holds it (a key, or a row's id)."""
    if name in FIELD_MODELS:
        return str(getattr(case, name + "_id") or "")
    return getattr(case, name)


def _assignee(raw: str) -> User | None:
    if not raw:
        return None
    assignee = User.get_or_none(User.id == number) if (number := parse_id(raw)) else None
    if assignee is None:
        raise CaseError(_("Cases are assigned to active agents."), "assignee")
    return assignee
