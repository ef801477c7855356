"""Error pages in the user's language, as pages or as htmx partials.

A change that found other writers in the way for longer than the database waits
(``helpdesk.db.is_busy``) was rolled back whole: it answers 503 with ``Retry-After`` and
a page that holds everything the form sent (but files and passwords) in a form that sends
it again, so nothing typed is lost. The same for a request whose PostgreSQL connection was
ended under it (``helpdesk.db.is_connection_lost``: a restart, a failover, an administrator's
``pg_terminate_backend``): its transaction was rolled back, and sent again it succeeds.

A role check a service makes for itself (``permissions.NotAllowed``) that no page caught
answers 404, as the pages' own decorators do.
"""

import contextlib
import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from helpdesk.db import db, is_busy, is_connection_lost
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import NotAllowed
from helpdesk.web import render

log = logging.getLogger(__name__)

#: Title and explanation per status code; anything else gets the 400 or 500 texts.
TEXTS = {
    400: (_l("The request was not understood"), _l("Please check what you sent and try again.")),
    401: (_l("Please sign in"), _l("This page is only for signed-in users.")),
    403: (_l("Not allowed"), _l("You may not do this.")),
    404: (_l("Not found"), _l("This page does not exist, or you may not see it.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("The upload is larger than allowed.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("The error was logged. Please try again later.")),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        title, message = TEXTS.get(code) or TEXTS[500 if code >= 500 else 400]
        return render("errors/error.html", status=code, title=title, message=message)

    @app.errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed):
        # A service refused a role its page should have turned away: answer as the page would.
        log.warning("refused by a service: %s %s: %s", request.method, request.path, error)
        return _http_error(NotFound())

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        if is_connection_lost(error):
            # The page below reads the signed-in user: on a new connection, not the dead one.
            with contextlib.suppress(Exception):
                db.manual_close()
        if is_busy(error) or is_connection_lost(error):
            log.warning("busy: %s %s was rolled back: %s", request.method, request.path, error)
            return _busy()
        if app.testing:
            raise error
        log.exception("unhandled error", exc_info=error)
        return _http_error(InternalServerError())


#: Seconds a client is asked to wait before it sends a refused change again.
RETRY_AFTER = 5
#: Fields the busy page never writes into a page: the CSRF token (it gets a fresh one),
#: passwords (sign-in, reset, registration: ``repeat`` is the second entry) and one-time codes.
NEVER_RESENT = frozenset({"csrf_token", "password", "repeat", "code"})


def _busy():
    """The "busy, try again" page, with the form's fields to send again."""
    resend = [
        (name, value) for name, value in request.form.items(multi=True) if name not in NEVER_RESENT
    ]
    response = render("errors/busy.html", status=503, resend=resend, files=bool(request.files))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
