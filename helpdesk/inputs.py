"""Ids and page numbers from outside (URLs, query strings, forms), read as the database holds them.

Both databases keep ids in 64-bit signed integers: a larger number in a query does not find
nothing, it raises (SQLite's OverflowError, PostgreSQL's "out of range"), a 500. And
``str.isdigit`` takes "²" and "٣" for digits that ``int`` then refuses or reads. So every number
a request names is read here: ids in URLs by the ``int`` converter the app registers
(``IdConverter``), ids in forms and query strings by ``parse_id``, page numbers by
``page_number``.
"""

from werkzeug.routing import IntegerConverter

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
