"""The new part of a reply: quoted history and the signature cut off for display.

The timeline shows what the sender wrote this time; the whole mail is kept with the inbound
message for agents. A mail that is nothing but quotes keeps its text (better too much than an
empty entry), and a forwarded mail keeps its history, since that is what is being forwarded.
"""

import re

#: Lines where the quoted history starts, as Outlook, Gmail, Apple Mail and Thunderbird write
#: them in English and German.
_HISTORY_STARTS = [
    re.compile(r"^-{2,}\s*(original message|ursprüngliche nachricht)\s*-{2,}\s*$", re.I),
    re.compile(r"^(on|am) .{4,200}(wrote|schrieb)( .{0,80})?:\s*$", re.I),
    re.compile(r"^.{4,200} (wrote|schrieb|schrieb am .{4,80}):\s*$", re.I),
    re.compile(r"^_{20,}\s*$"),  # Outlook's rule above its "From: ... Sent: ..." block
]
_WRAPPED = re.compile(r"^(on|am) .{4,300}\b(wrote|schrieb)\b.{0,120}:\s*$", re.I)
#: Outlook's history header: a From line followed within three lines by Sent/Date.
_FROM_LINE = re.compile(r"^\*?(from|von):\*?\s", re.I)
_SENT_LINE = re.compile(r"^\*?(sent|date|gesendet|datum):\*?\s", re.I)
_SIGNATURE = re.compile(r"^-- ?$")
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|wg|wtrlt|weitergeleitet)\s*:", re.I)


def trim(text: str, subject: str = "") -> str:
    """``text`` without the quoted history and the signature; unchanged for forwards."""
    if _FORWARD_SUBJECT.match(subject or ""):
        return text
    lines = text.split("\n")
    end = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        # Gmail wraps a long "On ..., Name <address> wrote:" onto two lines.
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < end else stripped
        starts = any(p.match(stripped) for p in _HISTORY_STARTS) or _WRAPPED.match(joined)
        if _SIGNATURE.match(line) or starts:
            end = index
            break
        if _FROM_LINE.match(stripped) and any(
            _SENT_LINE.match(following.strip()) for following in lines[index + 1 : index + 4]
        ):
            end = index
            break
    kept = [line for line in lines[:end] if not line.startswith(">")]
    result = "\n".join(kept).strip()
    return result or text.strip()
