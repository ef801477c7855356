"""The wire: the RFC 5322 message an outbox row keeps, and handing it to the SMTP server.

Nothing here knows about the outbox's states; ``outbox`` decides what a failure means.
"""

import smtplib
import ssl
from collections.abc import Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from helpdesk.identity import mailbox
from helpdesk.oneline import flattened


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
) -> EmailMessage:
    """The message: plain text, with an HTML alternative when given, threaded when asked.

    Header values are put on one line (``oneline.flattened``), so no stored text can make
    building the message fail. Bodies are quoted-printable and headers RFC 2047 encoded, so
    the message is plain ASCII: any relay takes it without 8BITMIME and any database column
    stores it as text.
    """
    message = EmailMessage()
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    # Names and subjects may have been stored with line breaks: a header refuses them.
    message["From"] = flattened(sender)
    message["To"] = ", ".join(flattened(address) for address in to)
    message["Subject"] = flattened(subject)
    if reply_to:
        message["Reply-To"] = flattened(reply_to)
    thread = [_bracketed(ref) for ref in references]
    if in_reply_to:
        message["In-Reply-To"] = _bracketed(in_reply_to)
        if _bracketed(in_reply_to) not in thread:
            thread.append(_bracketed(in_reply_to))
    if thread:
        message["References"] = " ".join(thread)
    if automatic:
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        message["X-Auto-Response-Suppress"] = "All"  # the same, for Exchange
    message.set_content(text, cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


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
