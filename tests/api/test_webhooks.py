"""Webhooks (issue 18): signed deliveries to a real local HTTP server, retries and the
delivery log, and the address checks (loopback, 169.254.169.254, ``[::ffff:127.0.0.1]``,
a redirect to loopback) before registering and before every request."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpdesk.api import webhooks
from helpdesk.api.models import WebhookDelivery
from helpdesk.timeutil import utcnow
from tests.api.conftest import audit_rows


class Receiver:
    """A real HTTP server on loopback that records every POST and answers ``answers`` in
    turn (then 200); ``redirect`` sends every POST to that URL instead."""

    def __init__(self):
        self.received, self.answers, self.redirect = [], [], None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.path, dict(self.headers), body))
                if receiver.redirect:
                    self.send_response(307)
                    self.send_header("Location", receiver.redirect)
                else:
                    self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, host="localhost", path="/hook"):
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def auth(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin_api(app, people, make_token):
    secret = make_token(people["ada.admin"], "admin")
    client = app.test_client()
    return lambda method, path, **kw: client.open(
        path, method=method, headers=auth(secret), csrf=False, **kw
    )


def register(admin_api, url, events=("case.opened", "case.message"), **more):
    return admin_api("POST", "/api/v1/webhooks", json={"url": url, "events": list(events), **more})


def test_a_delivery_is_signed_and_logged(app, people, admin_api, receiver, open_case):
    answer = register(admin_api, receiver.url(), allowed_host="localhost")
    assert answer.status_code == 201, answer.get_json()
    hook = answer.get_json()
    case = open_case("mia.member")  # the end of its app context queues the delivery
    [(path, headers, body)] = receiver.received
    assert path == "/hook" and json.loads(body)["call_id"] == case.call_id
    signed = headers["X-Helpdesk-Timestamp"].encode() + b"." + body
    expected = hmac.new(hook["secret"].encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Helpdesk-Signature"] == "sha256=" + expected
    log = admin_api("GET", f"/api/v1/webhooks/{hook['id']}/deliveries").get_json()
    assert [(d["event"], d["state"], d["response_status"]) for d in log["deliveries"]] == [
        ("case.opened", "sent", 200)
    ]
    assert "secret" not in admin_api("GET", "/api/v1/webhooks").get_json()["webhooks"][0]
    assert audit_rows(app, "webhook.created")


def test_a_request_queues_its_deliveries_after_commit(
    app, people, admin_api, receiver, open_case, make_token
):
    register(admin_api, receiver.url(), allowed_host="localhost")
    case = open_case("mia.member")
    customer = make_token(people["mia.member"], "cases:write")
    reply = app.test_client().post(
        f"/api/v1/cases/{case.call_id}/messages", json={"body": "Hello"}, headers=auth(customer)
    )
    assert reply.status_code == 201
    events = [json.loads(b)["event"] for _p, _h, b in receiver.received]
    assert events == ["case.opened", "case.message"]


def test_a_failed_delivery_is_retried_then_given_up(app, admin_api, receiver, open_case, clock):
    clock.at(utcnow())
    register(admin_api, receiver.url(), allowed_host="localhost")
    receiver.answers = [500, 503, 500, 500]
    open_case("mia.member")  # the first try, when its app context ends
    with app.app_context():
        [delivery] = WebhookDelivery.select()
        assert delivery.state == "pending" and delivery.response_status == 500
        states = []
        for pause in webhooks.RETRY_PAUSES:
            assert webhooks.due() == []  # not before its pause is over
            clock.advance(pause)
            states.append(webhooks.deliver(webhooks.due()[0]))
        delivery = WebhookDelivery.get_by_id(delivery.id)
    assert states == ["pending", "pending", "failed"]
    assert delivery.attempts == 4 and delivery.error == "HTTP 500"
    assert len(receiver.received) == 4


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://localhost:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://[::1]:{port}/hook",
        "http://10.0.0.8/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_targets_are_refused(admin_api, receiver, url):
    answer = register(admin_api, url.format(port=receiver.port))
    assert answer.status_code == 422, answer.get_json()
    assert "url" in answer.get_json()["errors"]
    assert receiver.received == []


def test_a_redirect_to_loopback_is_not_followed(app, admin_api, receiver, open_case):
    register(admin_api, receiver.url(), allowed_host="localhost")
    # The allowed host answers with a redirect to an address nobody allowed.
    receiver.redirect = receiver.url(host="127.0.0.1", path="/inside")
    open_case("mia.member")  # tried when its app context ends
    with app.app_context():
        [delivery] = WebhookDelivery.select()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "private, loopback or link-local" in delivery.error
    assert [path for path, _h, _b in receiver.received] == ["/hook"]


def test_only_admins_register_webhooks(app, people, make_token, receiver):
    agent = make_token(people["erik.first"], "cases:write")
    answer = app.test_client().post(
        "/api/v1/webhooks",
        json={"url": receiver.url(), "events": ["case.opened"]},
        headers=auth(agent),
    )
    assert answer.status_code == 403


def test_a_survey_answer_is_announced(app, admin_api, receiver, open_case):
    from helpdesk.survey import service as survey

    register(admin_api, receiver.url(), events=["survey.answered"], allowed_host="localhost")
    with app.app_context():
        case = open_case("mia.member")
        response = survey.send_survey(case)
        survey.answer(response, 5, "Great")
    assert json.loads(receiver.received[0][2])["rating"] == 5


@pytest.fixture
def dns(monkeypatch):
    """``dns[name] = [first address, later address, ...]``: a name server whose answers
    change (rebinding); each lookup of a name takes the next answer, the last one stays.
    ``dns.asked`` counts the lookups per name; other names resolve as usual."""
    import socket

    real = socket.getaddrinfo

    class Answers(dict):
        asked: dict

    answers = Answers()
    answers.asked = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        answers.asked[host] = answers.asked.get(host, 0) + 1
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_delivery_connects_to_the_address_it_checked(app, admin_api, receiver, dns, open_case):
    # The admin allowed an intranet name; it answers loopback once, then a public address.
    dns["hooks.intranet.test"] = ["127.0.0.1", "1.1.1.1"]
    answer = register(
        admin_api, receiver.url(host="hooks.intranet.test"), allowed_host="hooks.intranet.test"
    )
    assert answer.status_code == 201, answer.get_json()
    open_case("mia.member")
    with app.app_context():
        [delivery] = WebhookDelivery.select()
    assert delivery.state == "sent", delivery.error
    [(_path, headers, _body)] = receiver.received
    assert headers["Host"] == f"hooks.intranet.test:{receiver.port}"
    assert dns.asked["hooks.intranet.test"] == 1  # resolved once, then connected to that


def test_a_name_rebound_to_loopback_after_the_check_is_not_reached(
    app, admin_api, receiver, dns, open_case, monkeypatch
):
    # Public when registered and when checked before sending, loopback for any later lookup.
    dns["rebind.example"] = ["1.1.1.1", "1.1.1.1", "127.0.0.1"]
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.5)  # 1.1.1.1 on the receiver's port: no answer
    answer = register(admin_api, receiver.url(host="rebind.example"))
    assert answer.status_code == 201, answer.get_json()
    open_case("mia.member")
    with app.app_context():
        [delivery] = WebhookDelivery.select()
    assert delivery.state == "pending" and delivery.error
    assert receiver.received == []  # a second lookup would have led to the receiver
    assert dns.asked["rebind.example"] == 2  # registering, and the delivery's one check
