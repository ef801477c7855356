"""Time statements (DOC-3) as a page, an xlsx and a PDF, for one organisation and a period
(``?from=YYYY-MM-DD&to=YYYY-MM-DD``, by default last month): its customers with the right see
their own, agents any. Text typed by people (subjects, activities, notes) goes into the xlsx
as text, never as a formula (``cases.spreadsheet``)."""

import io
from datetime import date

from flask import Blueprint, Response, abort, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.accounts.models import Organisation
from helpdesk.cases.spreadsheet import FORMULA_STARTS, printable
from helpdesk.contracts import statements
from helpdesk.contracts.agreement import latin1
from helpdesk.contracts.statements import duration
from helpdesk.permissions import may_see_contracts
from helpdesk.timeutil import utcnow
from helpdesk.web import render

bp = Blueprint("statements", __name__)

ROOT = "/organisations/<int:organisation_id>/statement"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get(ROOT)
@login_required
def page(organisation_id: int):
    found, problem = _statement(organisation_id)
    return render(
        "contracts/statement.html",
        status=422 if problem else 200,
        statement=found,
        problem=problem,
        duration=duration,
    )


@bp.get(ROOT + ".xlsx")
@login_required
def xlsx(organisation_id: int):
    found, problem = _statement(organisation_id)
    if problem:
        abort(400)
    return _download(_workbook(found), XLSX, _filename(found, "xlsx"))


@bp.get(ROOT + ".pdf")
@login_required
def pdf(organisation_id: int):
    found, problem = _statement(organisation_id)
    if problem:
        abort(400)
    return _download(_pdf(found), "application/pdf", _filename(found, "pdf"))


def _statement(organisation_id: int):
    if not may_see_contracts(current_user, organisation_id):
        abort(404)
    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        abort(404)
    starts_on, ends_on = statements.last_month(utcnow().date())
    try:
        starts_on = _day("from") or starts_on
        ends_on = _day("to") or ends_on
    except ValueError:
        starts_on, ends_on = statements.last_month(utcnow().date())
        problem = _("Please give the dates as YYYY-MM-DD.")
        return statements.statement(organisation, starts_on, ends_on), problem
    if ends_on < starts_on or (ends_on - starts_on).days > 366:
        problem = _("Please choose a period of at most a year that ends after it starts.")
        starts_on, ends_on = statements.last_month(utcnow().date())
        return statements.statement(organisation, starts_on, ends_on), problem
    return statements.statement(organisation, starts_on, ends_on), None


def _day(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    return date.fromisoformat(value) if value else None


def _filename(found, suffix: str) -> str:
    return f"statement-{found.starts_on.isoformat()}-{found.ends_on.isoformat()}.{suffix}"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _text(value):
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _lines(found):
    """The rows both files show: a heading per case, its records, its totals."""
    yield ("head", [_("Call id"), _("Day"), _("Activity"), _("Settled as"), _("Minutes")])
    for lines in found.cases:
        yield ("case", [lines.case.call_id, lines.case.subject])
        for record in lines.records:
            yield (
                "record",
                [
                    lines.case.call_id,
                    record.worked_on,
                    record.activity,
                    _("billable") if record.billable else _("free fix"),
                    record.minutes,
                ],
            )
        yield (
            "total",
            [
                lines.case.call_id,
                _(
                    "Free fix: %(free)s · billable: %(billable)s · units: %(units)s",
                    free=duration(lines.free),
                    billable=duration(lines.billable),
                    units=lines.units,
                ),
            ],
        )
    yield (
        "total",
        [
            _("Total"),
            _(
                "Free fix: %(free)s · billable: %(billable)s · units: %(units)s",
                free=duration(found.free),
                billable=duration(found.billable),
                units=found.units,
            ),
        ],
    )


def _workbook(found) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Statement")[:31]
    sheet.append([_text(found.organisation.name), f"{found.starts_on} – {found.ends_on}"])
    for _kind, cells in _lines(found):
        sheet.append([_text(str(c)) if not isinstance(c, int | date) else c for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(found) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=14)
    title = _("Time statement of %(name)s", name=found.organisation.name)
    document.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", size=10)
    period = f"{format_date(found.starts_on)} – {format_date(found.ends_on)}"
    document.multi_cell(0, 6, latin1(period), new_x="LMARGIN", new_y="NEXT")
    for kind, cells in _lines(found):
        document.set_font("helvetica", style="B" if kind in ("case", "total") else "", size=9)
        text = "  ".join(str(format_date(c) if isinstance(c, date) else c) for c in cells)
        document.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
