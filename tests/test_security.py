"""The security baseline beyond the permission matrix: https-only cookies and HSTS (behind a
trusted proxy too), headers that never sign anyone in, a session renewed at sign-in, CSRF on
htmx requests, and query-string values taken from allow-lists only."""

import re

import pytest

from helpdesk.cases import service
from helpdesk.products.models import Product
from tests.conftest import DEMO_PASSWORD

HTTPS = "https://localhost"


def _sign_in(client, remember=False, **kwargs):
    data = {"email": "mia.member@muster.example", "password": DEMO_PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/sign-in", data=data, **kwargs)


def _cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_https_gets_hsts_and_secure_cookies(client, demo_people):
    response = _sign_in(client, remember=True, base_url=HTTPS, headers={"Referer": HTTPS + "/"})
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = _cookies(response)
    for name in ("session", "remember_token"):
        assert "; Secure" in cookies[name], cookies[name]
        assert "; HttpOnly" in cookies[name]
        assert "; SameSite=Lax" in cookies[name]


def test_plain_http_gets_neither(client, demo_people):
    response = _sign_in(client, remember=True)
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers
    cookies = _cookies(response)
    assert "; Secure" not in cookies["session"]
    assert "; HttpOnly" in cookies["session"] and "; SameSite=Lax" in cookies["session"]


@pytest.mark.parametrize("hops, trusted", [(0, False), (1, True)])
def test_forwarded_https_is_believed_only_from_a_trusted_proxy(make_app, hops, trusted):
    app = make_app(PROXY_FIX=hops)
    response = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is trusted
    assert ("; Secure" in _cookies(response)["session"]) is trusted


@pytest.mark.parametrize(
    "headers, environ",
    [
        ({"Remote-User": "mia.member@muster.example"}, {}),
        ({"X-Remote-User": "mia.member@muster.example"}, {}),
        ({"X-Forwarded-User": "mia.member@muster.example"}, {}),
        ({}, {"REMOTE_USER": "mia.member@muster.example"}),
    ],
)
def test_identity_headers_never_sign_anyone_in(client, demo_people, headers, environ):
    response = client.get("/portal", headers=headers, environ_base=environ)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_the_session_is_renewed_at_sign_in(client, demo_people):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        token_before = session.get("csrf_token")
    assert _sign_in(client).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before


def test_htmx_posts_need_the_csrf_token_too(customer_client):
    headers = {"HX-Request": "true"}
    response = customer_client.post(
        "/cases/columns", data={"columns": "subject"}, headers=headers, csrf=False
    )
    assert response.status_code == 400
    ok = customer_client.post("/cases/columns", data={"columns": "subject"}, headers=headers)
    assert ok.status_code == 302


@pytest.fixture
def cases(app, demo_people):
    with app.app_context():
        for subject in ("Alpha", "Beta", "Gamma"):
            service.open_case(
                service.NewCase(
                    requester=demo_people["mia.member"],
                    product=Product.select().first(),
                    subject=subject,
                    description="text",
                    case_type="fault",
                    severity="normal",
                )
            )


HOSTILE = [
    "sort=subject;DROP TABLE case",
    "sort=updated_at desc, (SELECT 1)",
    "dir=asc;--",
    "view=everything",
    "assignee=-1",
    "assignee=1 OR 1=1",
    "status=open' OR '1'='1",
    "severity[]=normal",
    "product=0x10",
    "page=0",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_the_queue_and_exports_ignore_values_outside_their_allow_lists(
    app, agent_client, cases, query
):
    baseline = agent_client.get("/queue?view=all")
    hostile = agent_client.get(f"/queue?{query}&view=all")  # the first value counts
    assert hostile.status_code == 200
    assert _call_ids(hostile) == _call_ids(baseline) and len(_call_ids(baseline)) == 3
    export = agent_client.get(f"/cases/export.csv?{query}&view=all")
    assert export.status_code == 200
    assert export.data == agent_client.get("/cases/export.csv?view=all").data


def _call_ids(response) -> list[str]:
    return re.findall(r">(\d{4}-\d{5})</a>", response.get_data(as_text=True))
