"""The API's cases (issue 18): open, reply, read back, as the pages do; tokens expired,
revoked, of a disabled person, without the scope; another organisation's case; a customer's
token on an agent's operation; errors as problem details in the caller's language."""

import io

import pytest

from helpdesk.accounts.models import User
from helpdesk.api.models import ApiToken
from helpdesk.cases.models import Case, Event
from helpdesk.policy import current_policy
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def new_case(app, people):
    """A case form's fields as JSON."""
    with app.app_context():
        policy = current_policy()
        return {
            "product": str(Product.select().order_by(Product.id).first().id),
            "case_type": policy.case_types[0].key,
            "severity": policy.severities[-1].key,
            "subject": "Invoice run stops",
            "description": "Since the update the invoice run stops with an error.",
        }


def test_open_reply_and_read_back(app, api, people, make_token, new_case):
    secret = make_token(people["mia.member"], "cases:write")
    opened = api.post("/api/v1/cases", json=new_case, headers=auth(secret))
    assert opened.status_code == 201, opened.get_json()
    call_id = opened.get_json()["call_id"]
    assert opened.get_json()["timeline"][0]["kind"] == "opened"
    reply = api.post(
        f"/api/v1/cases/{call_id}/messages",
        json={"body": "It happens again at 10:00."},
        headers=auth(secret),
    )
    assert reply.status_code == 201
    case = api.get(f"/api/v1/cases/{call_id}", headers=auth(secret)).get_json()
    assert case["subject"] == "Invoice run stops"
    assert [e["body"] for e in case["timeline"] if e["kind"] == "message"] == [
        "It happens again at 10:00."
    ]
    assert "visibility" not in case["timeline"][0] and "assignee" not in case
    listed = api.get("/api/v1/cases?q=invoice", headers=auth(secret)).get_json()
    assert [c["call_id"] for c in listed["cases"]] == [call_id]
    with app.app_context():
        assert Case.get(Case.call_id == call_id).requester_id == people["mia.member"].id


def test_an_agent_notes_changes_status_and_assigns(app, api, people, make_token, open_case):
    case = open_case("mia.member")
    agent = people["erik.first"]
    secret = make_token(agent, "cases:write")
    note = api.post(
        f"/api/v1/cases/{case.call_id}/messages",
        json={"body": "Checked the logs.", "internal": True},
        headers=auth(secret),
    )
    assert note.status_code == 201
    assert note.get_json()["timeline"][-1]["visibility"] == "internal"
    assigned = api.post(
        f"/api/v1/cases/{case.call_id}/assignee",
        json={"assignee": agent.id},
        headers=auth(secret),
    )
    assert assigned.get_json()["assignee"]["id"] == agent.id
    with app.app_context():
        now = assigned.get_json()["status"]["key"]
        target = next(s for s in current_policy().statuses if s.category == "hold" and s.key != now)
    moved = api.post(
        f"/api/v1/cases/{case.call_id}/status", json={"status": target.key}, headers=auth(secret)
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"]["key"] == target.key
    customer = make_token(people["mia.member"])
    seen = api.get(f"/api/v1/cases/{case.call_id}", headers=auth(customer)).get_json()
    assert "Checked the logs." not in str(seen)


def test_a_customer_token_on_agent_operations_is_a_404(app, api, people, make_token, open_case):
    case = open_case("mia.member")
    secret = make_token(people["mia.member"], "cases:write")
    for method, path, body in (
        ("post", "status", {"status": "closed"}),
        ("post", "assignee", {"assignee": people["erik.first"].id}),
        ("post", "messages", {"body": "secret", "internal": True}),
    ):
        answer = getattr(api, method)(
            f"/api/v1/cases/{case.call_id}/{path}", json=body, headers=auth(secret)
        )
        assert answer.status_code == 404, path
        assert answer.mimetype == "application/problem+json"
    assert (
        api.patch(
            f"/api/v1/cases/{case.call_id}", json={"severity": "x"}, headers=auth(secret)
        ).status_code
        == 404
    )
    with app.app_context():
        assert Event.select().where(Event.case == case.id).count() == 1


def test_another_organisations_case_is_a_404(app, api, foreigner, make_token, open_case):
    case = open_case("mia.member")
    secret = make_token(foreigner, "cases:write")
    for answer in (
        api.get(f"/api/v1/cases/{case.call_id}", headers=auth(secret)),
        api.post(
            f"/api/v1/cases/{case.call_id}/messages", json={"body": "x"}, headers=auth(secret)
        ),
        api.put(f"/api/v1/cases/{case.call_id}/follow", headers=auth(secret)),
        api.get(f"/api/v1/organisations/{case.organisation_id}/people", headers=auth(secret)),
    ):
        assert answer.status_code == 404
    assert api.get("/api/v1/cases?status=all", headers=auth(secret)).get_json()["cases"] == []
    own = api.get("/api/v1/organisations", headers=auth(secret)).get_json()["organisations"]
    assert [o["name"] for o in own] == ["Fremd AG"]


@pytest.mark.parametrize("state", ["expired", "revoked", "disabled", "unknown", "cookie only"])
def test_a_dead_token_opens_nothing(app, api, people, make_token, clock, state):
    secret = make_token(people["mia.member"], days=1)
    headers = auth(secret)
    with app.app_context():
        if state == "expired":
            clock.at(utcnow())
            clock.advance(days=3)
        elif state == "revoked":
            ApiToken.update(revoked_at=utcnow()).execute()
        elif state == "disabled":
            User.update(active=False).where(User.id == people["mia.member"].id).execute()
    if state == "unknown":
        headers = auth(secret[:-2] + "xx")
    if state == "cookie only":
        api = app.test_client().sign_in_as(people["mia.member"])
        headers = {}
    answer = api.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_without_write_scope_cannot_reply(app, api, people, make_token, open_case):
    case = open_case("mia.member")
    secret = make_token(people["mia.member"], "cases:read")
    answer = api.post(
        f"/api/v1/cases/{case.call_id}/messages", json={"body": "x"}, headers=auth(secret)
    )
    assert answer.status_code == 403
    assert "cases:write" in answer.get_json()["detail"]
    assert api.get(f"/api/v1/cases/{case.call_id}", headers=auth(secret)).status_code == 200


def test_refusals_carry_the_forms_messages_in_the_callers_language(
    app, api, people, make_token, new_case
):
    with app.app_context():
        User.update(language="de").where(User.id == people["mia.member"].id).execute()
    secret = make_token(people["mia.member"], "cases:write")
    answer = api.post(
        "/api/v1/cases", json=new_case | {"subject": "", "severity": "nope"}, headers=auth(secret)
    )
    assert answer.status_code == 422
    problem = answer.get_json()
    assert problem["status"] == 422 and problem["title"]
    assert problem["errors"]["subject"] == ["Bitte geben Sie dem Fall einen Betreff."]
    assert "severity" in problem["errors"]
    bad = api.post(
        "/api/v1/cases", data="[1]", headers=auth(secret), content_type="application/json"
    )
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_files_go_up_with_a_message_and_come_down(app, api, people, make_token, open_case):
    case = open_case("mia.member")
    secret = make_token(people["mia.member"], "cases:write")
    sent = api.post(
        f"/api/v1/cases/{case.call_id}/messages",
        data={"body": "The log", "files": (io.BytesIO(PDF), "log.pdf")},
        headers=auth(secret),
    )
    assert sent.status_code == 201
    [attachment] = sent.get_json()["timeline"][-1]["attachments"]
    down = api.get(attachment["url"], headers=auth(secret))
    assert down.data == PDF
    assert down.headers["Content-Disposition"].startswith("attachment")
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    refused = api.post(
        f"/api/v1/cases/{case.call_id}/messages",
        data={"body": "x", "files": (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")},
        headers=auth(secret),
    )
    assert refused.status_code == 422 and "files" in refused.get_json()["errors"]


def test_vocabulary_comes_in_both_languages(app, api, people, make_token):
    secret = make_token(people["mia.member"])
    vocabulary = api.get("/api/v1/vocabulary", headers=auth(secret)).get_json()
    status = vocabulary["statuses"][0]
    assert set(status["label"]) == {"de", "en"} and status["category"]
    products = api.get("/api/v1/products", headers=auth(secret)).get_json()["products"]
    assert products and "versions" in products[0]


def test_every_call_counts_against_the_tokens_rate_limit(make_app, people):
    app = make_app(RATE_LIMITS={"api_token": "2 per minute"})
    from helpdesk.api import tokens

    with app.app_context():
        from datetime import timedelta

        secret, _t = tokens.create(
            User.get_by_id(people["mia.member"].id),
            "x",
            utcnow().date() + timedelta(days=2),
            ["cases:read"],
        )
    api = app.test_client()
    statuses = [api.get("/api/v1/me", headers=auth(secret)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
