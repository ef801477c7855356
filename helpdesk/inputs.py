"""What a request may carry, read once at the boundary: ids, page numbers, text without NUL.

Both databases keep ids in 64-bit signed integers: a larger number in a query does not find
nothing, it raises (SQLite's OverflowError, PostgreSQL's "out of range"), a 500. And
``str.isdigit`` takes "²" and "٣" for digits that ``int`` then refuses or reads. So every number
a request names is read here: ids in URLs by the ``int`` converter the app registers
(``IdConverter``), ids in forms and query strings by ``parse_id``, page numbers by
``page_number``.

PostgreSQL refuses a NUL character in any text (a 500 on that database only), and NUL never
means anything in text a person types or in a URL of ours: query and form values lose it
(``PortalRequest``), and a URL argument holding one names nothing (404).
"""

from flask import Flask
from htmx_flask import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

#: The largest id either database can hold.
MAX_ID = 2**63 - 1
#: Deeper than any list of ours goes, and far from making ``(page - 1) * size`` overflow.
MAX_PAGE = 1_000_000


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits from 1 to ``MAX_ID``, else no match (404)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(raw) -> int | None:
    """The id ``raw`` names in ASCII digits, from 1 to ``MAX_ID``; None for anything else."""
    text = "" if raw is None else str(raw)
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
        number = int(text)
        if 1 <= number <= MAX_ID:
            return number
    return None


def page_number(raw, last: int = MAX_PAGE) -> int:
    """The page ``raw`` names, from 1 to ``last``: 1 for anything unreadable, ``last`` for a
    larger number."""
    text = "" if raw is None else str(raw)
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(last)):  # no int() of thousands of digits
        return last
    return max(1, min(int(text), last))


class _WithoutNul:
    """A URL argument converter that refuses a text with a NUL character (no match: 404)."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return super().to_python(value)


class TextConverter(_WithoutNul, UnicodeConverter):
    """``<name>`` and ``<string:name>``."""


class TextPathConverter(_WithoutNul, PathConverter):
    """``<path:name>``."""


class ParametersWithoutNul(ImmutableMultiDict):
    """Query and form parameters with every NUL character taken out of names and values."""

    def __init__(self, mapping=None):
        if isinstance(mapping, list | tuple):  # the pairs Werkzeug parsed (files stay as sent)
            mapping = [(_without_nul(name), _without_nul(value)) for name, value in mapping]
        super().__init__(mapping)


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


class PortalRequest(HtmxAwareRequest):
    """The request htmx-flask makes (``request.htmx``), with parameters without NUL."""

    parameter_storage_class = ParametersWithoutNul


def init_app(app: Flask) -> None:
    """Register the converters (before any route is added) and the request class."""
    app.url_map.converters.update(
        int=IdConverter, default=TextConverter, string=TextConverter, path=TextPathConverter
    )
    app.request_class = PortalRequest
