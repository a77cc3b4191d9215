#!/usr/bin/env python3
"""Fail when the Swedish catalogue is incomplete or its compiled .mo is stale.

Swedish is the default language of the UI, so every string the code marks for
translation must have a Swedish translation. `make messages` updates the catalogue.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's catalogue, plus one per app that keeps its own (kravspar/<app>/locale/),
# so that apps built side by side never edit the same file.
CATALOGUES = ["locale", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kravspar").glob("*/locale"))]
PO_NAME = Path("sv") / "LC_MESSAGES" / "django.po"


def main() -> int:
    problems: list[str] = []
    total = 0
    for catalogue in CATALOGUES:
        po = ROOT / catalogue / PO_NAME
        if not po.exists() or not po.with_suffix(".mo").exists():
            problems.append(f"missing {po.relative_to(ROOT)} or its .mo: run `make messages`")
    if problems:
        print("\n".join(problems))
        return 1
    # Extract afresh in a scratch copy of the sources and compare: a string added to the
    # code but not to a catalogue fails here, and the working tree is never touched.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        copy.mkdir()
        shutil.copy(ROOT / "manage.py", copy / "manage.py")
        ignore = shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
        for name in ("kravspar", "templates", "locale"):
            shutil.copytree(ROOT / name, copy / name, ignore=ignore)
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location", "--no-obsolete"],
            cwd=copy,
            check=True,
            capture_output=True,
            env={**os.environ, "KRAVSPAR_LOCALE_DIR": str(copy / "locale")},
        )
        for catalogue in CATALOGUES:
            fresh = parse_po((copy / catalogue / PO_NAME).read_text(encoding="utf-8"))
            total += len(fresh) - 1
            for msgid, (msgstr, fuzzy) in fresh.items():
                if not msgid:
                    continue
                if fuzzy:
                    problems.append(f"{catalogue}: fuzzy: {msgid!r}")
                elif not any(msgstr):
                    problems.append(f"{catalogue}: untranslated: {msgid!r}")
    for catalogue in CATALOGUES:
        po = ROOT / catalogue / PO_NAME
        with po.with_suffix(".mo").open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        for msgid, (msgstr, fuzzy) in parse_po(po.read_text(encoding="utf-8")).items():
            if (
                msgid
                and not fuzzy
                and msgstr
                and msgstr[0]
                and "\x00" not in msgid
                and compiled.gettext(msgid) != msgstr[0]
            ):
                problems.append(f"{catalogue}: stale .mo (run make messages): {msgid!r}")
    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s); run `make messages` and translate.")
        return 1
    print(f"Swedish catalogue complete: {total} strings in {len(CATALOGUES)} catalogues.")
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
