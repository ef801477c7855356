"""Mail in and out. Outbound mail goes through the outbox (``outbox.enqueue``), never straight
to SMTP, so it is sent once its transaction commits and retried while the server is down."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin pages, the outbox's jobs, and the hand-over after each request."""
    from helpdesk.mail import outbox, tasks, views  # noqa: F401 (tasks: registers the jobs)

    app.register_blueprint(views.bp)
    # Request teardown runs before the database connection closes; the app context's
    # teardown catches jobs and commands, and whatever a nested request left behind.
    app.teardown_request(outbox.flush_quietly)
    app.teardown_appcontext(outbox.flush_quietly)
    from helpdesk.mail import inbound

    inbound.init_app(app)  # mail in: the pipe command, the IMAP poller, held mail
