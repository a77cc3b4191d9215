#!/usr/bin/env python3
"""The writing half of the invoice import alone: documents, lines, warnings, originals and
the batch's counters, without reading and without matching.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_invoice_store.py [--invoices 1000] [--lines-per-invoice 10]
        [--use-database-url] [--profile]

Migrates a throw-away database (a temporary SQLite file, or with ``--use-database-url`` the
one in DATABASE_URL, e.g. under ``scripts/with_postgres.py``), generates ``--invoices``
invoices (``kravspar.invoices.generate``), parses them all first (not timed), then stores
them the way ``import_paths`` does, a group of ``GROUP_SIZE`` per transaction
(``store_documents(..., bulk_signal=True)`` and ``BatchRecorder.add``), with the receivers
of ``invoices_stored`` (the matcher) disconnected. Prints the CPU time (``process_time``;
on PostgreSQL without the server's work) and wall-clock time of the storing, and with
``--profile`` its top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    parser.add_argument("--use-database-url", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="the profile's order (pstats key, e.g. cumulative)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kravspar-bench-store-"))
    try:
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
        os.environ["KRAVSPAR_VAR_DIR"] = str(tmp / "var")
        if not args.use_database_url:
            os.environ.pop("DATABASE_URL", None)
        Path(tmp, "var", "static").mkdir(parents=True)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from kravspar.invoices import services, signals
        from kravspar.invoices.generate import BUYERS, random_specs, render
        from kravspar.invoices.models import BatchSource, InvoiceLine
        from kravspar.invoices.ubl import parse
        from kravspar.organisations.models import Organisation

        call_command("migrate", verbosity=0, interactive=False)
        for p in BUYERS:
            Organisation.objects.create(name=p.name, org_number=p.org_number, peppol_value=p.org_number)
        specs = random_specs(args.invoices, args.lines_per_invoice)
        docs = [parse(render(spec), f"{spec.number}.xml") for spec in specs]
        signals.invoices_stored.receivers = []  # writing only: no matching
        signals.invoices_stored.sender_receivers_cache.clear()

        batch = services.start_batch(source=BatchSource.COMMAND, label="bench")
        recorder = services.BatchRecorder(batch)
        resolver = services.Resolver()
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        for start in range(0, len(docs), services.GROUP_SIZE):
            with transaction.atomic():
                outcomes = services.store_documents(
                    docs[start : start + services.GROUP_SIZE],
                    batch=batch,
                    resolver=resolver,
                    bulk_signal=True,
                    run={},
                    written=[],
                )
                recorder.add(outcomes)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        lines = InvoiceLine.objects.count()
        assert batch.imported_count == args.invoices, batch.imported_count
        print(
            f"{connection.vendor}: stored {batch.imported_count:,} invoices, {lines:,} lines in {cpu:.3f} s CPU "
            f"({lines / cpu:,.0f} lines/s), {wall:.3f} s wall; load average {os.getloadavg()[0]:.1f}"
        )
        if profiler is not None:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(40)
            print(out.getvalue())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
