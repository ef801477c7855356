"""The API's description: ``/api/v1/openapi.json`` and a page that shows it (Swagger UI,
served from ``static/vendor/swagger-ui``: it works without the internet)."""

from flask import current_app, jsonify, render_template

from helpdesk.api import openapi
from helpdesk.api.openapi import documented
from helpdesk.api.views.blueprint import bp
from helpdesk.i18n import current_language

#: Swagger UI sets styles from its script, and shows the description's data: images.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


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
    """A page that lists every operation of this description.

    In the reader's language; without JavaScript it lists the operations itself."""
    operations = [
        (method.upper(), path, operation["summary"])
        for path, methods in _described()["paths"].items()
        for method, operation in methods.items()
    ]
    response = current_app.make_response(
        render_template("api/docs.html", operations=operations, language=current_language())
    )
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
