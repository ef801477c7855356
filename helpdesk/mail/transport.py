"""The wire: the RFC 5322 message an outbox row keeps, and handing it to the SMTP server.

Nothing here knows about the outbox's states; ``outbox`` decides what a failure means.
"""

import random
import smtplib
import ssl
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from email import quoprimime
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache

from helpdesk.identity import mailbox
from helpdesk.oneline import flattened

CRLF = "\r\n"
MIME_VERSION = "MIME-Version: 1.0" + CRLF
_TEXT_PART = (
    'Content-Type: text/{subtype}; charset="utf-8"'
    + CRLF
    + "Content-Transfer-Encoding: quoted-printable"
    + CRLF
)


def build_message(
    *,
    message_id: str,
    sender: str,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    automatic: bool = True,
    reply_to: str | None = None,
    request_id: str | None = None,
) -> str:
    """The message as it goes on the wire (CRLF line ends): plain text, with an HTML
    alternative when given, threaded when asked; ``request_id`` adds ``X-Request-ID``.

    Header values are put on one line (``oneline.flattened``), so no stored text can make
    building the message fail. Bodies are quoted-printable and headers RFC 2047 encoded, so
    the message is plain ASCII: any relay takes it without 8BITMIME and any database column
    stores it as text.

    The text is written here rather than by ``EmailMessage``: parsing every header into
    ``email.headerregistry`` objects cost more than the rest of a timer sweep's mail
    (``_header``). The bytes are those ``EmailMessage.as_string(policy=SMTP)`` wrote.
    """
    headers = [
        ("Message-ID", message_id),
        ("Date", format_datetime(datetime.now(UTC))),
        # Names and subjects may have been stored with line breaks: a header refuses them.
        ("From", flattened(sender)),
        ("To", ", ".join(flattened(address) for address in to)),
        ("Subject", flattened(subject)),
    ]
    if reply_to:
        headers.append(("Reply-To", flattened(reply_to)))
    thread = [_bracketed(ref) for ref in references]
    if in_reply_to:
        headers.append(("In-Reply-To", _bracketed(in_reply_to)))
        if _bracketed(in_reply_to) not in thread:
            thread.append(_bracketed(in_reply_to))
    if thread:
        headers.append(("References", " ".join(thread)))
    if automatic:
        headers.append(("Auto-Submitted", "auto-generated"))  # RFC 3834: no auto-replies
        headers.append(("X-Auto-Response-Suppress", "All"))  # the same, for Exchange
    head = "".join(_header(name, value) for name, value in headers)
    if html is None:
        head += _TEXT_PART.format(subtype="plain") + MIME_VERSION
        body = _quoted_printable(text)
    else:  # the boundary as ``email.generator`` makes it
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):019d}=="
        head += (
            f'{MIME_VERSION}Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"{CRLF}'
        )
        body = (
            f"--{boundary}{CRLF}{_TEXT_PART.format(subtype='plain')}{CRLF}"
            f"{_quoted_printable(text)}{CRLF}"
            f"--{boundary}{CRLF}{_TEXT_PART.format(subtype='html')}{MIME_VERSION}{CRLF}"
            f"{_quoted_printable(html)}{CRLF}"
            f"--{boundary}--{CRLF}"
        )
    if request_id:
        head += _header("X-Request-ID", request_id)
    return head + CRLF + body


def _header(name: str, value: str) -> str:
    """One header line as the SMTP policy folds it. Short ASCII values (nearly all of them)
    are written as they are; the others (non-ASCII names and subjects as RFC 2047 encoded
    words, long values folded) go through the policy's parser, once per value
    (``_folded``), a subject once per value after its first word (``_subject``)."""
    if value.isascii() and len(name) + len(value) <= 76 and "=?" not in value:
        return f"{name}: {value}{CRLF}"
    if name == "Subject":
        return _subject(value)
    return _folded(name, value)


@lru_cache(maxsize=1024)
def _folded(name: str, value: str) -> str:
    """The policy's fold of a header (60-80 us for a value with an umlaut: a timer sweep
    writes thousands of mails from one sender, many to the same people)."""
    return SMTP.header_factory(name, value).fold(policy=SMTP)


def _subject(value: str) -> str:
    """The policy's fold of a subject, from the fold of the subject with its first word
    (``[#2026-00042]``: every mail's subject about a case starts with its call id) written
    as as many ``x``: a German notice's subject has an umlaut, and a timer sweep writes
    thousands of them that differ in the call id alone.

    The policy folds an unstructured value word by word: a plain ASCII word is written as
    it is, and only the words after an encoded word's start can join it (``_fold_as_ew``),
    so a first word that fits its line keeps its place and length, whatever its letters.
    ``tests/mail/test_wire.py`` compares both over random subjects."""
    first, space, rest = value.partition(" ")
    if not (space and 0 < len(first) <= 40 and first.isascii() and first.isprintable()):
        return _folded("Subject", value)
    if "=?" in first or "?=" in first:
        return _folded("Subject", value)
    stand_in = "x" * len(first)
    folded = _folded("Subject", f"{stand_in} {rest}")
    start = f"Subject: {stand_in} "
    if not folded.startswith(start):  # not as it should be: the policy itself
        return _folded("Subject", value)
    return f"Subject: {first} " + folded[len(start) :]


def _quoted_printable(text: str) -> str:
    """``text`` in UTF-8, quoted-printable, CRLF line ends: what the email package writes
    (``quoprimime.body_encode`` with the SMTP policy's line length, 78). That encodes each
    line on its own, so a short line is encoded once per process (``_encoded_short``):
    most lines of an HTML mail are its layout's, the same in every mail (a timer sweep's
    mail: 48 -> 36 us)."""
    lines = text.encode("utf-8").splitlines()
    return "".join([_encoded_short(x) if len(x) < 160 else _encoded(x) for x in lines]) or CRLF


def _encoded(line: bytes) -> str:
    return quoprimime.body_encode(line.decode("latin-1") + "\n", 78).replace("\n", CRLF)


#: Short lines only, so that the cache stays small (4,096 lines under 160 bytes: about 2 MB).
_encoded_short = lru_cache(maxsize=4096)(_encoded)


def _bracketed(message_id: str) -> str:
    message_id = message_id.strip()
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def connect(config) -> smtplib.SMTP:
    """An SMTP connection by the MAIL_* settings (or the OAuth2 connection's own server),
    secured and signed in as configured."""
    host, port, security = mailbox.server("smtp", config)
    timeout = config["MAIL_TIMEOUT"]
    if security == "ssl":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        try:
            oauth = mailbox.bearer("smtp")  # OAuth2 when an admin set it up (issue 20)
        except mailbox.TokenError as error:  # as a refused sign-in: tried again later
            raise smtplib.SMTPAuthenticationError(535, str(error)) from error
        if oauth is not None:
            smtp.ehlo_or_helo_if_needed()
            chosen = mailbox.mechanism(smtp.esmtp_features.get("auth", "").split())
            smtp.auth(chosen, mailbox.responder(chosen, *oauth, host, port))
        elif config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(config, sender: str, recipients: list[str], raw: str) -> dict:
    """Hand one message to the server; returns the recipients it refused (when not all).

    Raises what smtplib raises: ``SMTPRecipientsRefused`` when it refused every recipient.
    """
    smtp = connect(config)
    try:
        return smtp.sendmail(sender, recipients, raw)
    finally:
        # Once DATA is accepted the mail is out: a failing QUIT must not count as a failure.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def is_permanent(error: Exception) -> bool:
    """The server refused this message for good (5xx for every recipient, or for the data)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def is_unreachable(error: Exception) -> bool:
    """The server (or our access to it) is down: the next message would fail the same way."""
    connection = (
        smtplib.SMTPConnectError,
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPHeloError,
        smtplib.SMTPAuthenticationError,
    )
    if isinstance(error, connection):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def describe(error: Exception) -> str:
    """One line for the outbox's error column and the log."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + describe_refused(error.recipients)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def describe_refused(refused: dict) -> str:
    return "; ".join(
        f"{address} ({code} {_text(text)})" for address, (code, text) in refused.items()
    )


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
