"""Dates and times as the reader's region writes them (en-GB and de-AT style by default).

Babel's plain ``en`` is American (``12/3/26, 8:50:03 PM``); the portal writes English the
British way and German the Austrian way, in the reader's time zone, and leaves out the
seconds: ``3 Dec 2026, 20:50``, ``03.12.2026, 20:50``. ``relative`` says "3 hours ago" with
the exact time in the element's ``title`` (shown on hover).

A date and time is written by a formatter compiled once per language and format
(``compiled``): one ``%`` format over the fields of Babel's patterns (names of months and of
AM/PM taken from Babel itself), Babel's own formatting for a pattern with a field not known
here.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_timedelta,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from helpdesk.timeutil import utcnow

#: The region whose dates and times each language shows; another language keeps its own.
REGIONS = {"en": "en_GB", "de": "de_AT"}


def region(locale: Locale | str | None = None) -> Locale:
    """The locale whose formats readers of ``locale`` (default: the current one) see."""
    return _region(str(locale or get_locale() or "en"))


@cache
def _region(name: str) -> Locale:
    locale = Locale.parse(name)
    return Locale.parse(REGIONS.get(locale.language, str(locale)))


@cache
def _glue(format: str, where: Locale) -> str:
    """How ``where`` joins a date (``{1}``) and a time (``{0}``) in ``format``."""
    return str(get_datetime_format(format, where)).replace("'", "")


def _local(at: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored time (naive UTC, or aware) in ``zone`` (default: the reader's)."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(zone or ZoneInfo(str(get_timezone())))


def datetime_text(at: datetime | None, format: str = "medium", locale=None, zone=None) -> str:
    """``at`` as the region's date in ``format`` (short, medium, long) and its short time."""
    if at is None:
        return ""
    return compiled(str(locale or get_locale() or "en"), format)(_local(at, zone))


def date_text(at: date | datetime | None, format: str = "medium", locale=None, zone=None) -> str:
    """A calendar ``date`` as it is, or the stored time ``at``'s date in the reader's zone."""
    if at is None:
        return ""
    day = _local(at, zone) if isinstance(at, datetime) else at
    return format_date(day, format, locale=region(locale))


def relative_text(at: datetime, locale=None, now: datetime | None = None) -> str:
    """How long ago (or how soon) the stored time ``at`` is: "3 hours ago", "in 2 days"."""
    naive = at.replace(tzinfo=None) if at.tzinfo else at
    delta = naive - (now or utcnow())
    return format_timedelta(delta, add_direction=True, threshold=1, locale=region(locale))


def relative(at: datetime | None, now: datetime | None = None) -> Markup:
    """A ``<time>`` saying how long ago (or how soon) ``at`` is, the exact time on hover."""
    if at is None:
        return Markup("")
    naive = at.replace(tzinfo=None) if at.tzinfo else at
    text = relative_text(naive, now=now)
    iso = naive.isoformat(timespec="seconds")
    exact = escape(datetime_text(naive))
    return Markup(f'<time datetime="{iso}Z" title="{exact}">{escape(text)}</time>')


#: The number fields, zero-padded to their length as Babel pads them.
_NUMBERS = {
    "d": lambda t: str(t.day),
    "dd": lambda t: f"{t.day:02d}",
    "M": lambda t: str(t.month),
    "MM": lambda t: f"{t.month:02d}",
    "y": lambda t: str(t.year),
    "yyyy": lambda t: f"{t.year:04d}",
    "H": lambda t: str(t.hour),
    "HH": lambda t: f"{t.hour:02d}",
    "h": lambda t: str(t.hour % 12 or 12),
    "hh": lambda t: f"{t.hour % 12 or 12:02d}",
    "mm": lambda t: f"{t.minute:02d}",
    "ss": lambda t: f"{t.second:02d}",
}


@lru_cache(maxsize=16)
def compiled(language: str, format: str = "medium") -> Callable[[datetime], str]:
    """The function that writes a local time in the ``format`` date and short time of
    ``language``'s region, joined as Babel joins them: one ``%`` format over the fields of
    both (Babel's own formatting when a field is not known here). A page or a batch of mail
    writes many; Babel looks up the locale and the pattern for each and walks the pattern
    field by field."""
    locale = _region(language)
    glue = _glue(format, locale)
    date = get_date_format(format, locale)
    time = get_time_format("short", locale)
    getters = {
        name: _getter(name, locale)
        for pattern in (date, time)
        for name in re.findall(r"%\((\w+)\)s", pattern.format)
    }
    if None in getters.values():
        return lambda local: glue.replace("{0}", time.apply(local, locale)).replace(
            "{1}", date.apply(local, locale)
        )
    joined = glue.replace("%", "%%").replace("{0}", time.format).replace("{1}", date.format)
    return lambda local: joined % {name: get(local) for name, get in getters.items()}


def _getter(name: str, locale) -> Callable[[datetime], str] | None:
    if name in _NUMBERS:
        return _NUMBERS[name]
    field = parse_pattern(name)
    if name in ("MMM", "MMMM"):
        months = [field.apply(datetime(2000, month, 1), locale) for month in range(1, 13)]
        return lambda t: months[t.month - 1]
    if name == "a":
        am, pm = (field.apply(datetime(2000, 1, 1, hour), locale) for hour in (1, 13))
        return lambda t: pm if t.hour >= 12 else am
    return None


def install(app) -> None:
    """The Jinja filters: ``datetimeformat`` (Flask-Babel's name, regional and without
    seconds), ``dateformat`` and ``relative``."""
    app.jinja_env.filters["datetimeformat"] = datetime_text
    app.jinja_env.filters["dateformat"] = date_text
    app.jinja_env.filters["relative"] = relative
    app.jinja_env.filters["message"] = message


#: Messages rendered per process: a timeline's messages are read again and again (every view
#: of the case, and every htmx action renders the whole timeline anew), and rendering one
#: (Markdown, then nh3) cost more than the rest of its entry; the HTML depends on the text
#: alone. Long texts are not kept, so the cache stays below a few MB.
MESSAGES_KEPT = 1024
MESSAGE_KEPT_CHARACTERS = 4000


def message(text: str | None) -> Markup:
    """A message or note of a case's timeline: Markdown, sanitised, line breaks kept."""
    text = text or ""
    if len(text) > MESSAGE_KEPT_CHARACTERS:
        return _message(text)
    return _kept_message(text)


def _message(text: str) -> Markup:
    from helpdesk.markdown import render

    return render(text, breaks=True)


_kept_message = lru_cache(maxsize=MESSAGES_KEPT)(_message)
