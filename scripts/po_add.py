#!/usr/bin/env python3
"""Add Swedish translations to one catalogue without running makemessages, safely while
others do the same (an exclusive lock around read, append and compile).

    python scripts/po_add.py CATALOGUE < entries.json

CATALOGUE is ``locale`` (the project's: templates/ and apps without their own) or
``kravspar/<app>/locale``. entries.json is a list of objects with ``msgid`` and
``msgstr``, optionally ``msgctxt``, or ``msgid_plural`` with ``msgstr_plural`` (a list).
An entry whose msgid (and context) is already in the catalogue is skipped and named.
`make messages` later puts the catalogue in makemessages' order; translations are kept.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def key_in(po: str, entry: dict) -> bool:
    needle = f"msgid {quote(entry['msgid'])}\n"
    if "msgctxt" in entry:
        needle = f"msgctxt {quote(entry['msgctxt'])}\n" + needle
    return needle in po


def render(entry: dict) -> str:
    out = []
    if "msgctxt" in entry:
        out.append(f"msgctxt {quote(entry['msgctxt'])}")
    out.append(f"msgid {quote(entry['msgid'])}")
    if "msgid_plural" in entry:
        out.append(f"msgid_plural {quote(entry['msgid_plural'])}")
        out += [f"msgstr[{i}] {quote(s)}" for i, s in enumerate(entry["msgstr_plural"])]
    else:
        out.append(f"msgstr {quote(entry['msgstr'])}")
    return "\n".join(out) + "\n"


def main() -> int:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    po_path = ROOT / sys.argv[1] / "sv" / "LC_MESSAGES" / "django.po"
    entries = json.load(sys.stdin)
    with open(ROOT / ".po-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        po = po_path.read_text(encoding="utf-8") if po_path.exists() else ""
        if not po:
            po_path.parent.mkdir(parents=True, exist_ok=True)
            po = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: sv\\n"\n'
            po += '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        added = []
        for entry in entries:
            if key_in(po, entry):
                print(f"already there: {entry['msgid']!r}")
                continue
            po += "\n" + render(entry)
            added.append(entry["msgid"])
        po_path.write_text(po, encoding="utf-8")
        subprocess.run(["msgfmt", "--check-format", "-o", str(po_path.with_suffix(".mo")), str(po_path)], check=True)
    print(f"added {len(added)} to {po_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
