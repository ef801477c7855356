"""The OpenAPI 3.1 description of ``/api/v1/``, generated from the code (apispec).

Paths, methods and path parameters come from the URL map; summary and description from each
view's docstring; the scope from ``needs``; bodies, answers and query parameters from the
``documented`` decorator on each view; the shapes from ``helpdesk.api.schemas``. A view of
the API without ``documented`` fails the build, so nothing is served undescribed.
"""

import re

from apispec import APISpec
from flask import Flask

from helpdesk.api.schemas import SCHEMAS, ref
from helpdesk.inputs import MAX_ID

PROBLEMS = {
    400: "The body is not what the operation takes, or the cursor is not one a list gave.",
    401: "No token, or an unknown, expired or revoked one.",
    403: "The token lacks the operation's scope, or the person may not do this.",
    404: "Nothing the token's person may see (also: an agent's operation for a customer).",
    422: "Refused as the form would refuse it; ``errors`` names the fields.",
    429: "The token's rate limit is used up.",
    503: "The database was busy; send it again after ``Retry-After`` seconds.",
}
#: What every operation with a token may answer besides its own.
ALWAYS = (401, 403, 404, 429, 503)
#: The groups of operations (OpenAPI tags) in the order the docs page shows them: name,
#: description, and the first parts of the paths after ``/api/v1/`` that belong to it.
TAGS = (
    ("Cases", "Cases, their timeline, messages, files and fields.", ("cases",)),
    ("People", "The token's person, organisations and their people.", ("me", "organisations")),
    (
        "Vocabulary",
        "Products and the vendor's words for types, statuses and more.",
        ("products", "vocabulary"),
    ),
    ("Knowledge", "The help center's articles and categories.", ("knowledge",)),
    ("Webhooks", "Announcements of events to other programs (admins).", ("webhooks",)),
    ("Sign-in links", "Links that open the portal signed in (admins).", ("sign-in-links",)),
    ("Description", "This description and its page.", ("openapi.json", "docs")),
)


def _tag(path: str) -> str:
    first = path.removeprefix("/api/v1/").split("/")[0]
    return next(name for name, _text, parts in TAGS if first in parts)


def documented(ok: int = 200, answer: str | None = None, body: str | None = None, **more):
    """Describe a view for the OpenAPI description: its success status and answer schema,
    its JSON request body (schema name), and ``query`` (name -> schema), ``files`` (a
    multipart body schema), ``download`` (a file answer), ``empty`` (another success status
    without body), ``public`` (no token)."""

    def decorator(view):
        view.openapi = {"ok": ok, "answer": answer, "body": body, **more}
        return view

    return decorator


def _path(rule) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        # The app's ``int`` converter takes ids from 1 to ``MAX_ID`` only (else: no route).
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string", "minLength": 1}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", replace, rule.rule), parameters


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": ref(schema_name)}}


def _operation(view, rule, method: str, parameters: list[dict]) -> dict:
    info = getattr(view, "openapi", None)
    if info is None:
        raise LookupError(f"{rule.endpoint} lacks @documented: the API describes every route")
    doc = (view.__doc__ or rule.endpoint).strip().split("\n\n")
    operation = {
        "operationId": rule.endpoint.removeprefix("api.")
        + ("" if method != "delete" else "_delete"),
        "summary": " ".join(doc[0].split()),
        "tags": [_tag(rule.rule)],
        "parameters": list(parameters),
        "responses": {},
    }
    if len(doc) > 1:
        operation["description"] = " ".join(" ".join(doc[1:]).split())
    scope = getattr(view, "scope", None)
    if info.get("public"):
        operation["security"] = []
    elif scope:
        operation["security"] = [{"token": [scope]}]
        operation["description"] = f"Scope: `{scope}`. " + operation.get("description", "")
    for name, schema in info.get("query", {}).items():
        operation["parameters"].append(
            {"name": name, "in": "query", "required": False, "schema": schema}
        )
    content = {}
    if info.get("body"):
        content.update(_json(info["body"]))
    if info.get("files"):
        content["multipart/form-data"] = {"schema": ref(info["files"])}
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    answer = {"description": "OK"}
    if info.get("answer"):
        answer["content"] = _json(info["answer"])
    if info.get("download"):
        answer["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    if info.get("html"):
        answer["content"] = {"text/html": {"schema": {"type": "string"}}}
    operation["responses"][str(info["ok"])] = answer
    if info.get("empty"):
        operation["responses"][str(info["empty"])] = {"description": "Done; no longer visible"}
    problems = () if info.get("public") else ALWAYS + ((400, 422) if content else ())
    if "cursor" in info.get("query", {}):
        problems += (400,)
    for status in sorted(problems):
        operation["responses"][str(status)] = {
            "description": PROBLEMS[status],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
    return operation


def build(app: Flask) -> dict:
    """The description of the API of ``app``."""
    spec = APISpec(
        title="Support portal API",
        version="1",
        openapi_version="3.1.0",
        info={
            "description": "Cases, people, products, the knowledge base and the vendor's "
            "vocabulary."
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal access token"}
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        path, parameters = _path(rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            method = method.lower()
            paths.setdefault(path, {})[method] = _operation(view, rule, method, parameters)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    described = spec.to_dict()
    described["security"] = [{"token": []}]
    described["tags"] = [{"name": name, "description": text} for name, text, _parts in TAGS]
    return described
