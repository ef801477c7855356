"""The API's description: ``/api/v1/openapi.json`` and a page that shows it (Swagger UI,
served from ``static/vendor/swagger-ui``: it works without the internet)."""

from flask import current_app, jsonify, render_template

from helpdesk.api import openapi
from helpdesk.api.openapi import documented
from helpdesk.api.views.blueprint import bp

#: Swagger UI sets styles from its script, and shows the description's data: images.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@bp.get("/openapi.json")
@documented(public=True)
def openapi_json():
    """This description (OpenAPI 3.1)."""
    described = current_app.extensions.get("openapi")
    if described is None:
        described = current_app.extensions["openapi"] = openapi.build(current_app)
    return jsonify(described)


@bp.get("/docs")
@documented(public=True, html=True)
def docs():
    """A page that lists every operation of this description."""
    response = current_app.make_response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
