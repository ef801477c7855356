"""Fills German translations into the catalog from a JSON file of {msgid: msgstr}.

Usage: ``.venv/bin/python scripts/translate.py translations.json``; prints what is still
missing afterwards. Used after ``make extract-messages``.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "helpdesk/translations/de/LC_MESSAGES/messages.po"


def main() -> int:
    given = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if message.id and message.id in given:
            message.string = given[message.id]
            message.flags.discard("fuzzy")
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    for msgid in missing:
        print("missing:", json.dumps(msgid, ensure_ascii=False))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
