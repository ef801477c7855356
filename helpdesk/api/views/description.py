"""The API's description: ``/api/v1/openapi.json`` and a page that shows it, rendered on the
server in the portal's layout (``helpdesk.api.reading``): it needs no script."""

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from helpdesk.api import openapi, reading
from helpdesk.api.openapi import documented
from helpdesk.api.views.blueprint import bp

#: The description's tags (``openapi.TAGS``) in the reader's language: name, description.
GROUPS = {
    "Cases": (_l("Cases"), _l("Cases, their timeline, messages, files and fields.")),
    "People": (_l("People"), _l("The token's person, organisations and their people.")),
    "Vocabulary": (
        _l("Vocabulary"),
        _l("Products and the vendor's words for types, statuses and more."),
    ),
    "Knowledge": (_l("Knowledge"), _l("The help center's articles and categories.")),
    "Webhooks": (_l("Webhooks"), _l("Announcements of events to other programs (admins).")),
    "Sign-in links": (_l("Sign-in links"), _l("Links that open the portal signed in (admins).")),
    "Description": (_l("Description"), _l("This description and its page.")),
}


def _described() -> dict:
    described = current_app.extensions.get("openapi")
    if described is None:
        described = current_app.extensions["openapi"] = openapi.build(current_app)
    return described


@bp.get("/openapi.json")
@documented(public=True)
def openapi_json():
    """This description (OpenAPI 3.1)."""
    return jsonify(_described())


@bp.get("/docs")
@documented(public=True, html=True)
def docs():
    """A page that shows this description: every operation, grouped, with its parameters,
    bodies, answers, scopes and a curl example.

    In the reader's language (the operations' own texts are in English); no script needed."""
    groups, schemas = reading.read(_described(), request.host_url.rstrip("/"))
    return render_template("api/docs.html", groups=groups, schemas=schemas, labels=GROUPS)
