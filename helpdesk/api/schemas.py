"""The JSON shapes of the API as JSON Schema (OpenAPI 3.1), named for ``components``.

``helpdesk.api.serialise`` writes these shapes; ``tests/api/test_openapi.py`` holds every
answer of the running API to them (schemathesis).
"""


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TEXT = {"type": "string"}
#: The webhooks' events (``webhooks.EVENTS``; written out: the schemas import no service).
EVENT_NAMES = ["case.opened", "case.message", "case.status", "case.closed", "survey.answered"]
TIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer"}


def _object(properties: dict, required=None, extra: bool = False) -> dict:
    schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else list(required)
    if not extra:
        schema["additionalProperties"] = False
    return schema


BOTH = _object({"de": TEXT, "en": TEXT})
#: A knowledge article as listed; ``audience`` and ``state`` only for agents.
ARTICLE = {
    "id": ID,
    "title": TEXT,
    "category": ref("Named"),
    "product_id": nullable(ID),
    "updated_at": TIME,
    "url": TEXT,
    "audience": {"type": "string", "description": "agents only"},
    "state": {"type": "string", "description": "agents only"},
}
ARTICLE_REQUIRED = ("id", "title", "category", "product_id", "updated_at", "url")

SCHEMAS = {
    "Problem": _object(
        {
            "type": TEXT,
            "title": TEXT,
            "status": ID,
            "detail": TEXT,
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": TEXT}},
        },
        required=("type", "title", "status", "detail"),
    ),
    "Labelled": _object({"key": TEXT, "label": TEXT}),
    "Named": _object({"id": ID, "name": TEXT}),
    "Person": _object(
        {"id": ID, "name": TEXT, "kind": TEXT, "email": TEXT}, required=("id", "name", "kind")
    ),
    "Attachment": _object(
        {"id": ID, "filename": TEXT, "content_type": TEXT, "size": ID, "url": TEXT}
    ),
    "Entry": _object(
        {
            "id": ID,
            "kind": TEXT,
            "author": nullable(ref("Named")),
            "created_at": nullable(TIME),
            "body": nullable(TEXT),
            "hidden": {"type": "boolean"},
            "field": nullable(TEXT),
            "old": nullable(TEXT),
            "new": nullable(TEXT),
            "attachments": {"type": "array", "items": ref("Attachment")},
            "visibility": {"enum": ["public", "internal"]},
        },
        required=(
            "id",
            "kind",
            "author",
            "created_at",
            "body",
            "hidden",
            "field",
            "old",
            "new",
            "attachments",
        ),
    ),
    "Case": _object(
        {
            "call_id": TEXT,
            "subject": TEXT,
            "description": TEXT,
            "status": ref("Labelled"),
            "status_category": TEXT,
            "is_open": {"type": "boolean"},
            "case_type": ref("Labelled"),
            "severity": ref("Labelled"),
            "priority": ref("Labelled"),
            "product": ref("Named"),
            "version": nullable(ref("Named")),
            "component": nullable(ref("Named")),
            "requester": ref("Person"),
            "waiting_for": nullable(TEXT),
            "created_at": TIME,
            "updated_at": TIME,
            "following": {"type": "boolean"},
            "timeline": {"type": "array", "items": ref("Entry")},
            "organisation_id": ID,
            "assignee": nullable(ref("Person")),
            "team": {**nullable(ref("Named")), "description": "agents only"},
        },
        required=(
            "call_id",
            "subject",
            "description",
            "status",
            "status_category",
            "is_open",
            "case_type",
            "severity",
            "priority",
            "product",
            "version",
            "component",
            "requester",
            "waiting_for",
            "created_at",
            "updated_at",
            "following",
            "timeline",
        ),
    ),
    "CaseRow": _object(
        {
            "call_id": TEXT,
            "subject": TEXT,
            "status": ref("Labelled"),
            "severity": ref("Labelled"),
            "priority": ref("Labelled"),
            "case_type": ref("Labelled"),
            "created_at": nullable(TIME),
            "updated_at": nullable(TIME),
            "product": nullable(TEXT),
            "requester": nullable(TEXT),
            "organisation": nullable(TEXT),
            "assignee": nullable(TEXT),
        },
        required=("call_id", "subject", "status", "severity", "updated_at"),
    ),
    "CaseList": _object(
        {
            "cases": {"type": "array", "items": ref("CaseRow")},
            "page": ID,
            "links": _object({"next": TEXT}, required=()),
        }
    ),
    "Organisation": _object({"id": ID, "name": TEXT, "active": {"type": "boolean"}}),
    "OrganisationList": _object(
        {
            "organisations": {"type": "array", "items": ref("Organisation")},
            "page": ID,
            "links": _object({"next": TEXT}, required=()),
        }
    ),
    "People": _object(
        {"organisation": ref("Organisation"), "people": {"type": "array", "items": ref("Person")}}
    ),
    "Me": _object(
        {
            "person": ref("Person"),
            "organisation_id": nullable(ID),
            "scopes": {"type": "array", "items": TEXT},
        }
    ),
    "Products": _object(
        {
            "products": {
                "type": "array",
                "items": _object(
                    {
                        "id": ID,
                        "key": TEXT,
                        "name": TEXT,
                        "versions": {
                            "type": "array",
                            "items": _object(
                                {"id": ID, "name": TEXT, "supported": {"type": "boolean"}}
                            ),
                        },
                        "components": {"type": "array", "items": ref("Named")},
                    }
                ),
            }
        }
    ),
    "Vocabulary": _object(
        {
            "case_types": {"type": "array", "items": _object({"key": TEXT, "label": BOTH})},
            "severities": {
                "type": "array",
                "items": _object({"key": TEXT, "label": BOTH, "needs_impact": {"type": "boolean"}}),
            },
            "priorities": {"type": "array", "items": _object({"key": TEXT, "label": BOTH})},
            "statuses": {
                "type": "array",
                "items": _object(
                    {
                        "key": TEXT,
                        "label": BOTH,
                        "category": TEXT,
                        "customer_may_set": {"type": "boolean"},
                    }
                ),
            },
        }
    ),
    # Request bodies: the fields of the matching forms (values as text, as a form sends them).
    "NewCase": _object(
        {
            "product": TEXT,
            "case_type": TEXT,
            "severity": TEXT,
            "subject": TEXT,
            "description": TEXT,
            "version": TEXT,
            "component": TEXT,
            "category": TEXT,
            "topic": TEXT,
            "impact": TEXT,
            "requester": {"type": "string", "description": "agents: the customer's id"},
        },
        required=("product", "case_type", "severity", "subject", "description"),
        extra=True,  # the vendor plugin's extra fields
    ),
    "Message": _object(
        {"body": TEXT, "internal": {"type": "boolean", "description": "agents: a note"}},
        required=("body",),
    ),
    "MessageWithFiles": _object(
        {
            "body": TEXT,
            "files": {
                "type": "array",
                "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            },
        },
        required=("body",),
    ),
    "Fields": _object(
        {
            **{
                name: {"type": "string", "description": "a key of the vocabulary"}
                for name in ("case_type", "severity", "priority")
            },
            "product": {"type": "string", "description": "its id"},
            **{
                name: {"type": "string", "description": "its id; empty for none"}
                for name in ("version", "component", "team")
            },
            "reason": {"type": "string", "description": "why the severity changes"},
        },
        required=(),
    ),
    "Status": _object({"status": TEXT, "waiting_for": TEXT}, required=("status",)),
    "SignInLink": _object({"url": TEXT, "expires_at": TIME}),
    "SignInLinkRequest": _object(
        {
            "user": {"type": "string", "description": "the customer user's id"},
            "next": {"type": "string", "description": "a path of the portal, e.g. /cases"},
        },
        required=("user",),
    ),
    "Webhook": _object(
        {
            "id": ID,
            "url": TEXT,
            "events": {"type": "array", "items": TEXT},
            "allowed_host": nullable(TEXT),
            "active": {"type": "boolean"},
            "created_at": TIME,
            "secret": {"type": "string", "description": "only when registered"},
        },
        required=("id", "url", "events", "allowed_host", "active", "created_at"),
    ),
    "Webhooks": _object({"webhooks": {"type": "array", "items": ref("Webhook")}}),
    "NewWebhook": _object(
        {
            "url": TEXT,
            "events": {"type": "array", "items": {"enum": EVENT_NAMES}},
            "allowed_host": {"type": "string", "description": "a private host allowed"},
        },
        required=("url", "events"),
    ),
    "Deliveries": _object(
        {
            "deliveries": {
                "type": "array",
                "items": _object(
                    {
                        "id": ID,
                        "event": TEXT,
                        "state": {"enum": ["pending", "sent", "failed"]},
                        "attempts": ID,
                        "response_status": nullable(ID),
                        "error": nullable(TEXT),
                        "created_at": TIME,
                        "delivered_at": nullable(TIME),
                    }
                ),
            }
        }
    ),
    "Assignee": _object({"assignee": nullable(ID)}, required=()),
    "ArticleRow": _object(ARTICLE, required=ARTICLE_REQUIRED),
    "ArticleList": _object(
        {
            "articles": {"type": "array", "items": ref("ArticleRow")},
            "page": ID,
            "links": _object({"next": TEXT}, required=()),
        }
    ),
    "Article": _object(
        {
            **ARTICLE,
            "body": {"type": "string", "description": "Markdown"},
            "html": {"type": "string", "description": "the body as sanitised HTML"},
        },
        required=(*ARTICLE_REQUIRED, "body", "html"),
    ),
    "ArticleCategories": _object(
        {
            "categories": {
                "type": "array",
                "items": _object(
                    {
                        "id": ID,
                        "key": TEXT,
                        "name": TEXT,
                        "faq": {"type": "boolean"},
                        "articles": ID,
                    }
                ),
            }
        }
    ),
}
