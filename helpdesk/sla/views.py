"""The pages of business time: the admin's calendar (/admin/calendar) and the resubmission
date of a held case.

The calendar page is for vendor admins only; everyone else gets a 404. Views stay thin: the
work is in ``helpdesk.sla.service``.
"""

from datetime import date

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.cases.errors import CaseError
from helpdesk.cases.views.detail import case_or_404, show
from helpdesk.permissions import require_admin, require_agent
from helpdesk.sla import policy as sla
from helpdesk.sla import service
from helpdesk.sla.calendar import WEEKDAYS, CalendarError
from helpdesk.web import render

bp = Blueprint("sla", __name__)


def init_app(app: Flask) -> None:
    """The timer sweep (the app factory registers ``bp``)."""
    from helpdesk.sla import tasks  # noqa: F401  (registers the every-minute sweep)


@bp.route("/admin/calendar", methods=["GET", "POST"])
@require_admin
def calendar():
    error, data = None, None
    if request.method == "POST":
        data = _calendar_data(request.form)
        try:
            service.save_calendar(data, current_user)
        except CalendarError as problem:
            error = str(problem)
        else:
            flash(_("The business calendar is saved; it applies from now on."))
            return redirect(url_for("sla.calendar"))
    current = sla.calendar()
    return render(
        "admin/calendar.html",
        calendar=data or current.to_dict(),
        overridden=sla.calendar() != sla.plugin_calendar(),
        weekdays=WEEKDAYS,
        error=error,
        status=400 if error else 200,
    )


@bp.post("/admin/calendar/reset")
@require_admin
def reset_calendar():
    service.reset_calendar(current_user)
    flash(_("The business calendar is the vendor plugin's again."))
    return redirect(url_for("sla.calendar"))


def _calendar_data(form) -> dict:
    def items(name, separator):
        return [part.strip() for part in form.get(name, "").split(separator) if part.strip()]

    return {
        "name": form.get("name", "").strip() or "admin",
        "timezone": form.get("timezone", "").strip(),
        "country": form.get("country", "").strip().upper() or None,
        "subdivision": form.get("subdivision", "").strip() or None,
        "hours": {day: items(f"hours_{day}", ",") for day in WEEKDAYS},
        "closed_dates": items("closed_dates", "\n"),
        "closed_yearly": items("closed_yearly", ","),
    }


@bp.post("/cases/<call_id>/resubmission")
@require_agent
def resubmission(call_id: str):
    case = case_or_404(call_id)
    text = request.form.get("resubmit", "").strip()
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        flash(_("Please give the date as YYYY-MM-DD."), "error")
    else:
        try:
            service.set_resubmission(case, current_user, day)
        except CaseError as problem:
            flash(str(problem), "error")
    if request.htmx:
        return show(case_or_404(call_id))
    return redirect(url_for("cases.detail", call_id=call_id))
