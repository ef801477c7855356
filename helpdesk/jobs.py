"""The one ``huey`` object. Tasks everywhere import it from here.

The object exists at import time so tasks can be declared with its decorators; ``init_app``
then points it at the configured storage: Redis when ``REDIS_URL`` is set, else huey's SQLite
queue in the instance folder, or memory in immediate mode (tests that run tasks inline).
Each task runs inside an app context with its own database connection.
"""

import logging
from pathlib import Path

from flask import Flask
from huey import Huey, crontab
from huey.storage import PriorityRedisStorage, SqliteStorage

from helpdesk.db import db
from helpdesk.system import SystemState

#: The priority of periodic jobs (the heartbeat, the sweeps) and of the sweep's lanes: ahead
#: of the jobs that requests queue (a mail's delivery, an export), which take their turns in
#: order. A burst of thousands of mails to a relay that takes 0.1 s a recipient held the timer
#: sweep and the heartbeat behind it for minutes (the cluster test on a quick machine: no
#: timer acted, and the health page said the worker was down).
AHEAD = 10


class Queue(Huey):
    """huey, its periodic jobs ``AHEAD`` unless a job says otherwise."""

    def periodic_task(self, validate_datetime, **kwargs):
        kwargs.setdefault("priority", AHEAD)
        return super().periodic_task(validate_datetime, **kwargs)


huey = Queue("helpdesk", immediate=True)
log = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker.heartbeat"

_state = {"app": None}


def init_app(app: Flask) -> None:
    """Point the shared huey object at ``app``'s queue and run tasks in ``app``'s context."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        huey.storage_class = PriorityRedisStorage  # a sorted set: see ``AHEAD``
        huey.storage_kwargs = {"url": redis_url}
        huey.name = app.config.get("HUEY_NAME", "helpdesk")
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(Path(app.instance_path) / "queue.db")}
    # Leave immediate mode to build the real storage; entering it again swaps in memory.
    huey.immediate = False
    huey.storage = huey.create_storage()
    if redis_url:
        _adopt_list_queue(huey.storage)
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"])
    _state["app"] = app
    app.extensions["huey"] = huey


def _adopt_list_queue(storage) -> None:
    """Move the jobs of a queue that an earlier version kept in Redis as a list (before
    ``AHEAD``) into the sorted set that replaces it under the same key, in their order."""
    from redis.exceptions import ConnectionError as Unreachable

    key = storage.queue_key
    try:
        kind = storage.conn.type(key)
    except Unreachable:  # the app starts without Redis (the health page says so)
        log.warning("jobs: Redis unreachable; a list queue of an earlier version waits for a start")
        return
    if kind not in (b"list", "list"):
        return
    taking = storage.conn.pipeline(transaction=True)  # one host takes them, once
    taking.lrange(key, 0, -1)
    taking.delete(key)
    waiting, _deleted = taking.execute()
    for data in reversed(waiting):  # the list kept its oldest job last
        storage.enqueue(data)


def queue_kind() -> str:
    """A short name of the storage in use, for the health page."""
    if huey.immediate:
        return "immediate"
    kinds = {PriorityRedisStorage: "redis", SqliteStorage: "sqlite"}
    return kinds.get(huey.storage_class, "other")


# App contexts of running tasks by task id: the consumer runs several tasks in threads.
_context = {}


@huey.pre_execute()
def _enter_app(task):
    app = _state["app"]
    if app is not None:
        context = app.app_context()
        context.push()
        _context[task.id] = context
        db.connect(reuse_if_open=True)


@huey.post_execute()
def _leave_app(task, task_value, exc):
    context = _context.pop(task.id, None)
    if context is not None:
        if not db.is_closed() and not huey.immediate:
            db.close()
        context.pop()


@huey.periodic_task(crontab(minute="*"))
def heartbeat():
    """Proves a consumer runs: the health endpoint shows the last beat."""
    SystemState.put(HEARTBEAT_KEY)
