"""What a mail contains: the text a person wrote and the files that came with it (MAIL-3).

The MIME tree is read the way mail programs show it:

- ``multipart/alternative``: one of its parts, plain text preferred where it says something;
  the files of the others (inline images of the HTML version) are still kept;
- ``multipart/related``: its first part shows; the rest are the images it shows inline;
- ``multipart/signed``: the signed part; the signature proves it and is not content;
- any other multipart (``mixed`` above all): every part in order, so the text Apple Mail
  writes below an inline image is read as well as the text above it;
- ``message/rfc822``: a forwarded mail, kept as a file of its own;
- a text part that is not an attachment: text; HTML is sanitised with nh3 and made text by
  inscriptis, which keeps paragraphs, lists, links and tables readable;
- any other part: a file, under its own name or one made up from its type
  ("attachment.mp4", "image.png"). No part vanishes: a mail that is nothing but one PDF,
  picture or S/MIME message is that file, and a file the upload checks refuse is named in
  the mail's record.
"""

import mimetypes
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

import nh3

from helpdesk.mail.inbound.charsets import decode

#: The built-in table only: extensions must not depend on the host's ``/etc/mime.types``.
_TYPES = mimetypes.MimeTypes(filenames=())
_SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class MailAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False  # an image shown in the body (Content-ID), not attached by hand


@dataclass
class Content:
    text: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)


def read(message: EmailMessage) -> Content:
    """The text and the files of ``message``."""
    reader = _Reader()
    reader.visit(message, shown=True)
    texts = [text for text in reader.texts if text]
    return Content("\n\n".join(texts), reader.files)


class _Reader:
    def __init__(self):
        self.texts: list[str] = []
        self.files: list[MailAttachment] = []
        self.made_up: set[str] = set()

    def visit(self, part, shown: bool) -> None:
        """Collect ``part``: its text when it is ``shown``, its files always."""
        kind = part.get_content_type()
        if kind == "message/rfc822":
            self.files.append(_forwarded(part))
        elif part.is_multipart():
            self._multipart(part, shown)
        elif kind in ("text/plain", "text/html") and not _is_attachment(part):
            if shown:
                self.texts.append(_text(part))
        else:
            self.files.append(self._file(part))

    def _multipart(self, part, shown: bool) -> None:
        children = list(part.iter_parts())
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            chosen = _preferred(children)
            for child in children:
                self.visit(child, shown and child is chosen)
        elif subtype == "signed":
            for child in children:
                if child.get_content_type() not in _SIGNATURES:
                    self.visit(child, shown)
        else:  # mixed, related (its first part shows, the rest are files), digest, ...
            for child in children:
                self.visit(child, shown)

    def _file(self, part) -> MailAttachment:
        kind = part.get_content_type()
        inline = kind.startswith("image/") and part.get("Content-ID") is not None
        name = part.get_filename()
        if not name:
            name = self._made_up_name("image" if inline else "attachment", kind)
        return MailAttachment(name, kind, part.get_payload(decode=True) or b"", inline)

    def _made_up_name(self, stem: str, kind: str) -> str:
        """A name from the part's type, numbered when the mail has more of the kind."""
        extension = _TYPES.guess_extension(kind, strict=False) or "." + kind.split("/")[-1]
        name, number = f"{stem}{extension}", 1
        while name in self.made_up:
            number += 1
            name = f"{stem}-{number}{extension}"
        self.made_up.add(name)
        return name


def _is_attachment(part) -> bool:
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None


def _preferred(children: list) -> object | None:
    """The part of a ``multipart/alternative`` to show: plain text that says something, else
    HTML, else the last part that holds either (a related HTML with its images)."""
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and (wanted == "text/html" or _text(child)):
                return child
    return next((child for child in reversed(children) if child.is_multipart()), None)


def _text(part) -> str:
    text = decode(part.get_payload(decode=True) or b"", part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return _normalise(text)


def html_to_text(markup: str) -> str:
    """HTML as readable plain text: sanitised by nh3 first (scripts, styles and the head go
    with their content), then laid out by inscriptis: paragraphs apart, list items bulleted,
    table rows on their lines, links followed by their address."""
    # Imported here: inscriptis and lxml cost a web worker that never reads mail 6 MB.
    from inscriptis import Inscriptis
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig
    from lxml.html import document_fromstring

    markup = _CONTROL_CHARACTERS.sub("", markup)  # lxml refuses them
    clean = nh3.clean(markup, clean_content_tags={"script", "style", "head", "title"}).strip()
    if not clean:
        return ""
    tree = document_fromstring(clean)
    # Outlook wraps every table cell in a paragraph, whose margins would split each row: a
    # cell's paragraphs become words on the row's line.
    for cell in tree.iter("td", "th"):
        for paragraph in list(cell.iter("p")):
            paragraph.tail = " " + (paragraph.tail or "")
            paragraph.drop_tag()
    config = ParserConfig(css=CSS_PROFILES["strict"], display_links=True)
    return Inscriptis(tree, config).get_text()


def _normalise(text: str) -> str:
    """Lines as the timeline shows them; no NUL, which PostgreSQL does not store."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = text.replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _forwarded(part) -> MailAttachment:
    inner = part.get_payload()
    if isinstance(inner, list):
        data, subject = inner[0].as_bytes(), str(inner[0].get("Subject", ""))
    else:
        data, subject = bytes(inner), ""
    name = part.get_filename() or (subject or "forwarded") + ".eml"
    return MailAttachment(name, "message/rfc822", data)
