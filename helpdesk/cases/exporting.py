"""The visible cases as a spreadsheet (CASE-8): CSV and Excel, filtered exactly like the list.

An export takes the list's own query-string parameters (for agents those of the queue) and
runs the list's own query without paging and without a cap; the rows stream from the
database (``db.stream``: a server-side cursor on PostgreSQL), so memory stays the same for any
number of rows. It holds every column the person may see in a list: customers get no
assignee and no organisation (who works a case inside the vendor is the vendor's business)
and never any message text, so internal notes cannot reach them (PERM-4). Every export writes
an audit row (REP-2: exports of data) with its format and the list's filters.

Up to ``EXPORT_IMMEDIATE_ROWS`` rows are written in the request. A larger export does not fit
in one: at 100,000 cases the workbook took 18 s of CPU (81 s on a loaded machine) and
gunicorn's sync worker is killed after 30 s. So it is ``start``-ed as a ``CaseExport`` row, and
a job (``prepare``) writes the file into the file store, with the person's language, time
zone and filters as they were when asked, and mails the link. Only the person who asked may
fetch the file (``ready_for``); it is deleted, row and file, after ``EXPORT_LIFETIME_HOURS``.
"""

import re
import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_decimal
from werkzeug.datastructures import MultiDict

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.cases import files, listing, spreadsheet
from helpdesk.cases.models import CaseExport, ExportState
from helpdesk.db import db, stream
from helpdesk.i18n import current_language, speaking
from helpdesk.i18n import gettext as _
from helpdesk.mail import notify
from helpdesk.policy import current_policy
from helpdesk.timeutil import utcnow

#: What ``start`` makes a key of: ``secrets.token_urlsafe(32)``.
KEY = re.compile(r"[A-Za-z0-9_-]{43}")
DATE_COLUMNS = ("updated", "created", "due")


class CaseList:
    """What one export of ``user`` holds: the list's query for ``args`` and its columns."""

    def __init__(self, user: User, args: Mapping[str, str]):
        self.user, self.policy = user, current_policy()
        choices, _shown = listing.choices_and_columns(user, self.policy, queue=user.is_agent)
        self.filters = listing.parse_filters(args, choices)
        self.columns = listing.available_columns(user)
        self.query = listing.cases_query(user, self.filters, self.policy, self.columns)

    def more_than(self, rows: int) -> bool:
        """Whether the list holds more than ``rows`` cases (counting at most one more)."""
        return self.query.limit(rows + 1).count() > rows

    def count(self) -> int:
        return self.query.count()

    def table(self, zone: ZoneInfo) -> Iterator[list]:
        """The heading and every case as cells: labels in the current language, times in
        ``zone``. Reads the rows as it is read."""
        language = current_language()
        yield [
            f"{listing.COLUMNS[c]} ({zone})" if c in DATE_COLUMNS else str(listing.COLUMNS[c])
            for c in self.columns
        ]
        for row in stream(self.query):
            yield _values(listing.with_names(row, language), self.columns, self.policy, zone)


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
        cells.append(spreadsheet.neutralise(spreadsheet.printable(value)))
    return cells


def immediate(cases: CaseList) -> bool:
    """Whether ``cases`` are few enough to be written in the request."""
    return not cases.more_than(current_app.config["EXPORT_IMMEDIATE_ROWS"])


def record(user: User, fmt: str, args: MultiDict, **details) -> None:
    """The audit row of an export (REP-2), with the list's filters, in its own transaction."""
    with db.atomic():
        filters_text = urlencode(sorted(args.items(multi=True)))[:500]
        audit.record(
            user, "cases.exported", user, None, {"format": fmt, "filters": filters_text, **details}
        )


def start(user: User, fmt: str, args: MultiDict, cases: CaseList, zone: ZoneInfo) -> CaseExport:
    """Ask for a large export of ``cases``: the row the job ``prepare`` works from, audited.
    The caller queues the job once this has returned (committed)."""
    with db.atomic():
        export = CaseExport.create(
            key=secrets.token_urlsafe(32),
            user=user,
            format=fmt,
            filters=urlencode(list(args.items(multi=True))),
            language=current_language(),
            timezone=str(zone),
            rows=cases.count(),
            expires_at=utcnow() + lifetime(),
        )
        record(user, fmt, args, export=export.id, rows=export.rows)
    return export


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["EXPORT_LIFETIME_HOURS"])


def prepare(export_id: int) -> CaseExport | None:
    """Write the file of a pending export into the file store and mail its link to the
    person who asked; None when there is nothing to do (gone, done already)."""
    export = CaseExport.get_or_none(CaseExport.id == export_id)
    if export is None or export.state != ExportState.PENDING:
        return None
    stored_name = secrets.token_hex(20)
    try:
        path, rows = _store(export, stored_name)
    except Exception:  # the file store or the data: either way the person must not wait on
        CaseExport.update(state=ExportState.FAILED).where(CaseExport.id == export.id).execute()
        raise
    with db.atomic():
        done = CaseExport.update(
            state=ExportState.READY, stored_name=stored_name, size=path.stat().st_size, rows=rows
        ).where((CaseExport.id == export.id) & (CaseExport.state == ExportState.PENDING))
        if not done.execute():  # deleted meanwhile, or another worker was first
            path.unlink(missing_ok=True)
            return None
        export = CaseExport.get_by_id(export.id)
        notify.send("export_ready", export.user, export=export, format_decimal=format_decimal)
    return export


def _store(export: CaseExport, stored_name: str) -> tuple[Path, int]:
    """Write the export's file under ``stored_name``: its path and its rows. Written aside
    and renamed, so no half file is ever under the name; the part is removed on failure."""
    path = files.path_of(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with speaking(export.language), part.open("wb") as file:
            rows = write(export.format, _table_of(export), file)
        part.rename(path)
    except Exception:
        part.unlink(missing_ok=True)
        raise
    return path, rows


def _table_of(export: CaseExport) -> Iterator[list]:
    args = MultiDict(parse_qsl(export.filters, keep_blank_values=True))
    return CaseList(export.user, args).table(ZoneInfo(export.timezone))


def write(fmt: str, table: Iterator[list], file: BinaryIO) -> int:
    """``table`` into ``file`` in ``fmt``; the number of rows below the heading."""
    written = [0]

    def counted():
        for row in table:
            written[0] += 1
            yield row

    if fmt == "csv":
        for piece in spreadsheet.csv_pieces(counted()):
            file.write(piece)
    else:
        spreadsheet.write_xlsx(counted(), _("Cases"), file)
    return max(written[0] - 1, 0)


def ready_for(key: str, user: User) -> CaseExport | None:
    """``user``'s own export ``key`` while it lasts, else None (someone else's is absent too)."""
    if not KEY.fullmatch(key):  # no query with a text the database may refuse (NUL)
        return None
    return CaseExport.get_or_none(
        (CaseExport.key == key) & (CaseExport.user == user.id) & (CaseExport.expires_at > utcnow())
    )


def download_name(export: CaseExport) -> str:
    """``cases-<day asked, in the person's zone>.<format>``."""
    day = export.created_at.replace(tzinfo=UTC).astimezone(ZoneInfo(export.timezone)).date()
    return f"cases-{day.isoformat()}.{export.format}"


def remove_expired(now: datetime | None = None) -> int:
    """Delete every export past its lifetime, file and row; the number deleted."""
    expired = list(CaseExport.select().where(CaseExport.expires_at <= (now or utcnow())))
    for export in expired:
        if export.stored_name:
            files.remove(export.stored_name)
    if expired:
        CaseExport.delete().where(CaseExport.id.in_([e.id for e in expired])).execute()
    return len(expired)
