#!/usr/bin/env python3
"""What the demo's year of invoices (``spend.demo_invoices``) adds to ``seed_demo``.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_demo_invoices.py

Builds a fresh temporary SQLite database, runs ``seed_demo`` with the year's invoices left
out, then seeds them alone (price-list articles, UBL written to a temporary folder, imported
through ``invoices.services.import_paths``, the grouped import of ``manage.py
import_invoices``, and matched). Prints the CPU time (``time.process_time``: the machine is
shared, and CPU time is what a busy machine distorts least) and the wall-clock time of both,
and how many invoices were imported.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    var_dir = tempfile.mkdtemp(prefix="kravspar-bench-demo-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from kravspar.spend import demo_invoices

    call_command("migrate", verbosity=0, interactive=False)
    seed_year_invoices = demo_invoices.seed
    demo_invoices.seed = lambda **kwargs: 0  # type: ignore[assignment]
    cpu, wall = time.process_time(), time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    rest = (time.process_time() - cpu, time.perf_counter() - wall)
    demo_invoices.seed = seed_year_invoices  # type: ignore[assignment]
    cpu, wall = time.process_time(), time.perf_counter()
    imported = demo_invoices.seed(today=timezone.localdate())
    year = (time.process_time() - cpu, time.perf_counter() - wall)
    print(f"seed_demo without the year's invoices: {rest[0]:.1f} s CPU, {rest[1]:.1f} s wall")
    print(f"the year's invoices ({imported} invoices): {year[0]:.1f} s CPU, {year[1]:.1f} s wall")


if __name__ == "__main__":
    main()
