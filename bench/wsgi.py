"""The app as the benchmark serves it, plus two yardsticks on the same server: a trivial route
(the ceiling of Flask itself) and the floor of a signed-in page (session, user, layout with
navigation and CSRF token, an empty content block): what every page of the portal costs
before its own work."""

from flask import render_template
from flask_login import login_required

from helpdesk import create_app

app = create_app()  # first: what it leaves out of memory must not be imported before it

from bench import api  # noqa: E402

api.allow_the_load(app)

_EMPTY_PAGE = app.jinja_env.from_string(
    '{% extends "base.html" %}{% block content %}<h1>ok</h1>{% endblock %}'
)


@app.route("/_bench/trivial")
def trivial():
    return "ok"


@app.route("/_bench/signed-in")
@login_required
def signed_in_floor():
    return render_template(_EMPTY_PAGE)
