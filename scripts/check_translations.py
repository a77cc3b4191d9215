#!/usr/bin/env python3
"""Fail when the Swedish catalogue is incomplete or its compiled .mo is stale.

Swedish is the default language of the UI, so every string the code marks for
translation must have a Swedish translation. `make messages` updates the catalogue.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def main() -> int:
    if not PO.exists() or not MO.exists():
        print(f"missing {PO} or {MO}: run `make messages`")
        return 1
    problems: list[str] = []
    # Extract afresh into a scratch copy and compare: a string added to the code
    # but not to the catalogue fails here.
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "locale" / "sv" / "LC_MESSAGES"
        scratch.mkdir(parents=True)
        shutil.copy(PO, scratch / "django.po")
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "sv",
                "--no-location",
                "--no-obsolete",
                "-i",
                ".venv/*",
                "-i",
                "var/*",
                "-i",
                "locale/*",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**__import__("os").environ, "KRAVSPAR_LOCALE_DIR": str(Path(tmp) / "locale")},
        )
        fresh = (scratch / "django.po").read_text(encoding="utf-8")
    entries = parse_po(fresh)
    for msgid, (msgstr, fuzzy) in entries.items():
        if not msgid:
            continue
        if fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not any(msgstr):
            problems.append(f"untranslated: {msgid!r}")
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for msgid, (msgstr, fuzzy) in parse_po(PO.read_text(encoding="utf-8")).items():
        if msgid and not fuzzy and msgstr[0] and "\x00" not in msgid and catalog.gettext(msgid) != msgstr[0]:
            problems.append(f"stale .mo (run make messages): {msgid!r}")
    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s) in {PO.relative_to(ROOT)}; run `make messages` and translate.")
        return 1
    print(f"Swedish catalogue complete: {len(entries) - 1} strings.")
    return 0


def _unquote(line: str) -> str:
    return line.strip()[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def parse_po(text: str) -> dict[str, tuple[list[str], bool]]:
    """A small .po reader: msgid (with context and plural joined as gettext does) to
    its translations and whether it is fuzzy."""
    entries: dict[str, tuple[list[str], bool]] = {}
    for block in text.split("\n\n"):
        fuzzy = False
        ctx = msgid = plural = None
        strs: dict[int, str] = {}
        current: tuple[str, int] | None = None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith("msgctxt "):
                ctx, current = _unquote(line[8:]), ("ctx", 0)
            elif line.startswith("msgid_plural "):
                plural, current = _unquote(line[13:]), ("plural", 0)
            elif line.startswith("msgid "):
                msgid, current = _unquote(line[6:]), ("id", 0)
            elif line.startswith("msgstr["):
                idx = int(line[7 : line.index("]")])
                strs[idx], current = _unquote(line[line.index("]") + 2 :]), ("str", idx)
            elif line.startswith("msgstr "):
                strs[0], current = _unquote(line[7:]), ("str", 0)
            elif line.startswith('"') and current:
                kind, idx = current
                value = _unquote(line)
                if kind == "ctx":
                    ctx = (ctx or "") + value
                elif kind == "id":
                    msgid = (msgid or "") + value
                elif kind == "plural":
                    plural = (plural or "") + value
                else:
                    strs[idx] += value
        if msgid is None:
            continue
        key = (f"{ctx}\x04" if ctx else "") + msgid
        entries[key] = ([strs[i] for i in sorted(strs)], fuzzy)
    return entries


if __name__ == "__main__":
    sys.exit(main())
