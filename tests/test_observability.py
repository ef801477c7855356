"""Logs and metrics (issue 19): a request id on every response, log record, queued job and
outgoing mail; a 5xx logged with its traceback and request id but not the form; the
Prometheus endpoint for the loopback address or the token only."""

import json
import logging

import pytest

from helpdesk import request_id
from helpdesk.jobs import huey
from helpdesk.mail import outbox
from helpdesk.mail.models import OutboxMessage
from helpdesk.observability import json_logs


def test_a_request_id_reaches_the_response_the_logs_a_job_and_its_mail(make_app, smtp_server):
    seen = {}

    @huey.task()
    def job_of_the_request():
        seen["job"] = request_id.current()
        logging.getLogger("helpdesk.test").info("job runs")
        outbox.enqueue("a@example.org", "Hello", "Body text")

    app = make_app(**smtp_server.settings)

    @app.route("/_test/queue-a-job")
    def queue_a_job():
        job_of_the_request()
        return "queued"

    client = app.test_client()
    response = client.get("/_test/queue-a-job", headers={"X-Request-ID": "proxy-id-12345"})
    assert response.headers["X-Request-ID"] == "proxy-id-12345"
    assert seen["job"] == "proxy-id-12345"
    with app.app_context():
        raw = OutboxMessage.get().raw
    assert "X-Request-ID: proxy-id-12345" in raw
    fresh = app.test_client().get("/health", headers={"X-Request-ID": "bad id; x=<y>"})
    assert len(fresh.headers["X-Request-ID"]) == 32  # a header we could not log is replaced


def test_a_5xx_is_logged_as_json_with_traceback_and_request_id_but_no_form(
    make_app, capsys, monkeypatch
):
    app = make_app(TESTING=False, LOG_FORMAT="json", WTF_CSRF_ENABLED=False)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # the JSON handler of this test alone
    json_logs()

    @app.route("/_test/fails", methods=["POST"])
    def fails():
        raise RuntimeError("the database went away")

    response = app.test_client().post(
        "/_test/fails", data={"password": "hunter2-secret", "token": "tok-9876"}
    )
    assert response.status_code == 500
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: the database went away" in error["exc_info"]
    text = json.dumps(lines)
    assert "hunter2-secret" not in text and "tok-9876" not in text


def test_metrics_for_loopback_or_token_only(make_app, open_case, demo_people):
    app = make_app(METRICS_TOKEN="scrape-token-123")
    client = app.test_client()
    client.get("/health")
    page = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'helpdesk_request_seconds_count{method="GET",route="/health"}' in text
    for name in ("queue_depth", "outbox_messages", "timers_due", "inbound_messages"):
        assert f"helpdesk_{name}" in text
    assert 'helpdesk_outbox_messages{state="pending"}' in text
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
    right = {"Authorization": "Bearer scrape-token-123"}
    assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200


@pytest.mark.parametrize("offered", ["short", "x" * 65, "a b c d e f g h"])
def test_an_offered_id_we_cannot_use_is_replaced(offered):
    assert request_id.new(offered) != offered
