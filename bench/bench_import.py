#!/usr/bin/env python3
"""Time ``manage.py import_procurement_statistics`` on Upphandlingsmyndigheten's national 2021
statistics against the openpyxl read-only floor of the same files, in the same run.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_import.py [--corpus DIR] [--use-database-url]

Builds a fresh database (a temporary SQLite file; with ``--use-database-url`` the database
in DATABASE_URL, which must be a throw-away one, e.g. under ``scripts/with_postgres.py``),
migrates it, and:

(a) the floor: ``bench/floor_openpyxl.py`` reads every row of the three files with openpyxl
    in read-only mode;
(b) the operator's command, ``call_command("import_procurement_statistics", *files)``: every
    procurement of 2021 (number_of_procurements.xlsx, 18,421 rows), the contracted values
    and the awarded suppliers;
(c) the command again, which must create nothing.

Prints wall-clock and CPU time (``time.process_time``: the machine is shared; on PostgreSQL
CPU time leaves out the server's work) with the ratio of (b) to (a), the command's report
line comparing the procurements imported with Upphandlingsmyndigheten's published count, and
the rows flagged with a data-quality problem.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_openpyxl import read_floor  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "uhm-statistikdatabasen"
FILES = [
    "number_of_procurements.xlsx",
    "contracted_value.xlsx",
    "number_of_contracted_tenders_with_suppliers.xlsx",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder with the workbooks (default {CORPUS})")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="write to DATABASE_URL instead of a temporary SQLite file (throw-away databases only)",
    )
    args = parser.parse_args()
    missing = [name for name in FILES if not (args.corpus / name).is_file()]
    if missing:
        parser.error(f"missing in {args.corpus}: {', '.join(missing)}")
    return args


def configure(var_dir: str, use_database_url: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    if not use_database_url:
        os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir()

    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def command(paths: list[Path]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of the operator's command, in English."""
    from django.core.management import call_command
    from django.utils import translation

    out = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    with translation.override("en"):
        call_command("import_procurement_statistics", *map(str, paths), "--progress-every", "0", stdout=out)
    return time.perf_counter() - started, time.process_time() - cpu, out.getvalue()


def main() -> int:
    args = parse_args()
    paths = [args.corpus / name for name in FILES]
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir, args.use_database_url)
        import django
        from django.core.management import call_command
        from django.db import connection

        from kravspar.audit.models import AuditEvent
        from kravspar.procurements.models import Procurement
        from kravspar.procurements.statistics import SOURCE

        call_command("migrate", verbosity=0, interactive=False)
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, database {connection.vendor}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        rows, floor_wall, floor_cpu = read_floor(paths)
        print(f"(a) floor, openpyxl read-only: {rows:,} rows in {floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU")
        wall, cpu, out = command(paths)
        print(f"(b) manage.py import_procurement_statistics: {wall:.2f} s wall, {cpu:.2f} s CPU")
        print(f"ratio to the floor: {wall / floor_wall:.1f}x wall, {cpu / floor_cpu:.1f}x CPU")
        for line in out.splitlines():
            if not line.startswith("  row "):
                print(f"    {line.strip()}")
        print(
            f"    database: {Procurement.objects.filter(source=SOURCE).count():,} procurements from the statistics, "
            f"{Procurement.objects.exclude(data_quality='').count():,} of them flagged; "
            f"{AuditEvent.objects.count():,} history events"
        )
        before = Procurement.objects.count()
        wall, cpu, _out = command(paths)
        print(f"(c) again (must create nothing): {wall:.2f} s wall, {cpu:.2f} s CPU")
        assert Procurement.objects.count() == before, "a second run must create nothing"
        print(f"peak RSS: {peak_rss_mb():.0f} MB; load average at the end: {os.getloadavg()[0]:.1f}")
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
