#!/usr/bin/env python3
"""Time the import of Upphandlingsmyndigheten's national 2021 statistics into an empty database.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_import.py [--corpus DIR] [--batch-size 1000] [--tracemalloc]

Builds a fresh SQLite database in a temporary folder (never the one in var/), migrates it,
and imports the three national files with the same code as
``manage.py import_procurement_statistics``: every procurement of 2021
(number_of_procurements.xlsx, 18,421 rows), the contracted values (contracted_value.xlsx)
and the awarded suppliers (number_of_contracted_tenders_with_suppliers.xlsx). Then it
imports them again, which must create nothing.

Prints rows per second and seconds per file, the resident memory (RSS) at every progress
report, and the peak RSS of the process (``resource.getrusage``). With ``--tracemalloc``
it also prints the peak of Python allocations during the first import (slower: tracing
costs time, so the timings of such a run are not comparable).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "uhm-statistikdatabasen"
FILES = [
    "number_of_procurements.xlsx",
    "contracted_value.xlsx",
    "number_of_contracted_tenders_with_suppliers.xlsx",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder with the workbooks (default {CORPUS})")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (default 1000)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the peak of Python allocations")
    args = parser.parse_args()
    missing = [name for name in FILES if not (args.corpus / name).is_file()]
    if missing:
        parser.error(f"missing in {args.corpus}: {', '.join(missing)}")
    return args


def configure(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir()

    import django

    django.setup()


def rss_mb() -> float:
    """The current resident set size (Linux), else the peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main() -> int:
    args = parse_args()
    paths = [args.corpus / name for name in FILES]
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir)
        import django
        from django.core.management import call_command
        from django.db import connection

        from kravspar.audit.models import AuditEvent
        from kravspar.organisations.models import Organisation
        from kravspar.procurements.models import Procurement
        from kravspar.procurements.statistics import Progress, import_statistics
        from kravspar.suppliers.models import ProcurementSupplier, Supplier

        call_command("migrate", verbosity=0, interactive=False)
        connection.close()
        print("Kravspår import benchmark: Upphandlingsmyndigheten's statistics 2021, all buyers")
        print(
            f"Database: {connection.vendor} (temporary file); Python {platform.python_version()}; "
            f"Django {django.get_version()}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
            f"batch size {args.batch_size}"
        )
        print(f"RSS after setup and migrations: {rss_mb():.0f} MB")
        print()

        def progress(p: Progress) -> None:
            print(f"  {p.path.name}: {p.rows:>6} rows, {p.seconds:5.1f} s, RSS {rss_mb():.0f} MB", flush=True)

        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        reports = import_statistics(paths, batch_size=args.batch_size, progress_every=5000, on_progress=progress)
        total = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        tracemalloc.stop()

        again_started = time.perf_counter()
        again = import_statistics(paths, batch_size=args.batch_size)
        again_total = time.perf_counter() - again_started

        print()
        print(f"{'file':<50} {'rows':>6} {'seconds':>7} {'rows/s':>7} {'written':>8} {'skipped':>7}")
        for report in reports:
            # Procurements created, values filled in, supplier links created.
            written = report.procurements_created + report.values_set + report.links_created
            print(
                f"{report.path.name:<50} {report.rows:>6} {report.seconds:>7.1f} "
                f"{report.rows / report.seconds:>7,.0f} {written:>8} {report.skipped:>7}"
            )
        rows = sum(r.rows for r in reports)
        print()
        print(f"First import: {rows} rows in {total:.1f} s = {rows / total:,.0f} rows/s")
        print(
            f"Second import (idempotent): {again_total:.1f} s = {rows / again_total:,.0f} rows/s; created "
            f"{sum(r.procurements_created + r.values_set + r.links_created + r.suppliers_created for r in again)}"
        )
        print(
            f"Database: {Procurement.objects.count()} procurements, {Organisation.objects.count()} buyers, "
            f"{Supplier.objects.count()} suppliers, {ProcurementSupplier.objects.count()} supplier links, "
            f"{AuditEvent.objects.count()} history events"
        )
        print(f"Peak RSS of the process: {peak_rss_mb():.0f} MB")
        if traced_peak is not None:
            print(f"Peak of Python allocations during the first import (tracemalloc): {traced_peak:.0f} MB")
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
