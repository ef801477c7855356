"""Error pages in the user's language, as pages or as htmx partials."""

from flask import Flask
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from helpdesk.web import render


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        titles = {
            400: _("The request was not understood"),
            403: _("Not allowed"),
            404: _("Not found"),
            405: _("Not allowed"),
            413: _("Too large"),
            429: _("Too many requests"),
        }
        messages = {
            400: _("Please check what you sent and try again."),
            404: _("This page does not exist, or you may not see it."),
            413: _("The upload is larger than allowed."),
            429: _("Please wait a moment and try again."),
        }
        return render(
            "errors/error.html",
            status=error.code or 500,
            title=titles.get(error.code, error.name),
            message=messages.get(error.code, error.description),
        )
