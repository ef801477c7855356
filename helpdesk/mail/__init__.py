"""Mail in and out. Outbound mail goes through the outbox (``outbox.enqueue``), never straight
to SMTP, so it is sent once its transaction commits and retried while the server is down."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the outbox's jobs and the hand-over after each request (the admin pages are
    registered by the app factory)."""
    from helpdesk.mail import tasks

    # Request teardown runs before the database connection closes; the app context's
    # teardown catches jobs and commands, and whatever a nested request left behind.
    app.teardown_request(tasks.flush_quietly)
    app.teardown_appcontext(tasks.flush_quietly)
    from helpdesk.mail import inbound

    inbound.init_app(app)  # mail in: the pipe command, the IMAP poller, held mail
