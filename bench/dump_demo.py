#!/usr/bin/env python3
"""Dump a seeded database canonically, to prove that two seedings made the same data.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/dump_demo.py /tmp/seeded.sqlite3 > /tmp/seeded.txt
    diff /tmp/before.txt /tmp/after.txt

Per model (every installed model, the many-to-many tables included): a line with its row
count, then one line per row with the values of its concrete fields, sorted. Left out, since
they differ between two seedings of the same data: the row's own id, creation and change
times (each date-time is cut to its date, which the demo's clock fixes with ``--today``),
UUIDs (where another row names one, as the history's ``object_id`` does, it becomes "model#id")
and the fields listed in ``VOLATILE`` (salted password hashes, random tokens). Foreign
keys and the history's ``object_id`` are kept as ids: ids follow the order of creation, so a
seeding that creates the same rows in another order shows here too.
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# (model label, field name) of values that are random on every seeding.
VOLATILE = {
    ("accounts.User", "password"),
    ("accounts.User", "last_login"),
}
RANDOM_NAMES = ("token", "secret", "nonce", "salt")


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The time of day in a text (a history value, a batch's label): when it ran, not what it made.
CLOCK = re.compile(r"(?<=\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
TEMPORARY = re.compile(re.escape(tempfile.gettempdir()) + r"/[\w.-]+")
# Random file names (uuid4().hex) and digests of files that carry the time they were written
# (a PDF's creation date), e.g. a stored invoice's "invoices/2026/12/<hex>.xml" and its sha256.
DIGEST = re.compile(r"\b[0-9a-f]{32}(?:[0-9a-f]{32})?\b")
# Every row's UUID as "model#id": the history names objects by their UUID.
NAMES: dict[str, str] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        value = UUID_TEXT.sub(lambda m: NAMES.get(m.group(0), "<uuid>"), value)
        value = TEMPORARY.sub("<tmp>", value)
        value = DIGEST.sub("<hex>", value)
        return CLOCK.sub("", value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, uuid.UUID):
        return NAMES.get(str(value), "<uuid>")
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def dump(out: Any) -> None:
    from django.apps import apps
    from django.db import models

    everything = sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label)
    for model in everything:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.UUIDField) and field.unique:
                for pk, value in model._base_manager.values_list("pk", field.attname):
                    NAMES[str(value)] = f"{model._meta.label}#{pk}"
    for model in everything:
        label = model._meta.label
        names = []
        for field in model._meta.concrete_fields:
            if field.primary_key or isinstance(field, models.UUIDField):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            if (label, field.name) in VOLATILE or any(word in field.name for word in RANDOM_NAMES):
                continue
            names.append(field.attname)
        rows = sorted(
            json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False, default=str)
            for row in model._base_manager.values_list(*names)
        )
        out.write(f"== {label} {len(rows)} rows ({', '.join(names)})\n")
        for row in rows:
            out.write(f"{label} {row}\n")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(sys.argv[1]).resolve()}"
    import django

    django.setup()
    dump(sys.stdout)


if __name__ == "__main__":
    main()
