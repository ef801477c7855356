"""The dashboard pages (REP-1): for agents every figure, for a customer with the right their
own organisation's; each figure's numbers as CSV and xlsx; a printable page of them all, and
all of them as one PDF."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from helpdesk.cases.spreadsheet import MIMETYPES, csv_bytes, neutralise, printable, xlsx_bytes
from helpdesk.i18n import gettext as _
from helpdesk.reports import service
from helpdesk.web import render

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def _readers_only():
    if not service.may_read_reports(current_user):
        abort(404)


def _filters():
    """The filters of the query string, or the last 30 days and the problem with them."""
    try:
        return service.filters_for(current_user, request.args), None
    except service.ReportError as error:
        return service.filters_for(current_user, {}), str(error)


@bp.get("/")
def dashboard():
    return _page("reports/dashboard.html")


@bp.get("/print")
def printable_page():
    return _page("reports/print.html")


def _page(template: str):
    filters, problem = _filters()
    return render(
        template,
        status=422 if problem else 200,
        figures=service.dashboard(current_user, filters),
        filters=filters,
        problem=problem,
        values=request.args,
        internal=current_user.is_agent,
        **service.choices(current_user),
    )


@bp.post("/<key>/export")
def export(key: str):
    """One figure's numbers as a file (a POST: the export is logged, REP-2)."""
    fmt = request.form.get("fmt")
    try:
        filters = service.filters_for(current_user, request.form)
    except service.ReportError:
        abort(400)
    if fmt not in MIMETYPES:
        abort(400)
    figure = service.figure(current_user, filters, key)
    if figure is None:
        abort(404)
    service.record_export(current_user, figure.key, filters, fmt)
    chart = figure.chart
    table = [["", *(series.name for series in chart.series)]]
    table += [
        [neutralise(printable(str(cell))) if isinstance(cell, str) else cell for cell in row]
        for row in chart.rows
    ]
    body = csv_bytes(table) if fmt == "csv" else xlsx_bytes(table, chart.title)
    response = Response(body, content_type=MIMETYPES[fmt])
    today = to_user_timezone(datetime.now(UTC)).date().isoformat()
    response.headers.set("Content-Disposition", "attachment", filename=f"{key}-{today}.{fmt}")
    return response


@bp.post("/pdf")
def pdf():
    """Every figure of the dashboard with its numbers as one PDF (a POST: logged, REP-2)."""
    try:
        filters = service.filters_for(current_user, request.form)
    except service.ReportError:
        abort(400)
    figures = service.dashboard(current_user, filters)
    service.record_export(current_user, "dashboard", filters, "pdf")
    period = f"{filters.start.isoformat()} - {filters.end.isoformat()}"
    from helpdesk.reports.pdf import dashboard_pdf  # here: fpdf2 costs a web worker 36 MB

    body = dashboard_pdf(_("Reports"), period, figures)
    response = Response(body, content_type="application/pdf")
    today = to_user_timezone(datetime.now(UTC)).date().isoformat()
    response.headers.set("Content-Disposition", "attachment", filename=f"reports-{today}.pdf")
    return response
