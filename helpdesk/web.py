"""Rendering for both kinds of request from one template.

A normal request gets the whole page; an htmx request gets only the named block of the same
template, except a boosted navigation (htmx swaps the whole body) and a history restore after
a cache miss (htmx puts the answer in place of the whole page). ``Vary: HX-Request`` keeps
caches from handing one to the other.
"""

from flask import current_app, make_response, render_template, request
from jinja2_fragments.flask import render_block


def render(template: str, block: str = "content", status: int = 200, **context):
    partial = request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request)
    if partial:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page, for mail and jobs: always under ``BASE_URL``, never under
    whatever host a request named (a forged Host header must not end up in a reset link)."""
    path = current_app.url_map.bind("portal").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
