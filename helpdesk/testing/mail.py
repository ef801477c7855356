"""The mail catcher: a real SMTP server (aiosmtpd on 127.0.0.1, a free port) the portal sends to.

``make_app(**smtp_server.settings)`` points an app at it; ``smtp_server.messages`` are the
mails it accepted, parsed. The portal hands a mail over when the transaction that wrote it
has committed and its request or app context ends. ``stop()`` and ``start()`` take the
server down and bring it back on the same port; ``refuse`` names recipients it answers 550
for.
"""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

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
        self.port = free_port()
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

    def messages_to(self, address: str) -> list:
        """The accepted mails with ``address`` among their ``To`` recipients."""
        return [m for m in self.messages if address in str(m["To"])]

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
