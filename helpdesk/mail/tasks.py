"""The outbox's jobs: deliver one message, and sweep up everything due every minute; and the
hand-over of committed mail to the queue at the end of a request or job.

The jobs return nothing, so huey keeps no results for them.
"""

import logging

from huey import crontab

from helpdesk.db import db
from helpdesk.identity import mailbox
from helpdesk.jobs import huey
from helpdesk.mail import outbox, token_alerts

log = logging.getLogger(__name__)


@huey.task()
def deliver(pk: int) -> None:
    """Send outbox row ``pk`` unless it is sent, taken by another worker or not due."""
    outbox.deliver(pk)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Send what is due (retries, and rows no request handed over) and release stale leases."""
    outbox.sweep()


def flush_after_commit() -> int:
    """Queue delivery of the mails enqueued in this app context whose transaction committed.

    Rows of rolled-back transactions no longer exist and are forgotten; inside an open
    transaction nothing happens yet. Returns how many were queued. Runs by itself when a
    request or app context ends (``helpdesk.mail.init_app``).
    """
    was_closed = db.is_closed()
    try:
        committed = outbox.take_committed()
        for pk in committed:
            deliver(pk)
    finally:
        if was_closed and not db.is_closed():
            db.close()
    return len(committed)


def flush_quietly(_exc=None) -> None:
    """``flush_after_commit`` for teardown: a queue that does not answer must not break the
    response; the sweep delivers those mails a minute later."""
    try:
        flush_after_commit()
    except Exception:
        log.exception("outbox: could not queue delivery; the sweep will send it")


@huey.periodic_task(crontab(minute="*"))
def refresh_mail_tokens() -> None:
    """Renew the OAuth2 tokens of the mail connections before they expire, and tell the
    admins once of a connection that gets none (issue 20)."""
    mailbox.refresh_due()
    token_alerts.tell_admins()
