"""Telling the admins, once per failure, that a mail connection gets no OAuth2 token (issue 20).

Runs after the token job (``tasks.refresh_mail_tokens``); the mail waits in the outbox, so a
failing SMTP token delays it until the admin repairs the connection: the admin page and
``/health`` show the failure meanwhile.
"""

from helpdesk.accounts.models import Kind, User
from helpdesk.db import db
from helpdesk.identity import mailbox
from helpdesk.mail import outbox


def tell_admins() -> int:
    """Mail the admins about every failure not yet told; returns how many were told."""
    told = 0
    for row in mailbox.untold():
        with db.atomic():
            if not mailbox.mark_told(row):
                continue  # another worker told them
            admins = [
                user.email
                for user in User.select(User.email).where(
                    (User.kind == Kind.AGENT) & User.is_admin & User.active
                )
            ]
            if admins:
                outbox.enqueue(admins, *_mail(row))
                told += 1
    return told


def _mail(row) -> tuple[str, str]:
    subject = f"Mail connection {row.purpose.upper()}: no OAuth2 token"
    text = (
        f"The portal could not get an access token for {row.username} ({row.purpose}).\n\n"
        f"{row.last_error}\n\nThe admin page for mailboxes (/admin/mailboxes) shows the state. "
        "This mail is sent once; the next one only after a successful renewal fails again."
    )
    return subject, text
