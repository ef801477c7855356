"""A sent mail made readable for the admins' outbox page: its headers, its text part with the
links clickable, and its HTML part (served alone, sandboxed, by the view)."""

import email
import email.policy
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from helpdesk.mail.models import OutboxMessage

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


@dataclass(frozen=True)
class Readable:
    headers: list[tuple[str, str]]
    text: str
    html: str | None
    attachments: list[str]

    @property
    def linked_text(self) -> Markup:
        """The text part, escaped, with every http(s) address a link."""
        return linked(self.text)


def linked(text: str, style: str = "") -> Markup:
    """``text`` escaped, with every http(s) address a link (``style`` inline, for mail)."""
    css = f' style="{escape(style)}"' if style else ""
    return Markup(
        _URL.sub(
            lambda m: f'<a href="{m.group(0)}" rel="noopener noreferrer"{css}>{m.group(0)}</a>',
            str(escape(text)),
        )
    )


def paragraphs(text: str, link_style: str = "") -> list[Markup]:
    """A plain-text mail's paragraphs as HTML: escaped, links clickable, lines kept.

    The whole text is linked at once (an address never spans a line, and neither escaping
    nor a link adds one), then split: a third of the time line by line took."""
    html = str(linked(text.replace("\r\n", "\n"), link_style))
    blocks = (block.strip("\n") for block in html.split("\n\n"))
    return [Markup(block.replace("\n", "<br>\n")) for block in blocks if block.strip()]


def readable(message: OutboxMessage) -> Readable:
    parsed = email.message_from_string(message.raw, policy=email.policy.default)
    headers = [
        (name, str(parsed[name]))
        for name in ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")
        if parsed[name] is not None
    ]
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    attachments = [part.get_filename() or "" for part in parsed.iter_attachments()]
    return Readable(
        headers=headers,
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else None,
        attachments=[name for name in attachments if name],
    )
