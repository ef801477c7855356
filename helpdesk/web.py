"""Rendering for both kinds of request from one template.

A normal request gets the whole page; an htmx request (not a boosted navigation, which swaps
the whole body) gets only the named block of the same template. ``Vary: HX-Request`` keeps
caches from handing one to the other.
"""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def render(template: str, block: str = "content", status: int = 200, **context):
    if request.htmx and not request.htmx.boosted:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
