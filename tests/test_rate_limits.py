"""Rate limits hold across processes (issue 12, item 7): several worker processes, each with
an app of its own as gunicorn's workers have, try wrong passwords for one account at once;
no more attempts reach the password check than the limit allows, in every configuration
(the database without ``REDIS_URL``, Redis with it)."""

import multiprocessing
import os

import pytest

from helpdesk import create_app, demo
from helpdesk.ratelimit import DatabaseWindows, RateLimitHit, RedisWindows
from helpdesk.testing.client import CsrfClient
from tests.conftest import DEMO_PASSWORD

MIA = "mia.member@muster.example"
PROCESSES = 4
ATTEMPTS = 8  # per process: each alone stays below the limit of 10


def _worker(settings: dict, start, results) -> None:
    """One worker process: its own app, its own connections, its own memory."""
    app = create_app(settings)
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.get("/sign-in")  # warm: the first request of an app does more than the rest
    start.wait()
    statuses = []
    for _ in range(ATTEMPTS):
        response = client.post("/sign-in", data={"email": MIA, "password": "wrong"})
        statuses.append(response.status_code)
    results.put(statuses)


def _hammer(app) -> list[int]:
    settings = {
        key: app.config[key]
        for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "RATE_LIMITS", "RATE_LIMIT_PREFIX")
    }
    settings.update(TESTING=True, INSTANCE_PATH=app.instance_path, HUEY_IMMEDIATE=True)
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(PROCESSES), spawn.Queue()
    workers = [
        spawn.Process(target=_worker, args=(settings, start, results)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    statuses = [status for _ in workers for status in results.get(timeout=240)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return statuses


@pytest.mark.parametrize("store", ["configured", "database"])
def test_wrong_passwords_from_several_processes_stay_within_the_limit(make_app, store):
    config = {"RATE_LIMITS": {"sign_in_address": "1000 per hour", "sign_in_account": "10 per hour"}}
    if store == "database":
        config["REDIS_URL"] = None
    elif not os.environ.get("REDIS_URL"):
        pytest.skip("no Redis configured: the database is what the default setup uses")
    app = make_app(**config)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
    expected = DatabaseWindows if store == "database" else RedisWindows
    assert isinstance(app.extensions["rate_limits"].windows, expected)

    statuses = _hammer(app)

    assert len(statuses) == PROCESSES * ATTEMPTS
    assert statuses.count(422) == 10  # checked against the password: exactly the limit
    assert statuses.count(429) == PROCESSES * ATTEMPTS - 10


def test_the_database_window_moves(make_app, time_machine):
    """An attempt counts for the window's length after it happened, not to a fixed edge."""
    from limits import parse

    app = make_app(REDIS_URL=None)
    windows = DatabaseWindows("test", longest=600)
    ten_minutes = parse("2 per 10 minutes")
    with app.app_context():
        time_machine.move_to("2026-12-01 10:00:00Z", tick=False)
        assert windows.hit(ten_minutes, "n", "k")
        time_machine.move_to("2026-12-01 10:09:00Z", tick=False)
        assert windows.hit(ten_minutes, "n", "k")
        assert not windows.hit(ten_minutes, "n", "k")
        assert windows.hit(ten_minutes, "n", "other key")
        time_machine.move_to("2026-12-01 10:10:01Z", tick=False)  # the first has left
        assert windows.hit(ten_minutes, "n", "k")
        assert not windows.hit(ten_minutes, "n", "k")
        time_machine.move_to("2026-12-01 10:30:00Z", tick=False)
        assert windows.hit(ten_minutes, "n", "k")
        # Rows older than the longest window are gone; keys are stored as digests only.
        assert [row.key for row in RateLimitHit.select()] != ["k"]
        assert RateLimitHit.select().count() == 1
