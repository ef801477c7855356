"""The webhooks' jobs: deliver one, sweep what is due every minute, and hand committed
deliveries to the queue when a request or app context ends."""

import logging

from flask import Flask
from huey import crontab

from helpdesk.api import webhooks
from helpdesk.jobs import huey

log = logging.getLogger(__name__)


@huey.task()
def deliver(pk: int) -> None:
    """Try webhook delivery ``pk`` once, if it is due."""
    webhooks.deliver(pk)


@huey.periodic_task(crontab(minute="*"))
def sweep_webhooks() -> None:
    """Try every delivery that is due: retries, and those no request handed over."""
    for pk in webhooks.due():
        webhooks.deliver(pk)


def flush_quietly(_exc=None) -> None:
    """Queue the committed deliveries; a queue that does not answer leaves them to the sweep."""
    try:
        for pk in webhooks.take_committed():
            deliver(pk)
    except Exception:
        log.exception("webhooks: could not queue delivery; the sweep will send it")


def init_app(app: Flask) -> None:
    app.teardown_request(flush_quietly)
    app.teardown_appcontext(flush_quietly)
