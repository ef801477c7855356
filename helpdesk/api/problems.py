"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

The ``title`` names the kind of problem, ``detail`` says what went wrong in the caller's
language (the same sentence the form would show), and a refusal that concerns fields lists
them in ``errors`` (field name -> messages), the way a form shows them next to each field.
"""

from flask import jsonify

from helpdesk.errors import TEXTS
from helpdesk.i18n import lazy_gettext as _l

#: Titles of the statuses the pages never answer with.
TITLES = {422: _l("The request was refused"), 401: _l("Access token needed")}

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised by the API's views; answered as problem details."""

    def __init__(self, status: int, detail=None, errors: dict | None = None, headers=None):
        super().__init__(str(detail or ""))
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(status: int, detail=None, errors: dict | None = None, headers=None):
    title, message = TEXTS.get(status) or TEXTS[500 if status >= 500 else 400]
    title = TITLES.get(status, title)
    body = {"type": "about:blank", "title": str(title), "status": status}
    body["detail"] = str(detail) if detail else str(message)
    if errors:
        body["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    response.headers.update(headers or {})
    return response
