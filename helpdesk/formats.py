"""Dates and times as the reader's region writes them (en-GB and de-AT style by default).

Babel's plain ``en`` is American (``12/3/26, 8:50:03 PM``); the portal writes English the
British way and German the Austrian way, in the reader's time zone, and leaves out the
seconds: ``3 Dec 2026, 20:50``, ``03.12.2026, 20:50``. ``relative`` says "3 hours ago" with
the exact time in the element's ``title`` (shown on hover).
"""

from datetime import UTC, date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta, get_datetime_format
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
    where = region(locale)
    local = _local(at, zone)
    return (
        _glue(format, where)
        .replace("{1}", format_date(local, format, locale=where))
        .replace("{0}", format_time(local, "short", locale=where))
    )


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
