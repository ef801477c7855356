"""The small pieces of the case page's forms, as Python: the CSRF field, a form's post
attributes, what a refused form had typed, its invalid marks and problems, a drop-down's
options; and the agent's properties panel, made of them.

A case page asks for these about a hundred times (every form, every field); as Jinja macros,
with the drop-downs' options looped in Jinja, they made a tenth of the Python function calls
of the agent's case page. ``templates/cases/_detail_macros.html`` hands them on under the
same names, so the templates call ``forms.typed(...)`` as before.

The properties panel (``properties``), a dozen fields each with its label, drop-down and
marks, was the largest part of the agent's page left in Jinja: in Python the agent's case
page took 6 % less CPU (``python -m bench.inprocess --cases 20000 --rounds 5 --requests
100``, SQLite, the same session: 5.21 -> 4.88 ms the least of 5 rounds, 6.12 -> 5.73 ms the
median), with the same markup.
"""

from flask import g, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from helpdesk.i18n import gettext as _
from helpdesk.policy import current_policy
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


def properties(case, agent: dict, failure, labels: dict, user_id: int) -> Markup:
    """The properties panel's form (``templates/cases/_agent_actions.html``): every field of
    the case with its choices (``agent``, from ``detail.agent_context``), what a refused
    form had typed, and the form that assigns the case to the agent (``user_id``); the
    markup, blank lines included, is what the template wrote."""
    form = "properties"
    url_attributes = post("cases.save_properties", case)
    chosen = typed(failure, form, "assignee", case.assignee_id or "")
    assign_me = case.assignee_id != user_id
    button = ""
    if assign_me:
        text = escape(_("Assign to me"))
        button = f'\n        <button type="submit" form="assign-me" class="link">{text}</button>'
        button += "\n        "
    nobody, save = escape(_("(nobody)")), escape(_("Save"))
    parts = [
        f"{problems(failure, form)}\n  \n"
        f'  <form {url_attributes} data-hx-trigger="change, submit" '
        'data-hx-sync="this:queue all" class="properties">\n'
        f"    {csrf()}\n"
        '    <div class="field">\n'
        f'      <label for="prop-assignee">{labels["assignee"]}</label>\n      \n'
        '      <div class="with-action">\n'
        f'        <select name="assignee" id="prop-assignee"{invalid(failure, form, "assignee")}>\n'
        f'          <option value="">{nobody}</option>\n'
        f"          {options(agent['agents'], chosen)}\n"
        f"        </select>\n        {button}\n      </div>\n    </div>\n    ",
        _status_fields(case, agent, failure, labels) if agent["statuses"] else "",
        "\n    ",
    ]
    for name in agent["fields"]:
        parts.append(_field(name, agent, failure, labels))
    parts.append(f'\n    <button type="submit" class="primary">{save}</button>\n  </form>\n  ')
    if assign_me:
        parts.append(
            f'\n  <form id="assign-me" {url_attributes} hidden>\n    {csrf()}\n'
            f'    <input type="hidden" name="assignee" value="{user_id}">\n  </form>\n  '
        )
    return Markup("".join(parts))


def _status_fields(case, agent: dict, failure, labels: dict) -> str:
    """The status drop-down (the current one first) and what is needed from the customer."""
    form = "properties"
    chosen = typed(failure, form, "status", case.status)
    status_label = current_policy().label("status", case.status)
    current = Markup(_("%(status)s (current)")) % {"status": status_label}
    selected = " selected" if chosen == case.status else ""
    question = escape(_("What do you need from the customer? (required for a waiting status)"))
    return (
        '\n    <div class="field">\n'
        f'      <label for="prop-status">{labels["status"]}</label>\n      \n'
        f'      <select name="status" id="prop-status"{invalid(failure, form, "status")}>\n'
        f'        <option value="{escape(case.status)}"{selected}>{current}</option>\n'
        f"        {options(agent['statuses'], chosen)}\n"
        "      </select>\n    </div>\n"
        '    <div class="field">\n'
        f'      <label for="prop-waiting_for">{question}</label>\n'
        '      <input type="text" name="waiting_for" id="prop-waiting_for" maxlength="500"'
        f"{invalid(failure, form, 'waiting_for')}\n"
        f'             value="{escape(typed(failure, form, "waiting_for"))}">\n'
        "    </div>\n    "
    )


def _field(name: str, agent: dict, failure, labels: dict) -> str:
    """A field's drop-down (and after the severity, the reason for changing it)."""
    form = "properties"
    chosen = typed(failure, form, name, agent["current"][name])
    reason = ""
    if name == "severity":
        reason_label = escape(_("Reason (optional)"))
        reason = (
            '\n    <div class="field">\n'
            f'      <label for="prop-reason">{reason_label}</label>\n'
            '      <input type="text" name="reason" id="prop-reason" maxlength="500" '
            f'value="{escape(typed(failure, form, "reason"))}">\n'
            "    </div>\n    "
        )
    return (
        '\n    <div class="field">\n'
        f'      <label for="prop-{name}">{labels[name]}</label>\n'
        f'      <select name="{name}" id="prop-{name}"{invalid(failure, form, name)}>\n'
        f"        {options(agent['choices'][name], chosen)}\n"
        f"      </select>\n    </div>\n    {reason}\n    "
    )


#: What ``templates/cases/_detail_macros.html`` hands on to the case page's templates.
HELPERS = {
    "csrf": csrf,
    "post": post,
    "typed": typed,
    "invalid": invalid,
    "problems": problems,
    "options": options,
    "properties": properties,
}
