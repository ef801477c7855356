"""The API lists' cursors: opaque, signed positions in a list.

A list's ``links.next`` carries ``cursor=...``: the list's query (its filters and the next
page) serialised and signed with the app's ``SECRET_KEY`` (itsdangerous), under a salt of
the list's own, so a caller can neither read meaning into it, change it, nor take a cursor of
one list to another. A forged, changed or garbled cursor is a 400 problem, never a 500. A
cursor widens nothing: it only replays a query the caller could have sent, and the rows are
still those the token's person may see.
"""

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.datastructures import MultiDict

from helpdesk.api.problems import Problem
from helpdesk.i18n import lazy_gettext as _l

#: The query parameter; documented with every list.
PARAMETER = {
    "cursor": {
        "type": "string",
        "description": "the next page: the value of ``links.next``'s cursor, as given",
    }
}


def _serializer(list_name: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-cursor:{list_name}")


def make(list_name: str, query: dict) -> str:
    """The cursor of ``query`` (parameter name -> text or number) for the list ``list_name``."""
    return _serializer(list_name).dumps({str(k): str(v) for k, v in query.items()})


def next_link(list_name: str, query: dict) -> str:
    """``links.next`` of a list: this path with the cursor of ``query``."""
    return f"{request.path}?cursor={make(list_name, query)}"


def query_of(list_name: str) -> MultiDict:
    """The list's query: the one the request's ``cursor`` carries, else the request's own."""
    text = request.args.get("cursor")
    if text is None:
        return request.args
    try:
        query = _serializer(list_name).loads(text)
    except (BadData, UnicodeError, ValueError):
        query = None
    if not isinstance(query, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in query.items()
    ):
        raise Problem(400, _l("The cursor is not one this list gave out."))
    return MultiDict(query)
