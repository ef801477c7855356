"""The permission matrix of the API: every ``api.*`` route x every role x own and foreign
organisation, called with a token of that role carrying every scope the role may have.

The roles, the world and the URL filling are the page matrix's
(``tests/test_permission_matrix.py``); ``API_ACCESS`` names, for every API endpoint, the
scope it needs and the roles that may use it, so a new API route without a row fails
``test_every_api_route_has_a_row``. A role that may not use a route, and every role on
another organisation's object, gets a 404 (a customer's token on an agent's operation too);
the anonymous role sends no token and gets a 401; a token without the route's scope a 403.
"""

from datetime import timedelta

import pytest

from helpdesk.api import tokens
from helpdesk.timeutil import utcnow
from tests.test_permission_matrix import (
    ADMINS,
    AGENTS,
    ANYONE,
    ROLES,
    SIGNED_IN,
    build_world,
    methods_of,
    rules_of,
    sides_of,
    url_for_rule,
)

# fmt: off
#: endpoint -> (the scope its token needs, the roles that may use it).
API_ACCESS = {
    "api.list_cases":    ("cases:read",  SIGNED_IN),
    "api.get_case":      ("cases:read",  SIGNED_IN),
    "api.attachment":    ("cases:read",  SIGNED_IN),
    "api.create_case":   ("cases:write", SIGNED_IN),  # customers: if they may open cases
    "api.add_message":   ("cases:write", SIGNED_IN),
    "api.follow":        ("cases:write", SIGNED_IN),
    "api.unfollow":      ("cases:write", SIGNED_IN),
    "api.change_fields": ("cases:write", AGENTS),
    "api.move_status":   ("cases:write", AGENTS),
    "api.assign":        ("cases:write", AGENTS),
    "api.me":            ("cases:read",  SIGNED_IN),
    "api.organisations": ("cases:read",  SIGNED_IN),
    "api.people":        ("cases:read",  SIGNED_IN),
    "api.products":      ("cases:read",  SIGNED_IN),
    "api.vocabulary":    ("cases:read",  SIGNED_IN),
    "api.knowledge_articles":   ("knowledge", SIGNED_IN),
    "api.knowledge_article":    ("knowledge", SIGNED_IN),  # the matrix's article is public
    "api.knowledge_categories": ("knowledge", SIGNED_IN),
    "api.create_sign_in_link": ("admin", ADMINS),  # others' tokens cannot have the scope: 403
    "api.list_webhooks":  ("admin", ADMINS),
    "api.create_webhook": ("admin", ADMINS),
    "api.delete_webhook": ("admin", ADMINS),
    "api.deliveries":     ("admin", ADMINS),
    "api.openapi_json":  (None,          ANYONE),     # the description: no token needed
    "api.docs":          (None,          ANYONE),
}
# fmt: on

#: What each method sends: nothing a service would take, so allowed roles get a 422 at most.
BODY = {"POST": {}, "PATCH": {}, "PUT": None, "DELETE": None}


def api_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}


def test_every_api_route_has_a_row(app):
    endpoints = api_endpoints(app)
    assert not sorted(endpoints - set(API_ACCESS)), "API routes without a row in API_ACCESS"
    assert not sorted(set(API_ACCESS) - endpoints), "API_ACCESS names routes the app lacks"


def tokens_of_roles(app, world, scopes=None) -> dict:
    """A token per signed-in role: ``scopes``, or every scope the role may have."""
    secrets = {}
    with app.app_context():
        for role, user in world.users.items():
            if user is None:
                continue
            chosen = scopes or [key for key, _label in tokens.available_scopes(user)]
            secrets[role], _token = tokens.create(
                user, role, utcnow().date() + timedelta(days=1), chosen
            )
    return secrets


def call(client, method, url, secret):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    body = BODY.get(method)
    kwargs = {"json": body} if body is not None else {}
    return client.open(url, method=method, headers=headers, csrf=False, **kwargs)


def outcome(response) -> str:
    status = response.status_code
    if status == 404:
        return "refused"
    if status < 400 or status == 422:
        return "ok"
    return str(status)


def expected(endpoint, role, world, side) -> str:
    scope, allowed = API_ACCESS[endpoint]
    if scope is None:
        return "ok"
    if role == "anonymous":
        return "401"
    if scope == "admin" and role not in ADMINS:
        return "403"
    if role not in allowed:
        return "refused"
    user = world.users[role]
    if (
        side is not None
        and role not in AGENTS
        and user.organisation_id != world.organisations[side]
    ):
        return "refused"
    return "ok"


@pytest.mark.parametrize("endpoint", sorted(API_ACCESS))
def test_api_matrix(app, endpoint):
    world = build_world(app)
    secrets = tokens_of_roles(app, world)
    client = app.test_client()
    wrong = []
    for rule in rules_of(app, endpoint):
        for side in sides_of(rule, world):
            url = url_for_rule(rule, world, side)
            for method in methods_of(rule):
                for role in ROLES:
                    response = call(client, method, url, secrets.get(role))
                    want, got = expected(endpoint, role, world, side), outcome(response)
                    if got != want:
                        wrong.append(
                            f"{method} {url} as {role}: {response.status_code}, want {want}"
                        )
                    if response.status_code >= 400:
                        assert response.mimetype == "application/problem+json", url
    assert not wrong, "\n".join(wrong)


def test_a_token_without_the_scope_is_refused_everywhere(app):
    world = build_world(app)
    # A token of the knowledge scope for every other route, one of cases:read for its own.
    knowledge_only = tokens_of_roles(app, world, scopes=["knowledge"])
    cases_only = tokens_of_roles(app, world, scopes=["cases:read"])
    client = app.test_client()
    wrong = []
    for endpoint in sorted(e for e, (scope, _roles) in API_ACCESS.items() if scope):
        secrets = cases_only if API_ACCESS[endpoint][0] == "knowledge" else knowledge_only
        for rule in rules_of(app, endpoint):
            url = url_for_rule(rule, world, sides_of(rule, world)[0])
            for method in methods_of(rule):
                for role in ("member", "admin_agent"):
                    response = call(client, method, url, secrets[role])
                    if response.status_code != 403:
                        wrong.append(f"{method} {url} as {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_session_cookie_never_authorises_an_api_call(app):
    world = build_world(app)
    client = app.test_client().sign_in_as(world.users["admin_agent"])
    assert client.get("/cases").status_code in (200, 302)  # the cookie works on the pages
    for endpoint in ("api.list_cases", "api.me"):
        [rule] = rules_of(app, endpoint)
        assert client.get(url_for_rule(rule, world, None)).status_code == 401
