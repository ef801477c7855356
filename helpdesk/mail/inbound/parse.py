"""From the bytes of a mail to what the portal reads of it: decoded headers, one text body,
the attachments.

Mail programs disagree on almost everything, so this module is lenient where they are sloppy
(broken header blocks: ``headerblock``; undeclared 8-bit headers and wrong charsets:
``charsets``; the MIME tree: ``content``) and strict where it matters: headers that claim to
come from the portal itself are removed before anything could obey them.
"""

import email
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from helpdesk.mail.inbound import charsets, content, headerblock
from helpdesk.mail.inbound.content import MailAttachment

#: Headers the portal might set on its own mail; arriving from outside they are forged.
OUR_HEADER_PREFIXES = ("x-helpdesk-",)


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the bare From address, lower case
    sender_name: str
    subject: str
    text: str  # the body as text: text/plain where present, else sanitised HTML as text
    in_reply_to: list[str]
    references: list[str]
    attachments: list[MailAttachment] = field(default_factory=list)
    message: EmailMessage | None = None  # the parsed mail, our own headers removed

    def header(self, name: str) -> str:
        value = self.message.get(name) if self.message is not None else None
        return _header_text(value) if value is not None else ""

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, the most direct first."""
        ids = list(self.in_reply_to)
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return ids


def parse(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(headerblock.repair(raw), policy=charsets.POLICY)
    for name in set(message.keys()):
        if name.lower().startswith(OUR_HEADER_PREFIXES):
            del message[name]
    name, address = parseaddr(_header_text(message.get("From", "")))
    body = content.read(message)
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=address.strip().lower(),
        sender_name=name.strip(),
        subject=" ".join(_header_text(message.get("Subject", "")).split()),
        text=body.text,
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        attachments=body.attachments,
        message=message,
    )


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = _ids(message.get("Message-ID"))
    if found and len(found[0]) <= 255:
        return found[0]
    # Without one (some scanners and scripts send none) the same bytes still count as one mail.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"


def _ids(value) -> list[str]:
    return re.findall(r"<[^<>\s]+>", _header_text(value)) if value else []


def _header_text(value) -> str:
    """A header as text (``charsets.POLICY`` decoded what mail programs got wrong)."""
    return str(value)
