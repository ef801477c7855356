"""The small pieces of the case page's forms, as Python: the CSRF field, a form's post
attributes, what a refused form had typed, its invalid marks and problems, a drop-down's
options.

A case page asks for these about a hundred times (every form, every field); as Jinja macros,
with the drop-downs' options looped in Jinja, they made a tenth of the Python function calls
of the agent's case page. ``templates/cases/_detail_macros.html`` hands them on under the
same names, so the templates call ``forms.typed(...)`` as before.
"""

from flask import g, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from helpdesk.web import case_url


def csrf() -> Markup:
    """The hidden CSRF field (the token worked out once per request: a page has a dozen
    forms)."""
    token = g.get("_case_forms_csrf")
    if token is None:
        token = g._case_forms_csrf = generate_csrf()
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % token


def post(endpoint: str, case, multipart: bool = False, **values) -> Markup:
    """The attributes of a form that posts to ``endpoint`` and, with htmx, swaps the case
    panel with the answer."""
    url = (
        url_for(endpoint, call_id=case.call_id, **values)
        if values
        else case_url(endpoint, case.call_id)
    )
    attributes = Markup(
        'method="post" action="%s" data-hx-post="%s" data-hx-target="#case" '
        'data-hx-swap="outerHTML"'
    ) % (url, url)
    return attributes + Markup(' enctype="multipart/form-data"') if multipart else attributes


def _refused(failure, form: str) -> bool:
    # A template without a ``failure`` hands on Jinja's Undefined, which is false.
    return bool(failure) and failure.form == form


def typed(failure, form: str, name: str, default="") -> str:
    """What the user typed into ``name`` of ``form`` when it was refused, else ``default``."""
    return failure.value(name, default) if _refused(failure, form) else default


def invalid(failure, form: str, field: str) -> Markup:
    """The invalid marks of ``field`` when ``form`` was refused for it (or for no field)."""
    if _refused(failure, form) and (failure.field == field or not failure.field):
        return Markup(' aria-invalid="true" aria-describedby="%s-problems"') % form
    return Markup("")


def problems(failure, form: str) -> Markup:
    """Why ``form`` was refused, as an alert, when it was."""
    if not _refused(failure, form):
        return Markup("")
    messages = Markup("").join(
        Markup('<p class="error">%s</p>') % message for message in failure.messages
    )
    return Markup('<div class="problems" role="alert" id="%s-problems">\n  %s\n</div>') % (
        form,
        messages,
    )


def options(pairs, chosen) -> Markup:
    """The ``<option>`` elements of escaped ``(value, text)`` pairs (``escaped``), the one
    whose value is ``chosen`` selected: in Python, as a drop-down of many options cost a
    page more through Jinja's loop."""
    selected = str(escape("" if chosen is None else chosen))
    return Markup(
        "".join(
            f'<option value="{value}"{" selected" if value == selected else ""}>{text}</option>'
            for value, text in pairs
        )
    )


def escaped(pairs) -> list[tuple[str, str]]:
    """``(value, text)`` pairs escaped for ``options``."""
    return [(str(escape(value)), str(escape(text))) for value, text in pairs]


#: What ``templates/cases/_detail_macros.html`` hands on to the case page's templates.
HELPERS = {
    "csrf": csrf,
    "post": post,
    "typed": typed,
    "invalid": invalid,
    "problems": problems,
    "options": options,
}
