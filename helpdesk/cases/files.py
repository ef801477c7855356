"""Uploaded files: checked by their content, stored under random names outside ``static/``.

The type is judged from the bytes (magic numbers, or text that decodes), never from the name
or the browser's claim. Files live in ``instance/uploads/`` and are only ever served through
a view that checks who may see the case.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import gettext as _

#: Types accepted for case attachments, by content: screenshots, documents, archives, logs.
ALLOWED_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pkcs7-mime",  # an S/MIME (CMS) message: whoever holds the key can open it
}

#: Names that promise a binary format: text behind such a name is refused as a disguise.
BINARY_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".bmp",
    ".pdf",
    ".zip",
    ".gz",
    ".7z",
    ".docx",
    ".xlsx",
    ".exe",
    ".dll",
}

#: Images a browser may show inline; everything else is always a download.
INLINE_SAFE = {"image/png", "image/jpeg", "image/gif", "image/webp"}

#: A CMS ContentInfo (RFC 5652, what S/MIME sends) is a DER sequence whose first element is
#: one of these object identifiers: PKCS #7 data types (1.2.840.113549.1.7.x) or compressed
#: data (1.2.840.113549.1.9.16.1.9).
_CMS_TYPES = (
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07",
    b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10",
)

_OFFICE_BY_SUFFIX = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadError(ValueError):
    """A file that is refused, with the reason in the user's language."""


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def upload_folder() -> Path:
    folder = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sniff(data: bytes, filename: str) -> str | None:
    """The content type the bytes prove, or None when they prove nothing we accept."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip":
            # Office files are zip archives; the name decides only between zip variants.
            mime = _OFFICE_BY_SUFFIX.get(Path(filename).suffix.lower(), mime)
        return mime if mime in ALLOWED_TYPES else None
    if _is_cms(data):
        return "application/pkcs7-mime"
    if b"\x00" in data[:8192]:
        return None
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:65536].decode("cp1252")
        except UnicodeDecodeError:
            return None
    return "text/plain"


def _is_cms(data: bytes) -> bool:
    """Whether ``data`` starts like a CMS message: a sequence (its length in DER or BER
    form), then a content type identifier of ``_CMS_TYPES``."""
    if data[:1] != b"\x30" or len(data) < 2:
        return False
    length = data[1]
    start = 2 + (length - 0x80 if 0x80 < length <= 0x84 else 0)
    return data[start:].startswith(_CMS_TYPES)


def clean_filename(filename: str) -> str:
    """A display name without path parts or control characters."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name.strip(" .")[:200] or "file"


def store(filename: str, data: bytes) -> StoredFile:
    """Check ``data`` and keep it; raise ``UploadError`` with the reason when refused."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name = clean_filename(filename)
    if not data:
        raise UploadError(_("%(name)s is empty.", name=name))
    if len(data) > limit:
        raise UploadError(
            _("%(name)s is larger than %(limit)s MB.", name=name, limit=limit // (1024 * 1024))
        )
    content_type = sniff(data, name)
    if content_type == "text/plain" and Path(name).suffix.lower() in BINARY_SUFFIXES:
        raise UploadError(
            _("%(name)s does not contain what its name says; please check the file.", name=name)
        )
    if content_type is None:
        raise UploadError(
            _(
                "%(name)s is not a file type we accept (images, PDF, text, logs, archives, "
                "Word and Excel documents).",
                name=name,
            )
        )
    stored_name = secrets.token_hex(20)
    path = upload_folder() / stored_name[:2] / stored_name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return StoredFile(name, stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


def path_of(stored_name: str) -> Path:
    return upload_folder() / stored_name[:2] / stored_name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
