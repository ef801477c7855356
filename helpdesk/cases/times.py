"""Times on a case's page, as ``helpdesk.formats`` writes them: the region's medium date and
short time (no seconds), in the user's time zone, by the formatter ``formats.compiled``
compiles once per language: a time costs a zone conversion and a string format.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from helpdesk.formats import compiled, relative_text


class Times:
    """The formatter of one page: the user's language and zone, looked up once."""

    def __init__(self):
        self.language = str(get_locale())
        self.written = compiled(self.language)
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
