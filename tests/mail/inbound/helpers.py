"""What the inbound mail tests share: the corpus folder, the world a test mail arrives in, and
a plain mail written on the spot."""

import sys
from dataclasses import dataclass
from pathlib import Path

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.mail.inbound import intake

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

#: The pipe command, as an MTA runs it (the ``pipe`` fixture runs it in a process of its own).
FLASK_COMMAND = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "mail-pipe"]
MODULE_COMMAND = [sys.executable, "-m", "helpdesk.mail.inbound.cli"]


@dataclass
class MailWorld:
    people: dict
    case: Case
    outsider: User

    def corpus(self, name: str) -> bytes:
        """A corpus mail, answering this world's case."""
        return (CORPUS / name).read_bytes().replace(b"{CALL_ID}", self.case.call_id.encode())

    def receive(self, raw: bytes, source: str = "pipe", **options):
        return intake.receive(raw, source, **options)


def simple_mail(
    sender: str,
    subject: str,
    body: str = "Hallo Support,\n\nbitte helfen Sie.\n",
    message_id: str = "<simple-1@muster.example>",
    headers: str = "",
) -> bytes:
    return (
        f"From: {sender}\nTo: support@vendor.example\nSubject: {subject}\n"
        f"Message-ID: {message_id}\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n{headers}"
        f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}"
    ).encode()
