"""The one ``huey`` object. Tasks everywhere import it from here.

The object exists at import time so tasks can be declared with its decorators; ``init_app``
then points it at the configured storage: Redis when ``REDIS_URL`` is set, else huey's SQLite
queue in the instance folder, or memory in immediate mode (tests that run tasks inline).
Each task runs inside an app context with its own database connection.
"""

from pathlib import Path

from flask import Flask
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from helpdesk.db import db
from helpdesk.system import SystemState

huey = Huey("helpdesk", immediate=True)

HEARTBEAT_KEY = "worker.heartbeat"

_state = {"app": None}


def init_app(app: Flask) -> None:
    """Point the shared huey object at ``app``'s queue and run tasks in ``app``'s context."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": redis_url}
        huey.name = app.config.get("HUEY_NAME", "helpdesk")
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(Path(app.instance_path) / "queue.db")}
    # Leave immediate mode to build the real storage; entering it again swaps in memory.
    huey.immediate = False
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"])
    _state["app"] = app
    app.extensions["huey"] = huey


def queue_kind() -> str:
    """A short name of the storage in use, for the health page."""
    if huey.immediate:
        return "immediate"
    return {RedisStorage: "redis", SqliteStorage: "sqlite"}.get(huey.storage_class, "other")


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
