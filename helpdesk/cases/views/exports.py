"""The visible cases as CSV and Excel (CASE-8; the rules in ``cases.exporting``).

A small export streams out in the request. A larger one is prepared by a job: the person is
sent to the export's page, which refreshes by itself (a meta refresh without JavaScript, htmx
polling with it) until the download link is there. The page and the file answer 404 to
anybody but the person who asked.
"""

from datetime import UTC, datetime

from flask import Response, abort, current_app, redirect, request, send_file, url_for
from flask_babel import force_locale, format_decimal, get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.cases import exporting, files, spreadsheet, tasks
from helpdesk.cases.models import ExportState
from helpdesk.cases.views.blueprint import bp
from helpdesk.i18n import current_language
from helpdesk.web import render


@bp.route("/cases/export.csv", defaults={"fmt": "csv"})
@bp.route("/cases/export.xlsx", defaults={"fmt": "xlsx"})
@login_required
def export(fmt: str):
    user = current_user._get_current_object()
    cases = exporting.CaseList(user, request.args)
    zone = get_timezone()
    if not exporting.immediate(cases):
        prepared = exporting.start(user, fmt, request.args, cases, zone)
        tasks.prepare_export(prepared.id)
        return redirect(url_for("cases.export_page", key=prepared.key), 303)
    exporting.record(user, fmt, request.args)
    app, language = current_app._get_current_object(), current_language()

    def table():
        # Runs after the view has returned, in a context of its own: the rows' labels in the
        # person's language, their times in the person's zone (as read above).
        with app.app_context(), force_locale(language):
            yield from cases.table(zone)

    if fmt == "csv":
        body = spreadsheet.csv_pieces(table())
    else:
        body = spreadsheet.xlsx_pieces(table(), str(_("Cases")))
    response = Response(body, content_type=spreadsheet.MIMETYPES[fmt])
    today = to_user_timezone(datetime.now(UTC)).date().isoformat()
    response.headers.set("Content-Disposition", "attachment", filename=f"cases-{today}.{fmt}")
    return response


@bp.get("/cases/exports/<key>")
@login_required
def export_page(key: str):
    prepared = exporting.ready_for(key, current_user) or abort(404)
    back = url_for("cases.queue" if current_user.is_agent else "cases.index")
    response = render(
        "cases/export.html",
        "status",
        export=prepared,
        states=ExportState,
        rows=format_decimal(prepared.rows),
        back=f"{back}?{prepared.filters}" if prepared.filters else back,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cases/exports/<key>/file")
@login_required
def export_file(key: str):
    prepared = exporting.ready_for(key, current_user)
    if prepared is None or prepared.state != ExportState.READY:
        abort(404)
    response = send_file(
        files.path_of(prepared.stored_name),
        mimetype=spreadsheet.MIMETYPES[prepared.format],
        as_attachment=True,
        download_name=exporting.download_name(prepared),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
