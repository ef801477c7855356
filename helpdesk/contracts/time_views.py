"""The case page's time records, timer and settlement (DOC-3): agents only, each a POST that
calls one function of ``helpdesk.contracts.billing`` and answers like the other case actions
(the case panel for htmx, a redirect otherwise, 422 with the reason and what was typed)."""

from datetime import date

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.cases.views.helpers import agents_case_or_404, attempt
from helpdesk.contracts import billing
from helpdesk.contracts.billing_models import TimeRecord
from helpdesk.contracts.service import ContractError
from helpdesk.permissions import require_agent

bp = Blueprint("time", __name__)


@bp.post("/cases/<call_id>/time")
@require_agent
def record(call_id: str):
    case = agents_case_or_404(call_id)
    return attempt(
        case,
        "time",
        lambda: billing.record_time(current_user, case, **_values()),
        _("The time was recorded."),
    )


@bp.post("/cases/<call_id>/time/<int:record_id>/correct")
@require_agent
def correct(call_id: str, record_id: int):
    case = agents_case_or_404(call_id)
    original = TimeRecord.get_or_none((TimeRecord.id == record_id) & (TimeRecord.case == case.id))
    if original is None:
        abort(404)
    form = request.form
    return attempt(
        case,
        "time-correct",
        lambda: billing.correct(current_user, original, form.get("minutes"), form.get("reason")),
        _("The correction was recorded."),
    )


@bp.post("/cases/<call_id>/timer/start")
@require_agent
def start(call_id: str):
    case = agents_case_or_404(call_id)
    return attempt(
        case, "timer", lambda: billing.start_timer(current_user, case), _("The timer runs.")
    )


@bp.post("/cases/<call_id>/timer/stop")
@require_agent
def stop(call_id: str):
    case = agents_case_or_404(call_id)
    values = {k: v for k, v in _values(timed=True).items() if k not in ("minutes", "worked_on")}
    return attempt(
        case,
        "timer",
        lambda: billing.stop_timer(current_user, case, **values),
        _("The timer stopped and the time was recorded."),
    )


@bp.post("/cases/<call_id>/settle")
@require_agent
def settle(call_id: str):
    case = agents_case_or_404(call_id)
    return attempt(
        case,
        "settle",
        lambda: billing.settle(current_user, case, _choice(request.form.get("billable"))),
        _("The case is settled."),
    )


def _values(timed: bool = False) -> dict:
    form = request.form
    values = {
        "minutes": form.get("minutes"),
        "activity": form.get("activity", ""),
        "note": form.get("note", ""),
        "billable": _choice(form.get("billable")),
        "reason": form.get("reason", ""),
    }
    if not timed and form.get("worked_on"):
        try:
            values["worked_on"] = date.fromisoformat(form["worked_on"].strip())
        except ValueError:
            raise ContractError(_("Please give a date as YYYY-MM-DD."), "worked_on") from None
    return values


def _choice(value: str | None) -> bool | None:
    return {"billable": True, "free": False}.get(value or "")
