"""The rows of the case tables, rendered in Python once per page.

A page has hundreds of cells; resolving each label, link and time through template macros
and request-bound lookups cost more than the page's queries. A ``Cells`` object resolves the
user's language, time zone and the vendor's labels once, then renders each row with plain
string work (every value escaped).
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import get_period_names, parse_pattern
from flask import url_for
from flask_babel import get_locale
from flask_babel import get_timezone as user_timezone
from markupsafe import Markup, escape

from helpdesk.timeutil import utcnow

LABELLED = ("case_type", "severity", "priority", "status")

#: The pattern fields the fast formatter knows; any other falls back to Babel's own.
_FIELDS = {
    "d": lambda t: str(t.day),
    "dd": lambda t: f"{t.day:02d}",
    "M": lambda t: str(t.month),
    "MM": lambda t: f"{t.month:02d}",
    "y": lambda t: str(t.year),
    "yy": lambda t: f"{t.year % 100:02d}",
    "yyyy": lambda t: str(t.year),
    "H": lambda t: str(t.hour),
    "HH": lambda t: f"{t.hour:02d}",
    "h": lambda t: str(t.hour % 12 or 12),
    "hh": lambda t: f"{t.hour % 12 or 12:02d}",
    "mm": lambda t: f"{t.minute:02d}",
}


def compile_pattern(pattern: str, locale):
    """A fast function for a CLDR date or time pattern (such as ``dd.MM.yy, HH:mm``)."""
    parsed = parse_pattern(pattern)
    keys = re.findall(r"%\((\w+)\)s", parsed.format)
    if not set(keys) <= {*_FIELDS, "a"}:
        return lambda local: parsed.apply(local, locale)
    periods = get_period_names(locale=locale)
    getters = {key: _FIELDS[key] for key in keys if key != "a"}

    def format_(local: datetime) -> str:
        values = {key: get(local) for key, get in getters.items()}
        if "a" in keys:
            values["a"] = periods["pm" if local.hour >= 12 else "am"]
        return parsed.format % values

    return format_


class Cells:
    def __init__(self, policy):
        self.labels = {
            "case_type": {t.key: str(t.label) for t in policy.case_types},
            "severity": {s.key: str(s.label) for s in policy.severities},
            "priority": {p.key: str(p.label) for p in policy.priorities},
            "status": {s.key: str(s.label) for s in policy.statuses},
        }
        locale = get_locale()
        self.zone = ZoneInfo(str(user_timezone()))
        self.date = compile_pattern(str(locale.date_formats["short"]), locale)
        self.time = compile_pattern(str(locale.time_formats["short"]), locale)
        self.glue = str(locale.datetime_formats["short"])
        self.case_url = url_for("cases.detail", call_id="CALL-ID").replace("CALL-ID", "{}")
        self.now = utcnow()  # response due times at or before it show as overdue

    def when(self, at: datetime) -> str:
        """A stored (naive UTC) time as a ``<time>`` element in the user's zone and language."""
        local = at.replace(tzinfo=UTC).astimezone(self.zone)
        text = self.glue.replace("{1}", self.date(local)).replace("{0}", self.time(local))
        return f'<time datetime="{at.isoformat(timespec="seconds")}Z">{escape(text)}</time>'

    def cell(self, row: dict, column: str) -> str:
        if column == "call_id":
            call_id = escape(row["call_id"])
            return f'<a href="{self.case_url.format(call_id)}">{call_id}</a>'
        if column == "subject":
            return escape(row["subject"])
        if column in LABELLED:
            text = escape(self.labels[column].get(row[column], row[column]))
            if column == "status":
                return f'<span class="st st-{escape(row["status_category"])}">{text}</span>'
            return text
        if column in ("updated", "created"):
            return self.when(row[column + "_at"])
        if column == "due":
            due = row.get("due_at")
            if due is None:
                return ""
            late = ' class="overdue"' if due <= self.now else ""
            return f"<span{late}>{self.when(due)}</span>"
        return escape(row.get(column + "_name") or "")

    def rows(self, rows: list[dict], columns: list[str]) -> Markup:
        """The ``<tr>`` elements of ``rows``, one ``<td>`` per column."""
        return Markup(
            "\n".join(
                "<tr>" + "".join(f"<td>{self.cell(row, c)}</td>" for c in columns) + "</tr>"
                for row in rows
            )
        )
