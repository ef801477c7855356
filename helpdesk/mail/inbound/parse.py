"""From the bytes of a mail to what the portal reads of it: decoded headers, one text body,
the attachments.

Mail programs disagree on almost everything, so this module is lenient where they are sloppy
(broken header blocks: ``headerblock``; undeclared 8-bit headers and wrong charsets:
``charsets``; the MIME tree: ``content``) and strict where it matters: headers that claim to
come from the portal itself are removed before anything could obey them.
"""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.errors import InvalidHeaderDefect
from email.message import EmailMessage

from helpdesk.mail.inbound import charsets, content, headerblock
from helpdesk.mail.inbound.content import MailAttachment

#: Headers the portal might set on its own mail; arriving from outside they are forged.
OUR_HEADER_PREFIXES = ("x-helpdesk-",)


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the one mailbox of From, lower case; "" when From names no single one
    sender_name: str
    subject: str
    text: str  # the body as text: text/plain where present, else sanitised HTML as text
    in_reply_to: list[str]
    references: list[str]
    attachments: list[MailAttachment] = field(default_factory=list)
    message: EmailMessage | None = None  # the parsed mail, our own headers removed
    sender_problem: str | None = None  # why From names no single sender (the mail is held)

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
    address, name, sender_problem = _sender(message)
    body = content.read(message)
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=address,
        sender_name=name,
        subject=" ".join(_header_text(message.get("Subject", "")).split()),
        text=body.text,
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        attachments=body.attachments,
        message=message,
        sender_problem=sender_problem,
    )


# -- The sender ------------------------------------------------------------------------------

#: A domain written with the DNS root's dot ("example.com."): legal in DNS, seen in mail, and
#: the address parser would read the whole address wrongly with it.
_ROOT_DOT = re.compile(r"(@[^\s<>@,;:\"()]+?)\.+(?=\s*>|\s*$)")


def _sender(message: EmailMessage) -> tuple[str, str, str | None]:
    """The address (lower case) and name of the one mailbox in From, or why there is none.

    Read as a mail server reads it, from the parsed address (``email.headerregistry``) of the
    raw header, never from decoded text: a display name that looks like an address
    ("mia@customer.example <attacker@evil.example>"), a group, several mailboxes or a header
    the parser only half understood name nobody, and the mail is held for an admin.
    """
    values = [value for name, value in message.raw_items() if name.lower() == "from"]
    if len(values) != 1:
        return "", "", "From header missing" if not values else "several From headers"
    value = charsets.repair_header("From", _ROOT_DOT.sub(r"\1", values[0]))
    try:
        header = email.policy.default.header_fetch_parse("From", value)
    except Exception:  # the email package raises on some broken address lists
        return "", "", "From is not one well-formed address"
    if any(group.display_name is not None for group in header.groups):
        return "", "", "From names a group, not a mailbox"
    if len(header.addresses) != 1:
        return "", "", f"From names {len(header.addresses) or 'no'} mailboxes, not one"
    [mailbox] = header.addresses
    if not (mailbox.username and mailbox.domain) or any(
        isinstance(defect, InvalidHeaderDefect) for defect in header.defects
    ):
        return "", "", "From is not one well-formed address"
    address = _header_text(mailbox.addr_spec).strip().lower()
    return address, _header_text(mailbox.display_name).strip(), None


# -- Message-IDs -----------------------------------------------------------------------------


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
