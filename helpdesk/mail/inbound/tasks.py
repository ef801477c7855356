"""The IMAP poller's job: every minute, when ``IMAP_HOST`` is set."""

from flask import current_app
from huey import crontab

from helpdesk.jobs import huey
from helpdesk.mail.inbound import imap


@huey.periodic_task(crontab(minute="*"))
def poll_imap() -> None:
    """Take the new mail from the IMAP mailbox (nothing when no IMAP_HOST is configured)."""
    if current_app.config["IMAP_HOST"]:
        imap.poll(current_app.config)
