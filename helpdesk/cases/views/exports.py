"""The visible cases as a spreadsheet (CASE-8): CSV and Excel, filtered exactly like the list.

The export takes the list's own query-string parameters (for agents those of the queue) and
runs the list's own query without paging and without a cap: the rows stream from the
database (``db.stream``: a server-side cursor on PostgreSQL) into the response, so memory
stays the same for any number of rows. CSV goes out as it is written; the workbook is written
in openpyxl's write-only mode to a temporary file and sent from it in pieces. It holds
every column the person may see in a list: customers get no assignee and no organisation
(who works a case inside the vendor is the vendor's business) and never any message text,
so internal notes cannot reach them (PERM-4). Every export writes an audit row (REP-2: exports
of data) with its format and the list's filters.

CSV is UTF-8 with a byte order mark and semicolons: the people reading it mostly open it in a
German-language Excel, which splits on semicolons (the comma is its decimal separator) and
needs the mark to read UTF-8. Every text cell that a spreadsheet would take for a formula
(``= + - @``, tab, carriage return) gets a leading apostrophe, in both formats. A character
no spreadsheet cell may hold (a control character XML forbids, a lone surrogate) is written as a
visible mark (``printable``): openpyxl refuses them, and one such subject would fail the whole
export.
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Response, current_app, request
from flask_babel import force_locale, get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import audit
from helpdesk.cases import listing
from helpdesk.cases.views.blueprint import bp
from helpdesk.db import db, stream
from helpdesk.i18n import current_language
from helpdesk.policy import current_policy

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What XML 1.0 (so no xlsx cell) can hold: C0 controls but tab and line breaks, lone
#: surrogates, and the two noncharacters U+FFFE and U+FFFF.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DATE_COLUMNS = ("updated", "created", "due")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/cases/export.csv", defaults={"fmt": "csv"})
@bp.route("/cases/export.xlsx", defaults={"fmt": "xlsx"})
@login_required
def export(fmt: str):
    policy = current_policy()
    choices, _shown = listing.choices_and_columns(current_user, policy, queue=current_user.is_agent)
    filters = listing.parse_filters(request.args, choices)
    columns = listing.available_columns(current_user)
    query = listing.cases_query(current_user, filters, policy, columns)
    language = current_language()
    heading = _heading(columns)
    with db.atomic():  # exports of data are logged (REP-2), with the list's filters
        filters_text = urlencode(sorted(request.args.items(multi=True)))[:500]
        audit.record(
            current_user,
            "cases.exported",
            current_user,
            None,
            {"format": fmt, "filters": filters_text},
        )

    app, zone = current_app._get_current_object(), get_timezone()

    def table():
        # Runs after the view has returned, in a context of its own: the rows' labels in the
        # person's language, their times in the person's zone (as read above).
        with app.app_context(), force_locale(language):
            yield heading
            for row in stream(query):
                yield _values(listing.with_names(row, language), columns, policy, zone)

    body = csv_pieces(table()) if fmt == "csv" else xlsx_pieces(table(), str(_("Cases")))
    response = Response(body, content_type=MIMETYPES[fmt])
    today = to_user_timezone(datetime.now(UTC)).date().isoformat()
    response.headers.set("Content-Disposition", "attachment", filename=f"cases-{today}.{fmt}")
    return response


def printable(value):
    """A text with each character no cell may hold as a visible mark: a control character
    as its control picture (BEL as "␇"), anything else as "\ufffd"."""
    if isinstance(value, str) and UNWRITABLE.search(value):
        return UNWRITABLE.sub(_mark, value)
    return value


def _mark(match) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def neutralise(value):
    """A text a spreadsheet would run as a formula, made plain text with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _heading(columns) -> list[str]:
    zone = str(get_timezone())
    return [
        f"{listing.COLUMNS[c]} ({zone})" if c in DATE_COLUMNS else str(listing.COLUMNS[c])
        for c in columns
    ]


def _values(row: dict, columns, policy, zone) -> list:
    """One case as cells: labels in the user's language, times in the user's time zone."""
    cells = []
    for column in columns:
        if column in ("status", "severity", "priority", "case_type"):
            value = str(policy.label(column, row[column]))
        elif column in DATE_COLUMNS:
            at = row[column + "_at"]
            local = at.replace(tzinfo=UTC).astimezone(zone) if at else None
            value = local.replace(tzinfo=None, microsecond=0) if local else ""
        elif column in ("call_id", "subject"):
            value = row[column]
        else:
            value = row[column + "_name"] or ""
        cells.append(neutralise(printable(value)))
    return cells


#: Rows per piece of a CSV answer; bytes per piece of a workbook.
CSV_ROWS, CHUNK_BYTES = 500, 256 * 1024


def csv_pieces(table: Iterator[list]) -> Iterator[bytes]:
    """``table`` (rows of cells) as CSV for a German-language Excel, in pieces."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for number, cells in enumerate(table, 1):
        writer.writerow(
            [c.strftime("%Y-%m-%d %H:%M") if isinstance(c, datetime) else c for c in cells]
        )
        if number % CSV_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_pieces(table: Iterator[list], title: str) -> Iterator[bytes]:
    """``table`` (rows of cells) as an Excel workbook of one sheet named ``title``, in pieces."""
    from openpyxl import Workbook  # here: a web worker that never exports saves 20 MB

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title)[:31])
    for cells in table:
        sheet.append(cells)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while piece := file.read(CHUNK_BYTES):
            yield piece


def csv_bytes(table: list[list]) -> bytes:
    """A small ``table`` as one CSV body (a report's figure)."""
    return b"".join(csv_pieces(iter(table)))


def xlsx_bytes(table: list[list], title=None) -> bytes:
    """A small ``table`` as one workbook (a report's figure)."""
    return b"".join(xlsx_pieces(iter(table), str(title or _("Cases"))))
