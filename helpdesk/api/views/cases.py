"""Cases through the API: the same lists, case pages and actions as the portal's, through the
same functions (``listing``, ``access``, ``service``, the case form)."""

from flask import current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from helpdesk.accounts.models import User
from helpdesk.api import cursors, serialise
from helpdesk.api.openapi import documented
from helpdesk.api.problems import Problem
from helpdesk.api.views.blueprint import bp, needs, person_of_token
from helpdesk.cases import access, files, listing, service, uploads
from helpdesk.cases.errors import CaseError
from helpdesk.cases.forms import case_form
from helpdesk.cases.models import Attachment, Channel
from helpdesk.cases.views.actions import field_value
from helpdesk.cases.views.attachments import serve
from helpdesk.cases.views.detail import AGENT_FIELDS, timeline
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.permissions import ensure_agent, may_work_cases
from helpdesk.policy import current_policy


def _case(call_id: str):
    """The case if the token's person may see it; a 404 otherwise (PERM-1)."""
    case = access.case_by_call_id(person_of_token(), call_id)
    if case is None:
        raise Problem(404)
    return case


def values_of(lists=()) -> MultiDict:
    """The request's fields: a JSON object, or a form (multipart, for files). The fields
    named in ``lists`` may hold a JSON list of values."""
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise Problem(400, _l("Please send a JSON object."))
        values = MultiDict()
        for key, value in data.items():
            if key in lists and isinstance(value, list):
                for item in value:
                    values.add(key, _text(item))
            elif value is not None:
                values.add(key, _text(value))
        return values
    return request.form


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "y" if value else ""
    if isinstance(value, int | float):
        return str(value)
    raise Problem(400, _l("Please send each field as text, a number or true/false."))


def _files(user: User) -> list[Attachment]:
    """The request's files (``files``) as pending uploads; any refused file refuses the call."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    kept, problems = [], []
    for upload in request.files.getlist("files"):
        if not upload or not upload.filename:
            continue
        try:
            stored = files.store(upload.filename, upload.stream.read(limit + 1))
        except files.UploadError as error:
            problems.append(str(error))
            continue
        kept.append(uploads.pending_upload(user, stored))
    if problems:
        raise Problem(422, problems[0], {"files": problems})
    return kept


def _answer(call_id: str, status: int = 200):
    case = access.case_by_call_id(person_of_token(), call_id)
    if case is None:  # e.g. no longer following a colleague's case
        return "", 204
    return _shown(case), status


def _shown(case) -> dict:
    user = person_of_token()
    opening, entries = timeline(user, case)
    entries = [opening, *entries] if opening is not None else entries
    return serialise.case(case, entries, may_work_cases(user), bool(case.following))


#: The names a list's rows carry (the list's other values come with every row), by agent or not.
API_COLUMNS = {
    False: ("call_id", "product", "requester"),
    True: ("call_id", "product", "requester", "organisation", "assignee"),
}
#: The list's query parameters (``listing.parse_filters`` ignores any value it does not know).
LIST_QUERY = {
    "status": {"enum": list(listing.STATUS_FILTERS)},
    "view": {"enum": list(listing.QUEUE_VIEWS), "description": "agents: the queue's views"},
    "severity": {"type": "string"},
    "case_type": {"type": "string"},
    "product": {"type": "integer"},
    "requester": {"type": "integer"},
    "assignee": {"type": "string", "description": "an agent's id, or none"},
    "q": {"type": "string"},
    "sort": {"enum": list(listing.SORTS)},
    "dir": {"enum": ["asc", "desc"]},
    "page": {"type": "integer", "minimum": 1},
    **cursors.PARAMETER,
}


@bp.get("/cases")
@needs("cases:read")
@documented(answer="CaseList", query=LIST_QUERY)
def list_cases():
    """The cases the person sees, with the filters, sort, search and pages of the lists."""
    user, policy = person_of_token(), current_policy()
    queue = may_work_cases(user)
    choices, _columns = listing.choices_and_columns(user, policy, queue=queue)
    filters = listing.parse_filters(cursors.query_of("cases"), choices)
    page = listing.list_page(user, filters, policy, API_COLUMNS[queue])
    links = {}
    if page.has_next:
        links["next"] = cursors.next_link("cases", filters.args(page=page.number + 1))
    return jsonify(
        cases=[serialise.list_row(row, queue) for row in page.rows],
        page=page.number,
        links=links,
    )


@bp.post("/cases")
@needs("cases:write")
@documented(ok=201, answer="Case", body="NewCase")
def create_case():
    """Open a case: a customer for themselves, an agent for a customer (``requester``)."""
    user = person_of_token()
    agent = may_work_cases(user)
    if not agent and not access.may_open_case(user):
        raise Problem(403, _l("You may not open cases for your organisation."))
    values = values_of()
    form = case_form(values, phone=agent, formdata=values, meta={"csrf": False})
    if not form.validate():
        errors = {name: messages for name, messages in form.errors.items() if messages}
        first = next(iter(errors.values()))[0]
        raise Problem(422, first, errors)
    pending = _files(user)
    if agent:
        new = form.new_case(opened_by=user, channel=Channel.PHONE)
    else:
        new = form.new_case(user, channel=Channel.WEB)
    case = service.open_case(new, pending)
    return _answer(case.call_id, 201)


@bp.get("/cases/<call_id>")
@needs("cases:read")
@documented(answer="Case")
def get_case(call_id: str):
    """A case with its timeline: the public one, or the whole one for agents."""
    return _shown(_case(call_id))


@bp.post("/cases/<call_id>/messages")
@needs("cases:write")
@documented(ok=201, answer="Case", body="Message", files="MessageWithFiles", empty=204)
def add_message(call_id: str):
    """A public reply, or for an agent an internal note (``"internal": true``)."""
    case, user = _case(call_id), person_of_token()
    values = values_of()
    internal = values.get("internal", "") not in ("", "false", "0")
    if internal:
        ensure_agent(user)
    pending = _files(user)
    service.add_message(case, user, values.get("body", ""), attachments=pending, internal=internal)
    return _answer(call_id, 201)


@bp.patch("/cases/<call_id>")
@needs("cases:write")
@documented(answer="Case", body="Fields", empty=204)
def change_fields(call_id: str):
    """An agent changes fields (team, type, severity, priority, product, version, component).

    A field that names a row (product, version, component, team) takes its id."""
    case, user = _case(call_id), person_of_token()
    ensure_agent(user)
    values = values_of()
    unknown = [name for name in values if name not in (*AGENT_FIELDS, "reason")]
    if unknown:
        raise Problem(
            422,
            _l("These fields cannot be changed: %(names)s.", names=", ".join(unknown)),
            {name: [_l("This field cannot be changed.")] for name in unknown},
        )
    reason = values.get("reason", "").strip() or None
    for name in AGENT_FIELDS:
        if name in values:
            fresh = access.case_by_call_id(user, call_id) or case
            service.change_field(fresh, user, name, field_value(name, values[name]), reason)
    return _answer(call_id)


@bp.post("/cases/<call_id>/status")
@needs("cases:write")
@documented(answer="Case", body="Status", empty=204)
def move_status(call_id: str):
    """An agent moves the case to a status of the vendor (``waiting_for`` when it waits)."""
    case, user = _case(call_id), person_of_token()
    ensure_agent(user)
    values = values_of()
    service.move_status(
        case, user, values.get("status", ""), waiting_for=values.get("waiting_for", "")
    )
    return _answer(call_id)


@bp.post("/cases/<call_id>/assignee")
@needs("cases:write")
@documented(answer="Case", body="Assignee", empty=204)
def assign(call_id: str):
    """Assign to an agent (``assignee``: their id), or to nobody (no ``assignee``)."""
    case, user = _case(call_id), person_of_token()
    ensure_agent(user)
    raw = values_of().get("assignee", "")
    assignee = None
    if raw:
        assignee = User.get_or_none(User.id == number) if (number := parse_id(raw)) else None
        if assignee is None:
            raise CaseError(_l("Cases are assigned to active agents."), "assignee")
    service.assign(case, user, assignee)
    return _answer(call_id)


@bp.put("/cases/<call_id>/follow")
@needs("cases:write")
@documented(answer="Case", empty=204)
def follow(call_id: str):
    """Follow the case: its news by mail."""
    service.follow(_case(call_id), person_of_token())
    return _answer(call_id)


@bp.delete("/cases/<call_id>/follow")
@needs("cases:write")
@documented(answer="Case", empty=204)
def unfollow(call_id: str):
    """Stop following the case."""
    service.unfollow(_case(call_id), person_of_token())
    return _answer(call_id)


@bp.get("/cases/<call_id>/attachments/<int:attachment_id>")
@needs("cases:read")
@documented(download=True)
def attachment(call_id: str, attachment_id: int):
    """A file of the case, always as a download."""
    case, user = _case(call_id), person_of_token()
    query = Attachment.select().where(Attachment.id == attachment_id)
    found = access.visible_attachments(user, case, query).first()
    if found is None:
        raise Problem(404)
    return serve(found)
