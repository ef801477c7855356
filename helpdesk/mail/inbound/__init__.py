"""Mail in (MAIL-3, MAIL-4): a mail to the support address becomes a case or a message on one.

``parse`` reads the bytes, ``classify`` spots robots, ``trim`` cuts quoted history for
display, ``intake`` decides and records; the ways in are the pipe command (``cli``) and the
IMAP poller (``imap``, run by ``tasks``); ``views`` is the admin page for held and failed mail.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the poller's job (the app factory registers the admin page and the pipe
    command)."""
    from helpdesk.mail.inbound import tasks  # noqa: F401 (registers the job)
