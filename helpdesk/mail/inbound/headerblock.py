"""A mail's header block as its writer meant it, where the writer broke the format.

The email package stops reading headers at the first line that is neither a field nor an
indented continuation, and takes the rest for the body: a fold without indentation (some
gateways unfold and refold badly) or a junk first line (Outlook's "Microsoft Mail Internet
Headers Version 2.0" when a header block was copied) lose every field below it, From and
Subject among them. ``repair`` reads such a line as what it is: a continuation of the field
above it, or junk before the first field (dropped: the mail is kept as it came anyway).
Only lines with fields below them are touched; a body that starts without the blank line is
left to the email package, which reads it as body already.
"""

import re

_FIELD = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
_BLOCK_END = re.compile(rb"\r?\n\r?\n")


def repair(raw: bytes) -> bytes:
    """``raw`` with a header block the email package reads to its end; unchanged when
    nothing was broken."""
    end = _BLOCK_END.search(raw)
    head, rest = (raw[: end.start()], raw[end.start() :]) if end else (raw, b"")
    lines = head.splitlines(keepends=True)
    fields = [index for index, line in enumerate(lines) if _FIELD.match(line)]
    if not fields:
        return raw
    repaired, changed = [], False
    for index, line in enumerate(lines):
        readable = _FIELD.match(line) or line[:1] in (b" ", b"\t")
        mbox_line = index == 0 and line.startswith(b"From ")  # the parser knows this one
        if readable or mbox_line or index > fields[-1]:
            repaired.append(line)
        elif repaired and not (len(repaired) == 1 and repaired[0].startswith(b"From ")):
            repaired.append(b" " + line)  # a fold without indentation
            changed = True
        else:
            changed = True  # junk before the first field
    return b"".join(repaired) + rest if changed else raw
