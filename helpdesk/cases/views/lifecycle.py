"""The case page's actions for closing, escalation, support levels and development
(FLOW-4, FLOW-6, FLOW-7): each a POST that calls one domain function and answers like the
other case actions (the panel for htmx, a redirect otherwise, 422 with the reason).

They live in a blueprint of their own so the core's ``cases`` blueprint stays untouched; the
app factory registers it.
"""

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.cases import closing
from helpdesk.cases.views.detail import case_or_404
from helpdesk.cases.views.helpers import agents_case_or_404, attempt
from helpdesk.development import service as development
from helpdesk.escalation import service as escalation

bp = Blueprint("lifecycle", __name__)


@bp.post("/cases/<call_id>/confirm")
@login_required
def confirm(call_id: str):
    case = case_or_404(call_id)
    return attempt(
        case,
        "confirm",
        lambda: closing.confirm_solution(case, current_user),
        _("Thank you! The case is closed."),
    )


@bp.post("/cases/<call_id>/escalate")
@login_required
def escalate(call_id: str):
    case = case_or_404(call_id)
    reason = request.form.get("reason", "")
    return attempt(
        case,
        "escalate",
        lambda: escalation.request_escalation(case, current_user, reason),
        _("The case was escalated."),
    )


@bp.post("/cases/<call_id>/hand-over")
@login_required
def hand_over(call_id: str):
    case = agents_case_or_404(call_id)
    note = request.form.get("note", "")
    return attempt(
        case,
        "hand-over",
        lambda: escalation.hand_to_next_level(case, current_user, note),
        _("The case went to the next support level."),
    )


@bp.post("/cases/<call_id>/development")
@login_required
def link_development(call_id: str):
    case = agents_case_or_404(call_id)
    key = request.form.get("key", "")
    title = request.form.get("title", "")
    return attempt(
        case,
        "development",
        lambda: development.link(case, current_user, key, title),
        _("The case is linked to the development item."),
    )
