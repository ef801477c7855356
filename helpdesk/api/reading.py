"""The OpenAPI description made readable: what ``/api/v1/docs`` shows, server-rendered.

Turns the description (``helpdesk.api.openapi.build``) into plain rows for a template:
operations grouped by tag, each with its parameters, the fields of its request body and
answers, its status codes, scopes and a curl example. A type is a list of parts, each a text
and, for a named schema, the schema's anchor on the page; named schemas are listed once at the
end of the page, objects written inline in a schema are unfolded under their field.
"""

import json
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

REF = "#/components/schemas/"


@dataclass
class Field:
    name: str
    type: list[tuple[str, str | None]]
    required: bool
    description: str
    depth: int


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: Markup
    scopes: list[str]
    parameters: list[dict]
    body: list[tuple[str, list, list[Field]]]
    responses: list[tuple[str, Markup, list]]
    answer: list[Field]
    curl: str


@dataclass
class Group:
    name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


def prose(text: str) -> Markup:
    """The description's text, its ``code`` (in one or two backticks) as code."""
    return Markup(re.sub(r"``?([^`]+)``?", r"<code>\1</code>", str(escape(text))))


def schema_anchor(name: str) -> str:
    return "schema-" + name


def type_of(schema: dict) -> list[tuple[str, str | None]]:
    """The parts of a schema's type: ``[("array of", None), ("Case", "schema-Case")]``."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return [(name, schema_anchor(name))]
    if "anyOf" in schema:
        parts = []
        for index, option in enumerate(schema["anyOf"]):
            parts += ([("or", None)] if index else []) + type_of(option)
        return parts
    if "enum" in schema:
        return [("one of " + ", ".join(json.dumps(value) for value in schema["enum"]), None)]
    kind = schema.get("type", "any")
    if kind == "array":
        return [("array of", None), *type_of(schema.get("items", {}))]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [("map of", None), *type_of(schema["additionalProperties"])]
    details = [schema[key] for key in ("format", "contentMediaType") if key in schema]
    if "minimum" in schema and "maximum" in schema:
        details.append(f"{schema['minimum']}–{schema['maximum']}")
    return [(kind + (f" ({', '.join(map(str, details))})" if details else ""), None)]


def fields_of(schema: dict, depth: int = 0) -> list[Field]:
    """The fields of an object schema, objects written inline unfolded one level deeper."""
    rows = []
    required = set(schema.get("required", ()))
    for name, inner in schema.get("properties", {}).items():
        nested = inner.get("properties") and inner.get("type") == "object"
        rows.append(
            Field(
                name,
                [("object", None)] if nested else type_of(inner),
                name in required,
                inner.get("description", ""),
                depth,
            )
        )
        if nested:
            rows += fields_of(inner, depth + 1)
    return rows


def _schema_rows(content: dict, schemas: dict) -> list[tuple[str, list, list[Field]]]:
    """Per media type: the type and, for a named schema, its fields."""
    rows = []
    for media_type, body in content.items():
        schema = body.get("schema", {})
        named = schema.get("$ref", "").removeprefix(REF)
        rows.append((media_type, type_of(schema), fields_of(schemas.get(named, schema))))
    return rows


def example(schema: dict, schemas: dict):
    """A made-up value of ``schema`` for the curl example: its required fields only."""
    if "$ref" in schema:
        return example(schemas[schema["$ref"].removeprefix(REF)], schemas)
    if "anyOf" in schema:
        return example(schema["anyOf"][0], schemas)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example(schema["properties"][name], schemas)
            for name in schema.get("required", ())
        }
    if kind == "array":
        return [example(schema.get("items", {}), schemas)]
    return {"integer": 1, "boolean": True}.get(kind, "…")


def curl(base: str, method: str, path: str, operation: dict, schemas: dict) -> str:
    """A shell command that calls the operation."""
    lines = ["curl" + ("" if method == "get" else f" -X {method.upper()}")]
    if operation.get("security") != []:
        lines.append('-H "Authorization: Bearer $TOKEN"')
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = json.dumps(example(content["application/json"]["schema"], schemas))
        lines += ['-H "Content-Type: application/json"', f"-d '{body}'"]
    elif "multipart/form-data" in content:
        lines += ["-F body=…", "-F files=@report.pdf"]
    lines.append(f"'{base}{path}'")
    return " \\\n  ".join(lines)


def _operation(base: str, method: str, path: str, operation: dict, schemas: dict) -> Operation:
    scopes = [scope for need in operation.get("security", []) for scope in need["token"]]
    description = operation.get("description", "")
    if scopes:
        description = description.removeprefix(f"Scope: `{scopes[0]}`. ")
    responses, answer = [], []
    for code, response in operation["responses"].items():
        rows = _schema_rows(response.get("content", {}), schemas)
        responses.append((code, prose(response["description"]), rows[0][1] if rows else []))
        if code.startswith("2") and rows and not answer:
            answer = rows[0][2]
    return Operation(
        anchor=operation["operationId"],
        method=method.upper(),
        path=path,
        summary=operation["summary"],
        description=prose(description),
        scopes=scopes,
        parameters=[
            {**parameter, "type": type_of(parameter["schema"])}
            for parameter in operation["parameters"]
        ],
        body=_schema_rows(operation.get("requestBody", {}).get("content", {}), schemas),
        responses=responses,
        answer=answer,
        curl=curl(base, method, path, operation, schemas),
    )


def read(described: dict, base: str) -> tuple[list[Group], list[tuple[str, list[Field]]]]:
    """The description's operations grouped by tag, and its named schemas with their fields;
    ``base`` is the portal's address for the curl examples."""
    schemas = described["components"]["schemas"]
    groups = {tag["name"]: Group(tag["name"], tag["description"]) for tag in described["tags"]}
    for path, methods in described["paths"].items():
        for method, operation in methods.items():
            groups[operation["tags"][0]].operations.append(
                _operation(base, method, path, operation, schemas)
            )
    named = [(name, fields_of(schema)) for name, schema in schemas.items()]
    return [group for group in groups.values() if group.operations], named
