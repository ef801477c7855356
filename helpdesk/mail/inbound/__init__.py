"""Mail in (MAIL-3, MAIL-4): a mail to the support address becomes a case or a message on one.

``parse`` reads the bytes, ``classify`` spots robots, ``trim`` cuts quoted history for
display, ``intake`` decides and records; the ways in are the pipe command (``cli``) and the
IMAP poller (``imap``, run by ``tasks``); ``views`` is the admin page for held and failed mail.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin page, the pipe command and the poller's job."""
    from helpdesk.mail.inbound import cli, tasks, views  # noqa: F401 (tasks: registers the job)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.mail_pipe_command)
