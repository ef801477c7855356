"""The IMAP poller's job: every minute, when there is a server to ask (``IMAP_HOST``, or the
one the OAuth2 connection names)."""

from flask import current_app
from huey import crontab

from helpdesk.identity import mailbox
from helpdesk.jobs import huey
from helpdesk.mail.inbound import imap


@huey.periodic_task(crontab(minute="*"))
def poll_imap() -> None:
    """Take the new mail from the IMAP mailbox (nothing when no server is configured)."""
    if mailbox.server("imap", current_app.config)[0]:
        imap.poll(current_app.config)
