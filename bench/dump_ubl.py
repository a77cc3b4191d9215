#!/usr/bin/env python3
"""Dump what the Peppol reader makes of many inputs, to compare two versions of it.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/dump_ubl.py OUT.jsonl [--mutations 20000] [--seed 1]
    diff <(before) <(after)

One JSON line per input: the parsed document (every field, every line, every warning) or
the refusal (code, message, details). The inputs are every ``*.xml`` of the repository's
invoice corpus and of ``../shared/corpus/peppol``, 200 generated invoices and credit notes
(``kravspar.invoices.generate``), and ``--mutations`` inputs made from those by the fuzzer's
XML and byte mutations (``kravspar.testing.fuzzing``) with a fixed seed. A change to the
reader that is meant to be a pure speed-up must leave the dump byte for byte the same.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import os
import random
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"D:{value}"  # Decimal("1.0") and Decimal("1.00") differ in what is stored
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mutations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ.setdefault("KRAVSPAR_VAR_DIR", tempfile.mkdtemp(prefix="kravspar-dump-ubl-"))
    Path(os.environ["KRAVSPAR_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from kravspar.invoices.generate import random_specs, render
    from kravspar.invoices.ubl import InvoiceRejected, parse
    from kravspar.testing.fuzzing import find_shared_corpus, mutate_xml

    inputs: list[tuple[str, bytes]] = []
    shared = find_shared_corpus()
    if shared is None:
        sys.exit("../shared/corpus not found (set KRAVSPAR_SHARED_CORPUS)")
    for folder in (ROOT / "kravspar" / "invoices" / "tests" / "corpus", shared / "peppol"):
        for path in sorted(folder.rglob("*.xml")):
            inputs.append((str(path.relative_to(folder.parent)), path.read_bytes()))
    for i, spec in enumerate(random_specs(200, 7, seed=3)):
        if i % 5 == 0:
            spec = dataclasses.replace(spec, credit_note=True)
        inputs.append((f"generated/{spec.number}", render(spec)))
    seeds = [data for _name, data in inputs if len(data) < 300_000]
    rnd = random.Random(args.seed)  # reproducible test inputs
    for i in range(args.mutations):
        inputs.append((f"mutation/{i}", mutate_xml(rnd, rnd.choice(seeds))))

    counts = {"ok": 0, "refused": 0, "crash": 0}
    with args.out.open("w", encoding="utf-8") as out:
        for name, data in inputs:
            try:
                result: Any = {"ok": _plain(parse(data, name))}
                counts["ok"] += 1
            except InvoiceRejected as exc:
                result = {"refused": [str(exc.code), exc.message, _plain(exc.details)]}
                counts["refused"] += 1
            except Exception as exc:  # recorded, compared like the rest
                result = {"crash": repr(exc)}
                counts["crash"] += 1
            out.write(json.dumps({"input": name, **result}, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(inputs)} inputs: {counts}")


if __name__ == "__main__":
    main()
