"""Times on a case's page, as ``helpdesk.formats`` writes them: the region's medium date and
short time (no seconds), in the user's time zone.

A page shows a dozen; Babel looks up the locale, the zone and the pattern for each and then
walks the pattern field by field. Here the patterns are compiled once per language into one
``%`` format over the fields they use (names of months and of AM/PM taken from Babel itself),
so a time costs a zone conversion and a string format. A pattern with a field not known here
is left to Babel.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_date_format, get_datetime_format, get_time_format, parse_pattern
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from helpdesk.formats import region, relative_text

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


class Times:
    """The formatter of one page: the user's language and zone, looked up once."""

    def __init__(self):
        self.language = str(get_locale())
        self.written = _formats(self.language)
        # a ZoneInfo, as on the case lists: it converts several times faster than pytz
        self.zone = ZoneInfo(str(get_timezone()))

    def text(self, at: datetime) -> str:
        """A stored (naive UTC) time in the user's zone and language."""
        return self.written(at.replace(tzinfo=UTC).astimezone(self.zone))

    def element(self, at: datetime) -> Markup:
        """``at`` as a ``<time>`` element, with the UTC instant for machines."""
        iso = at.isoformat(timespec="seconds")
        return Markup(f'<time datetime="{iso}Z">{escape(self.text(at))}</time>')

    def ago(self, at: datetime) -> Markup:
        """How long ago ``at`` was ("3 hours ago"), the exact time on hover."""
        iso = at.isoformat(timespec="seconds")
        text = escape(relative_text(at, self.language))
        return Markup(f'<time datetime="{iso}Z" title="{escape(self.text(at))}">{text}</time>')


@lru_cache(maxsize=16)
def _formats(language: str) -> Callable[[datetime], str]:
    """The function that writes a local time in the medium date and short time of
    ``language``'s region, joined as Babel joins them: one ``%`` format over the fields of
    both (Babel's own formatting when a field is not known here)."""
    locale = region(Locale.parse(language))
    glue = get_datetime_format("medium", locale).replace("'", "")
    date = get_date_format("medium", locale)
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
