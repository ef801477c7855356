"""The job queue on its real storage: huey's SQLite file, or Redis when REDIS_URL is set."""

import os
import socket
from datetime import datetime

from huey.storage import RedisStorage, SqliteStorage

from helpdesk import jobs
from helpdesk.system import SystemState


def test_queue_uses_the_configured_storage(make_app):
    app = make_app(HUEY_IMMEDIATE=False)
    expected = RedisStorage if os.environ.get("REDIS_URL") else SqliteStorage
    assert isinstance(app.extensions["huey"].storage, expected)
    assert jobs.queue_kind() == ("redis" if expected is RedisStorage else "sqlite")


def test_a_queued_task_runs_in_the_apps_context(make_app):
    app = make_app(HUEY_IMMEDIATE=False)
    huey = app.extensions["huey"]
    huey.flush()
    jobs.heartbeat()  # enqueued, not run
    assert huey.pending_count() == 1
    with app.app_context():
        assert SystemState.fetch(jobs.HEARTBEAT_KEY) is None

    task = huey.dequeue()
    huey.execute(task)  # what a consumer's worker does with it

    assert huey.pending_count() == 0
    with app.app_context():
        assert SystemState.fetch(jobs.HEARTBEAT_KEY) is not None


def test_heartbeat_is_due_every_minute(app):
    huey = app.extensions["huey"]
    for minute in (datetime(2026, 11, 23, 10, 17), datetime(2026, 12, 31, 23, 59)):
        assert "heartbeat" in {type(task).__name__ for task in huey.read_periodic(minute)}


def test_health_reports_database_and_a_fresh_heartbeat(make_app):
    app = make_app(HUEY_IMMEDIATE=False)
    client = app.test_client()
    stale = client.get("/health")
    assert stale.status_code == 503
    assert stale.json["database"]["ok"] is True
    assert stale.json["queue"]["ok"] is False

    with app.app_context():
        SystemState.put(jobs.HEARTBEAT_KEY)
    fresh = client.get("/health")
    assert fresh.status_code == 200
    assert fresh.json["status"] == "ok"
    assert fresh.json["queue"]["last_heartbeat"].endswith("Z")


def test_health_reports_an_unreachable_redis_despite_a_fresh_heartbeat(make_app):
    with socket.socket() as s:  # a port nobody listens on: Redis is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(HUEY_IMMEDIATE=False, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    with app.app_context():
        SystemState.put(jobs.HEARTBEAT_KEY)

    answer = app.test_client().get("/health")

    assert answer.status_code == 503
    assert answer.json["database"]["ok"] is True
    assert answer.json["queue"] == {"ok": False, "kind": "redis", "error": "ConnectionError"}
