"""The job queue on its real storage: huey's SQLite file, or Redis when REDIS_URL is set."""

import os
import socket
from datetime import datetime

import pytest
from huey.storage import PriorityRedisStorage, RedisStorage, SqliteStorage

from helpdesk import jobs
from helpdesk.system import SystemState


def test_queue_uses_the_configured_storage(make_app):
    app = make_app(HUEY_IMMEDIATE=False)
    expected = PriorityRedisStorage if os.environ.get("REDIS_URL") else SqliteStorage
    assert isinstance(app.extensions["huey"].storage, expected)
    assert jobs.queue_kind() == ("redis" if expected is PriorityRedisStorage else "sqlite")


def test_periodic_jobs_go_ahead_of_a_backlog_of_deliveries(make_app):
    """A burst of mail queues thousands of deliveries; the heartbeat and the timer sweep (and
    its lanes) queued after them are taken first, the deliveries then in their order."""
    from helpdesk.mail.tasks import deliver
    from helpdesk.sla.tasks import sweep_lane, sweep_timers

    app = make_app(HUEY_IMMEDIATE=False)
    huey = app.extensions["huey"]
    huey.flush()
    for pk in range(1, 6):
        deliver(pk)
    jobs.heartbeat()
    sweep_timers()
    sweep_lane(1, 2)
    deliver(6)
    taken = [huey.dequeue() for _ in range(huey.pending_count())]
    assert [(t.name, t.args) for t in taken] == [
        ("heartbeat", ()),
        ("sweep_timers", ()),
        ("sweep_lane", (1, 2)),
        *(("deliver", (pk,)) for pk in range(1, 7)),
    ]


def test_a_queue_an_earlier_version_kept_in_redis_as_a_list_is_taken_over(make_app):
    """Before periodic jobs went ahead, Redis kept the queue as a list; the sorted set that
    replaces it under the same key takes its jobs, in their order, when the app starts."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("Redis's queue")
    from helpdesk.mail.tasks import deliver

    app = make_app(HUEY_IMMEDIATE=False)
    huey = app.extensions["huey"]
    huey.flush()
    earlier = RedisStorage(huey.name, url=app.config["REDIS_URL"])
    for pk in (7, 8, 9):
        earlier.enqueue(huey.serialize_task(deliver.s(pk)))
    assert huey.storage.conn.type(huey.storage.queue_key) == b"list"
    again = make_app(HUEY_IMMEDIATE=False, HUEY_NAME=huey.name)
    huey = again.extensions["huey"]
    assert [huey.dequeue().args for _ in range(huey.pending_count())] == [(7,), (8,), (9,)]


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
