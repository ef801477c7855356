"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1, a free port).

``smtp_server.messages`` are the mails it accepted, parsed; ``stop()`` and ``start()`` take it
down and bring it back on the same port; ``refuse`` names recipients it answers 550 for.
The ``app`` fixture here sends to it, so ``admin_client`` and friends do as well.
"""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from helpdesk.jobs import huey

SENDER = "Support <support@vendor.example>"
MAIL_DOMAIN = "portal.vendor.example"


class Collector:
    """The server's handler: keeps every envelope it accepts."""

    def __init__(self):
        self.envelopes = []
        self.refuse = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, credentials: tuple[str, str] | None = None):
        self.handler = Collector()
        self.port = _free_port()
        self.controller = None
        self.credentials = credentials

    def start(self) -> None:
        # A stopped controller has closed its event loop: a new one on the same port.
        auth = {}
        if self.credentials:
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,  # a test on 127.0.0.1; production uses TLS
            }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="smtp.test", **auth
        )
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.credentials, handled=False)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self) -> list:
        with self.handler.lock:
            return list(self.handler.envelopes)

    @property
    def messages(self) -> list:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]

    @property
    def refuse(self) -> set:
        return self.handler.refuse

    @property
    def settings(self) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_TIMEOUT": 5,
            "MAIL_DEFAULT_SENDER": SENDER,
            "MAIL_DOMAIN": MAIL_DOMAIN,
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


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
