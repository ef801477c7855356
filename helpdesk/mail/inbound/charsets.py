"""Text in the charsets mail programs really send, in bodies and in headers.

A charset label is read the way the WHATWG Encoding Standard reads it (what browsers do, and
what mail programs copy): a legacy label stands for the superset its senders really used, so
ISO-8859-1 and US-ASCII are Windows-1252, GB2312 and GBK are GB18030, EUC-KR is Windows-949,
Shift_JIS is Windows-31J. When the declared charset does not decode, UTF-8 and then
Windows-1252 are tried; decoding never fails.

Headers get the same fallback before the email package parses them (``POLICY``): raw 8-bit
bytes (against the RFC, common), encoded words (RFC 2047) and file name parameters (RFC 2231)
whose declared charset is wrong. The email package itself would decode those with the
declared charset only and put U+FFFD where it fails. A repaired encoded word or parameter is
written back encoded, as UTF-8, so the header keeps its structure (a display name stays a
display name). NUL characters go wherever they came from: PostgreSQL stores none, and a
mail that cannot be stored cannot even be recorded as failed.
"""

import base64
import binascii
import quopri
import re
from email.headerregistry import BaseHeader, UnstructuredHeader
from email.policy import EmailPolicy
from urllib.parse import quote, unquote_to_bytes

#: Labels mail programs declare for text that is really in a superset of the named charset.
SUPERSETS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}

_RAW_BYTES = re.compile("[\udc80-\udcff]+")
#: A run of encoded words, separated by nothing but white space (which RFC 2047 drops).
_ENCODED_WORD = r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?="
_ENCODED_RUN = re.compile(rf"{_ENCODED_WORD}(?:\s+{_ENCODED_WORD})*")
_ENCODED_PARTS = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
#: One segment of an RFC 2231 parameter: ``name*=``, ``name*0*=`` (encoded) or ``name*1=``.
_EXTENDED_PARAM = re.compile(
    r";\s*(?P<name>[\w!#$&+.^`|~-]+)\*(?:(?P<index>\d+)(?P<encoded>\*)?)?="
    r'(?P<value>"[^"]*"|[^;\s]*)'
)
_PARAMETER_HEADERS = {"content-type", "content-disposition"}


def decode(data: bytes, charset: str | None) -> str:
    """``data`` as text by the declared ``charset`` (read as its superset), trying UTF-8 and
    Windows-1252 when the declaration is missing, unknown or wrong; never fails."""
    label = (charset or "").strip().strip('"').lower()
    for candidate in filter(None, (SUPERSETS.get(label, label), "utf-8", "cp1252")):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def repair_header(name: str, value: str) -> str:
    """A raw header value with every part the email package would decode wrongly decoded
    here: raw 8-bit bytes as text, wrongly labelled encoded words and parameters re-encoded
    as UTF-8; without NUL characters."""
    value = value.replace("\x00", "")
    value = _RAW_BYTES.sub(
        lambda run: decode(run.group().encode("ascii", "surrogateescape"), None), value
    )
    if "=?" in value:
        value = _ENCODED_RUN.sub(_repaired_words, value)
    if name.lower() in _PARAMETER_HEADERS and "*" in value:
        value = _repaired_parameters(value)
    return value


def _repaired_words(run: re.Match) -> str:
    """A run of encoded words as one UTF-8 word. Their bytes are joined per charset before
    decoding: some programs cut a word in the middle of a character."""
    pieces: list[tuple[str, bytes]] = []
    for charset, encoding, payload in _ENCODED_PARTS.findall(run.group()):
        try:
            data = _word_bytes(encoding, payload)
        except (binascii.Error, ValueError):
            return run.group()  # not ours to guess: the email package reports the defect
        if pieces and pieces[-1][0] == charset.lower():
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + data)
        else:
            pieces.append((charset.lower(), data))
    text = "".join(decode(data, charset) for charset, data in pieces).replace("\x00", "")
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        return base64.b64decode(payload + "=" * (-len(payload) % 4))
    return quopri.decodestring(payload.encode("ascii"), header=True)


def _repaired_parameters(value: str) -> str:
    """Every RFC 2231 parameter of a Content-Type or Content-Disposition value, its
    continuations joined and decoded here, as one ``name*=utf-8''...`` parameter."""
    segments: dict[str, list[re.Match]] = {}
    for match in _EXTENDED_PARAM.finditer(value):
        segments.setdefault(match["name"].lower(), []).append(match)
    edits = []  # (start, end, replacement), applied from the end so positions hold
    for matches in segments.values():
        if not any(m["encoded"] or m["index"] is None for m in matches):
            continue  # plain continuations: no charset, nothing to repair
        ordered = sorted(matches, key=lambda m: int(m["index"] or 0))
        charset, data = None, b""
        for match in ordered:
            raw = match["value"].strip('"')
            if match["encoded"] or match["index"] is None:
                if match is ordered[0] and raw.count("'") >= 2:
                    charset, _language, raw = raw.split("'", 2)
                data += unquote_to_bytes(raw)
            else:
                data += raw.encode()
        text = decode(data, charset).replace("\x00", "")
        encoded = quote(text.encode(), safe="!#$&+-.^_`|~")
        edits.append(
            (matches[0].start(), matches[0].end(), f"; {matches[0]['name']}*=utf-8''{encoded}")
        )
        edits += [(m.start(), m.end(), "") for m in matches[1:]]
    for start, end, replacement in sorted(edits, reverse=True):
        value = value[:start] + replacement + value[end:]
    return value


#: A header read as plain text, built the way the header registry builds its classes.
_PlainHeader = type("_PlainHeader", (UnstructuredHeader, BaseHeader), {})


class TolerantPolicy(EmailPolicy):
    """``email.policy.default``, with every header repaired (``repair_header``) before it is
    parsed, and read as plain text where the email package's parser raises on it (it does
    on some broken address lists and Message-IDs: IndexError, AttributeError)."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):  # parsed already
            return value
        value = repair_header(name, value)
        try:
            return super().header_fetch_parse(name, value)
        except Exception:
            return _PlainHeader(name, "".join(value.splitlines()))


POLICY = TolerantPolicy()
