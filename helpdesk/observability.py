"""Logs and metrics for operators (issue 19).

Logs: with ``LOG_FORMAT = "json"`` (the default outside tests) every record goes to stderr as
one JSON object (python-json-logger) with ``request_id``: the web request's id, or in a job
the id of the request that queued it (huey task ids carry it: ``<request id>.<uuid>``).
Every response names it in ``X-Request-ID`` and every mail written during the request in its
``X-Request-ID`` header. An unhandled error (a 5xx) is logged by ``helpdesk.errors`` with its
traceback; the records hold the method and path, never form fields, so no password, token
or mail body.

Metrics: ``/metrics`` in Prometheus's text format, for the loopback address or with
``Authorization: Bearer <METRICS_TOKEN>``, else 404. Under gunicorn set
``PROMETHEUS_MULTIPROC_DIR`` (an empty folder per host, shared by its web and job workers) so
every worker's counts are summed. Request latency by route is counted in each process; the
queue depth, the outbox's pending and dead mail, the timers due and the inbound mail by
outcome are read from the queue and the database at each scrape; the sweep's duration is
observed by the job worker.
"""

import logging
import os
import secrets
import sys
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from peewee import fn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from pythonjsonlogger.json import JsonFormatter

from helpdesk import jobs
from helpdesk import request_id as rid
from helpdesk.metrics import REQUEST_SECONDS, SWEEP_SECONDS
from helpdesk.timeutil import utcnow

bp = Blueprint("metrics", __name__)

LOOPBACK = ("127.0.0.1", "::1")


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_FORMAT", "text" if app.testing else "json")
    app.config.setdefault("METRICS_TOKEN", None)
    _tag_log_records()
    if app.config["LOG_FORMAT"] == "json":
        json_logs()
    _tag_jobs()
    app.before_request(_started)
    app.after_request(_finished)
    app.register_blueprint(bp)


def _tag_log_records() -> None:
    """Every log record gets ``request_id`` (None outside requests and jobs)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "tags_request_id", False):
        return

    def tagged(*args, **kwargs):
        record = factory(*args, **kwargs)
        record.request_id = rid.current()
        return record

    tagged.tags_request_id = True
    logging.setLogRecordFactory(tagged)


def json_logs() -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
    )
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def _tag_jobs() -> None:
    """A job queued during a request runs under the request's id: huey keeps a task's id,
    so the id goes in front of it; the worker takes it out before the task runs."""
    huey = jobs.huey
    if getattr(huey, "tags_request_id", False):
        return
    enqueue = huey.enqueue

    def tagged(task):
        current = rid.current()
        if current and "." not in task.id:
            task.id = f"{current}.{task.id}"
        return enqueue(task)

    huey.enqueue = tagged
    huey.tags_request_id = True

    @huey.pre_execute(name="request_id")
    def _enter(task):
        task_rid = task.id.split(".", 1)[0] if "." in task.id else None
        _task_tokens[task.id] = rid.REQUEST_ID.set(task_rid)

    @huey.post_execute(name="request_id")
    def _leave(task, task_value, exc):
        token = _task_tokens.pop(task.id, None)
        if token is not None:
            try:
                rid.REQUEST_ID.reset(token)
            except ValueError:  # set in another thread's context
                rid.REQUEST_ID.set(None)


#: The request id tokens of running tasks, by task id.
_task_tokens: dict = {}


def _started():
    g.request_id = rid.new(request.headers.get("X-Request-ID"))
    g.request_id_token = rid.REQUEST_ID.set(g.request_id)
    g.request_started = time.perf_counter()


def _finished(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        REQUEST_SECONDS.labels(route, request.method).observe(time.perf_counter() - started)
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    token = g.pop("request_id_token", None)
    if token is not None:
        rid.REQUEST_ID.reset(token)
    return response


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    offered = request.headers.get("Authorization", "")
    if token and secrets.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    return request.remote_addr in LOOPBACK


@bp.route("/metrics")
def metrics():
    """The Prometheus scrape (loopback or the configured token, else 404)."""
    if not _allowed():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessLocal())
    registry.register(_FromTheDatabase())
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


class _ProcessLocal:
    """This process's own histograms (without the multiprocess folder)."""

    def collect(self):
        yield from REQUEST_SECONDS.collect()
        yield from SWEEP_SECONDS.collect()


class _FromTheDatabase:
    """What the queue and the database say now."""

    def collect(self):
        from helpdesk.mail.inbound.models import InboundMessage
        from helpdesk.mail.models import OutboxMessage, State
        from helpdesk.sla.models import CaseClock

        depth = GaugeMetricFamily("helpdesk_queue_depth", "Jobs waiting in the queue")
        depth.add_metric([], 0 if jobs.huey.immediate else jobs.huey.pending_count())
        yield depth
        outbox = GaugeMetricFamily(
            "helpdesk_outbox_messages", "Outbox mail by state", labels=["state"]
        )
        counts = dict(
            OutboxMessage.select(OutboxMessage.state, fn.COUNT(OutboxMessage.id))
            .where(OutboxMessage.state.in_((State.PENDING, State.FAILED, State.DEAD)))
            .group_by(OutboxMessage.state)
            .tuples()
        )
        for state in (State.PENDING, State.FAILED, State.DEAD):
            outbox.add_metric([state.value], counts.get(state.value, 0))
        yield outbox
        due = GaugeMetricFamily("helpdesk_timers_due", "Status timers due and not yet acted on")
        due.add_metric([], CaseClock.select().where(CaseClock.timer_due_at <= utcnow()).count())
        yield due
        inbound = GaugeMetricFamily(
            "helpdesk_inbound_messages", "Inbound mail by outcome", labels=["outcome"]
        )
        for state, count in (
            InboundMessage.select(InboundMessage.state, fn.COUNT(InboundMessage.id))
            .group_by(InboundMessage.state)
            .tuples()
        ):
            inbound.add_metric([state], count)
        yield inbound
