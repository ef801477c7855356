"""``/health``: is the database reachable, is the job queue (Redis) reachable, and has the job
worker beaten recently?

The heartbeat alone would keep saying "ok" for ``HEARTBEAT_STALE_SECONDS`` after Redis went
away, while no job can be queued or taken; so on Redis the queue is also asked directly
(``make cluster-test`` restarts Redis and expects a 503 meanwhile)."""

from datetime import timedelta

from flask import Blueprint, current_app, jsonify

from helpdesk import jobs
from helpdesk.db import db
from helpdesk.identity import mailbox
from helpdesk.system import SystemState
from helpdesk.timeutil import utcnow

bp = Blueprint("health", __name__)


@bp.route("/health")
def health():
    checks = {"database": _database(), "queue": _queue()}
    healthy = checks["database"]["ok"] and checks["queue"]["ok"]
    # Mail over OAuth2 without a token (issue 20): shown, but the portal itself still serves.
    checks["mailboxes"] = _mailboxes() if checks["database"]["ok"] else {"ok": None}
    status = "ok" if healthy and checks["mailboxes"]["ok"] is not False else "degraded"
    response = jsonify(status=status, **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> dict:
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as error:  # any driver error means the database is not usable
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "engine": type(db.obj).__name__}


def _mailboxes() -> dict:
    problems = mailbox.problems()
    return {"ok": not problems, "problems": problems}


def _queue() -> dict:
    kind = jobs.queue_kind()
    if kind == "immediate":
        return {"ok": True, "kind": kind, "last_heartbeat": None}
    if kind == "redis":
        try:
            jobs.huey.storage.conn.ping()
        except Exception as error:  # any client error means the queue is not usable
            return {"ok": False, "kind": kind, "error": type(error).__name__}
    try:
        beat = SystemState.fetch(jobs.HEARTBEAT_KEY)
    except Exception as error:
        return {"ok": False, "kind": kind, "error": type(error).__name__}
    last = beat.updated_at if beat else None
    stale = timedelta(seconds=current_app.config["HEARTBEAT_STALE_SECONDS"])
    ok = last is not None and utcnow() - last < stale
    return {"ok": ok, "kind": kind, "last_heartbeat": last.isoformat() + "Z" if last else None}
