"""The mail tests' servers and apps; the real SMTP server itself is ``helpdesk.testing.mail``'s
(fixture ``smtp_server`` of the ``helpdesk.testing`` plugin).

The ``app`` fixture here sends to it, so ``admin_client`` and friends do as well.
"""

import pytest

from helpdesk.jobs import huey
from helpdesk.testing.mail import SmtpServer


@pytest.fixture
def smtp_server_with_auth():
    server = SmtpServer(credentials=("portal", "s3cret"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp_server):
    """The app, sending to the test server; tasks run inline (HUEY_IMMEDIATE)."""
    return make_app(**smtp_server.settings)


@pytest.fixture
def queued_app(make_app, smtp_server):
    """The app on the real job queue (huey's SQLite file, or Redis with REDIS_URL)."""
    app = make_app(HUEY_IMMEDIATE=False, **smtp_server.settings)
    huey.flush()
    yield app
    huey.flush()
