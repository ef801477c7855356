"""The case tables, rendered in Python once per page.

A page has hundreds of cells; resolving each label, link and time through template macros
and request-bound lookups cost more than the page's queries. What depends only on the
language (the vendor's labels, the column headings, the date and time pattern, parsed by
Babel) is worked out once per process and language, escaped; a ``Cells`` object adds the
request's time zone and links, then renders the headings and each row with plain string
work (every value from the database escaped).

Why not a template: measured with ``python -m bench.inprocess`` (SQLite, 3,001 cases, 25
rows a page, CPU per request, two rounds), rendering the same table through Jinja cost

=========================  ==============  ===========================  ===================
page                       Python strings  a template per column set    Jinja macros
=========================  ==============  ===========================  ===================
customer case list         1.69-1.71 ms    1.74-1.76 ms (+2 to 4 %)     1.98-2.08 (+17 %)
agent queue, all open      1.90-1.97 ms    2.36-2.43 ms (+20 to 24 %)   3.05-3.09 (+57 %)
agent search               2.58-2.75 ms    3.13-3.14 ms (+14 to 21 %)   3.70-3.83 (+40 %)
=========================  ==============  ===========================  ===================

(the template: the columns' cells unrolled into one compiled template per column tuple;
the macros: one macro per cell). The queue loses more than 10 % either way, so the tables
stay here.

A row is one format string per table (column tuple, language, bulk form: ``row_format``) that
takes the row's escaped values, and text from the database is escaped only when it holds a
character escaping changes (``escape_text``). Against a function per cell and ``escape`` on
every value (``python -m bench.inprocess --cases 20000 --rounds 5 --requests 100``, SQLite,
CPU per request, median of 5 rounds, 2026-12-05, load 0.4-1.1): customer case list 2.87 to
2.84 ms (58 to 59 % of the floor), agent queue 3.44 to 3.24 ms (48 to 51 %), agent search
3.55 to 3.38 ms (47 to 48 %).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, parse_pattern
from flask_babel import get_locale
from flask_babel import get_timezone as user_timezone
from markupsafe import Markup, escape

from helpdesk.cases.listing import COLUMNS
from helpdesk.formats import REGIONS
from helpdesk.i18n import gettext as _
from helpdesk.policy import Category
from helpdesk.timeutil import utcnow
from helpdesk.web import fixed_url

LABELLED = ("case_type", "severity", "priority", "status")
#: A sortable heading's link and ``aria-sort`` for a column, None for a column that is not.
HeadingLink = Callable[[str], tuple[str, str] | None]
_EPOCH, _SECOND = datetime(1970, 1, 1), timedelta(seconds=1)
#: Stands for the call id in the case URL a row format is built from (no route has it).
_CALL_ID = "call-id-stand-in"

#: The regional style of each language's times in the lists: day before month, 24 hours
#: (``15/01/2026, 13:00``, ``15.01.26, 13:00``); another language keeps its own.
DATE_LOCALES = REGIONS


def date_locale(locale: Locale) -> Locale:
    """The locale whose short date and time the lists show to readers of ``locale``."""
    return Locale.parse(DATE_LOCALES.get(locale.language, str(locale)))


def short_datetime_pattern(locale: Locale) -> DateTimePattern:
    """``locale``'s short date and time as one Babel pattern, joined as Babel's
    ``format_datetime(..., "short")`` joins them (its glue's quotes dropped)."""
    glue = str(locale.datetime_formats["short"]).replace("'", "")
    halves = {
        "{1}": locale.date_formats["short"].pattern,
        "{0}": locale.time_formats["short"].pattern,
    }
    return parse_pattern(
        "".join(halves.get(part) or _literal(part) for part in re.split(r"(\{[01]\})", glue))
    )


def _literal(text: str) -> str:
    """``text`` quoted as literal text of a Babel pattern."""
    return "'" + text.replace("'", "''") + "'" if text else ""


def compile_datetime(locale: Locale) -> Callable[[datetime], str]:
    """The function that writes a local time as ``locale``'s short date and time, escaped
    for HTML: Babel's own formatter over the pattern, which is parsed only once."""
    pattern = short_datetime_pattern(locale)
    return lambda local: str(escape(pattern.apply(local, locale)))


@dataclass(frozen=True)
class Vocabulary:
    """What the tables say in one language, escaped: the vendor's labels by kind and key, the
    column headings, and the short date and time of a local time."""

    labels: dict[str, dict[str, str]]
    headings: dict[str, Markup]
    when_text: Callable[[datetime], str]
    #: "Waiting for: ..." of each waiting status, escaped: the status cell's tooltip.
    waiting: dict[str, str]
    #: A table row's format string by columns, pick form and case URL (``Cells.row_format``):
    #: at most one per column set a user can tick, each twice.
    formats: dict[tuple, str] = field(default_factory=dict)


def per_locale(build: Callable):
    """``build(policy, locale)`` worked out once per policy and locale, then served from a
    cache: labels and patterns are the same for every request in a language. Weak keys: an
    app (tests build many) takes its policy's entries with it."""
    cache = WeakKeyDictionary()

    def cached(policy):
        locale = get_locale()
        by_locale = cache.get(policy)
        if by_locale is None:
            by_locale = cache[policy] = {}
        found = by_locale.get(locale)
        if found is None:
            found = by_locale[locale] = build(policy, locale)
        return found

    return cached


def _vocabulary(policy, locale) -> Vocabulary:
    items = {
        "case_type": policy.case_types,
        "severity": policy.severities,
        "priority": policy.priorities,
        "status": policy.statuses,
    }
    return Vocabulary(
        labels={
            kind: {item.key: str(escape(item.label)) for item in values}
            for kind, values in items.items()
        },
        headings={column: escape(label) for column, label in COLUMNS.items()},
        when_text=compile_datetime(date_locale(locale)),
        waiting={
            status.key: str(escape(f"{_('Waiting for:')} {status.waiting_for or _('a reply')}"))
            for status in policy.statuses
            if status.category == Category.WAITING
        },
    )


vocabulary = per_locale(_vocabulary)


class Cells:
    def __init__(self, policy):
        words = vocabulary(policy)
        self.labels = words.labels
        self.headings = words.headings
        self.when_text = words.when_text
        self.waiting = words.waiting
        self.zone = ZoneInfo(str(user_timezone()))
        self.formats = words.formats
        self.url_pattern = fixed_url("cases.detail", call_id=_CALL_ID)
        self.now = utcnow()  # response due times at or before it show as overdue
        self._statuses = {}

    def table(
        self, rows: list[dict], columns, headings: Markup | None = None, pick: str = ""
    ) -> Markup:
        """The whole ``<table>``; ``headings`` (a ``heading_row``) when they link. ``pick``:
        the id of a form (the agents' bulk actions) each row's checkbox belongs to."""
        head = headings or self.heading_row(columns)
        if pick:
            label = escape(_("Select"))
            head = Markup(
                f'<th scope="col"><span class="visually-hidden">{label}</span></th>{head}'
            )
        return Markup(
            '<table class="cases cards">\n'
            f"<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{self.rows(rows, columns, pick)}\n</tbody>\n</table>"
        )

    def rows(self, rows: list[dict], columns, pick: str = "") -> Markup:
        """The ``<tr>`` elements of ``rows``, one ``<td>`` per column; each cell names its
        column in ``data-label``, the heading a phone's card shows beside the value.

        Every row is one format string (``row_format``) filled with the row's values: the
        markup between them is written once per table, not once per cell."""
        columns = tuple(columns)
        key = (columns, pick, self.url_pattern)
        line = self.formats.get(key)
        if line is None:
            line = self.formats[key] = self.row_format(columns, pick)
        getters = [self._renderer(column) for column in ("call_id", *_valued(columns))]
        fill = line.format
        return Markup("\n".join([fill(*[get(row) for get in getters]) for row in rows]))

    def row_format(self, columns: tuple[str, ...], pick: str = "") -> str:
        """One row of ``columns`` as a format string: ``{0}`` the escaped call id, ``{1}``,
        ``{2}``... the cells of the other columns (``_valued``) in order."""
        case_url = _braced(self.url_pattern).replace(_CALL_ID, "{0}")
        own = {column: f"{{{number}}}" for number, column in enumerate(_valued(columns), 1)}
        own["call_id"] = f'<a href="{case_url}">{{0}}</a>'
        if "subject" in own:
            own["subject"] = f'<a class="subject" href="{case_url}">{own["subject"]}</a>'
        cells = [f'<td data-label="{_braced(self.headings[c])}">{own[c]}</td>' for c in columns]
        if pick:
            label, form = _braced(escape(_("Select"))), _braced(escape(pick))
            cells.insert(
                0,
                f'<td class="pick"><input type="checkbox" name="case" value="{{0}}"'
                f' form="{form}" aria-label="{label} {{0}}"></td>',
            )
        return "<tr>" + "".join(cells) + "</tr>"

    def heading_row(self, columns, link: HeadingLink | None = None) -> Markup:
        """The ``<th>`` elements of ``columns``. ``link(column)`` gives a sortable column's
        ``(url, aria_sort)`` (``aria_sort`` empty unless the list is sorted by it), or None."""
        cells = []
        for column in columns:
            target = link(column) if link else None
            heading = self.headings[column]
            if target is None:
                cells.append(f'<th scope="col">{heading}</th>')
                continue
            url, aria_sort = target
            sort = f' aria-sort="{aria_sort}"' if aria_sort else ""
            cells.append(f'<th scope="col"{sort}><a href="{escape_text(url)}">{heading}</a></th>')
        return Markup("".join(cells))

    def when(self, at: datetime) -> str:
        """A stored (naive UTC) time as a ``<time>`` element in the user's zone and language."""
        return time_element(at, self.zone, self.when_text)

    def _renderer(self, column: str) -> Callable[[dict], str]:
        """The function that gives ``column``'s value of a row, escaped: the cell's contents
        but for the call id's and subject's links, which are in ``row_format``."""
        if column in ("call_id", "subject"):
            return lambda row: escape_text(row[column])
        if column == "status":
            return self._status
        if column in LABELLED:
            labels = self.labels[column]
            return lambda row: _label(labels, row[column])
        if column in ("updated", "created"):
            field, zone, when_text = column + "_at", self.zone, self.when_text
            return lambda row: time_element(row[field], zone, when_text)
        if column == "due":
            return self._due
        name = column + "_name"
        return lambda row: escape_text(row.get(name) or "")

    def _status(self, row: dict) -> str:
        """The status label in its category's colour; a page's few pairs rendered once. A
        waiting status says on mouse-over what support waits for (seed 001)."""
        pair = (row["status"], row["status_category"])
        waiting = self.waiting.get(pair[0])
        if waiting is not None:
            text = _label(self.labels["status"], pair[0])
            details = row.get("waiting_for")
            title = f"{waiting} – {escape_text(details)}" if details else waiting
            return f'<span class="st st-{escape_text(pair[1])}" title="{title}">{text}</span>'
        found = self._statuses.get(pair)
        if found is None:
            text = _label(self.labels["status"], pair[0])
            found = self._statuses[pair] = f'<span class="st st-{escape(pair[1])}">{text}</span>'
        return found

    def _due(self, row: dict) -> str:
        due = row.get("due_at")
        if due is None:
            return ""
        late = ' class="overdue"' if due <= self.now else ""
        return f"<span{late}>{self.when(due)}</span>"


@lru_cache(4096)
def time_element(at: datetime, zone: ZoneInfo, when_text: Callable[[datetime], str]) -> str:
    """A stored (naive UTC) time as a ``<time>`` element in ``zone``, its text by
    ``when_text``. The latest cases' times come back page after page, so they are kept."""
    # whole seconds since the epoch into the zone: cheaper than replace() and astimezone()
    local = datetime.fromtimestamp((at - _EPOCH) // _SECOND, zone)
    iso = at.isoformat(timespec="seconds")
    return f'<time datetime="{iso}Z">{when_text(local)}</time>'


def _label(labels: dict[str, str], key: str) -> str:
    """The escaped label of ``key``; the key itself when the vendor no longer defines it."""
    text = labels.get(key)
    return escape(key) if text is None else text


def escape_text(text: str) -> str:
    """``text`` (a ``str`` from the database) escaped for HTML as ``markupsafe.escape``
    escapes it; most text holds none of the five characters escaping changes and is handed
    back as it is, at a fifth of ``escape``'s cost."""
    if "<" in text or ">" in text or "&" in text or "'" in text or '"' in text:
        return str(escape(text))
    return text


def _valued(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns whose value a row puts in its format string after the call id."""
    return tuple(column for column in columns if column != "call_id")


def _braced(text: str) -> str:
    """``text`` as literal text of a format string."""
    return text.replace("{", "{{").replace("}", "}}")
