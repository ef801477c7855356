"""From the bytes of a mail to what the portal reads of it: decoded headers, one text body,
the attachments.

Mail programs disagree on almost everything, so this module is lenient where they are sloppy
(undeclared 8-bit headers, Windows-1252 declared as ISO-8859-1, unknown charsets) and strict
where it matters: HTML is sanitised with nh3 before anything reads it, plain text is preferred
where a mail has both, and headers that claim to come from the portal itself are removed
before anything could obey them.
"""

import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.errors import InvalidHeaderDefect
from email.message import EmailMessage

import nh3

#: Headers the portal might set on its own mail; arriving from outside they are forged.
OUR_HEADER_PREFIXES = ("x-helpdesk-",)

#: Charsets mail programs declare for text that is really Windows-1252 (a superset).
_WINDOWS_1252_ALIASES = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso8859-1"}

_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\s*>")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class MailAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False  # an image shown in the body (Content-ID), not attached by hand


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
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for name in set(message.keys()):
        if name.lower().startswith(OUR_HEADER_PREFIXES):
            del message[name]
    address, name, sender_problem = _sender(message)
    text = _body(message)
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=address,
        sender_name=name,
        subject=" ".join(_header_text(message.get("Subject", "")).split()),
        text=text,
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        attachments=list(_attachments(message)),
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
    header = email.policy.default.header_fetch_parse("From", _ROOT_DOT.sub(r"\1", values[0]))
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


# -- Decoding -----------------------------------------------------------------------------


def _header_text(value) -> str:
    """A header as text. RFC 2047 words are decoded by the email policy; raw 8-bit bytes
    (undeclared, against the RFC, common) arrive as surrogates and are decoded here."""
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return _decode(text.encode("ascii", "surrogateescape"), "utf-8")
    return text


def _decode(data: bytes, charset: str | None) -> str:
    """Bytes as text by the declared charset, trying UTF-8 and Windows-1252 when the
    declaration is missing, unknown or wrong; never fails."""
    charset = (charset or "").strip().lower()
    if charset in _WINDOWS_1252_ALIASES:
        charset = "cp1252"
    for candidate in filter(None, (charset, "utf-8", "cp1252")):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _part_text(part) -> str:
    data = part.get_payload(decode=True) or b""
    return _decode(data, part.get_content_charset())


# -- Body and attachments -------------------------------------------------------------------


def _is_attachment(part) -> bool:
    if part.get_content_disposition() == "attachment":
        return True
    return part.get_filename() is not None and part.get_content_maintype() != "multipart"


def _body(message: EmailMessage) -> str:
    """The first text/plain part that is not an attachment; else the first HTML part, made
    text through nh3. A forwarded mail (message/rfc822) is an attachment of its own, so its
    body is not mistaken for the sender's."""
    plain = markup = None
    for part in _walk(message):
        if _is_attachment(part):
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _part_text(part)
        elif kind == "text/html" and markup is None:
            markup = _part_text(part)
    if plain is not None and plain.strip():
        return _normalise(plain)
    return _normalise(html_to_text(markup)) if markup else ""


def _walk(part):
    """Like ``Message.walk`` but without descending into attached mails."""
    yield part
    if part.get_content_type() == "message/rfc822":
        return
    if part.is_multipart():
        for child in part.iter_parts():
            yield from _walk(child)


def html_to_text(markup: str) -> str:
    """HTML as plain text, through nh3: block ends become line breaks, every tag goes, and
    what is no text (scripts, styles, the head) goes with its content."""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", markup)
    text = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    return html.unescape(text)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _attachments(message: EmailMessage):
    for part in _walk(message):
        if part is message or (part.is_multipart() and part.get_content_type() != "message/rfc822"):
            continue
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) else bytes(inner)
            subject = _header_text(inner[0].get("Subject", "")) if isinstance(inner, list) else ""
            name = part.get_filename() or (subject or "forwarded") + ".eml"
            yield MailAttachment(_header_text(name), kind, data)
            continue
        inline_image = kind.startswith("image/") and part.get("Content-ID") is not None
        if not (_is_attachment(part) or inline_image):
            continue
        data = part.get_payload(decode=True) or b""
        name = part.get_filename()
        if not name:
            subtype = part.get_content_subtype()
            name = f"image.{subtype}" if inline_image else f"attachment.{subtype}"
        yield MailAttachment(_header_text(name), kind, data, inline=inline_image)
