#!/usr/bin/env python3
"""Time ``manage.py generate_plans`` over many contracts against the executemany floor of
the same rows, measured in the same run.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_plans.py [--contracts 10000] [--use-database-url] [--profile]

Builds a fresh database (a temporary SQLite file; with ``--use-database-url`` the database
in DATABASE_URL, which must be a throw-away one, e.g. under ``scripts/with_postgres.py``),
bulk-inserts ``--contracts`` four-year contracts in force, each with three contract
requirements (one followed up every 6 months, one at the start, one at 12 and 24 months:
11 activities per contract), then:

(b) runs the operator's command, ``call_command("generate_plans")`` (contracts streamed,
    planned in chunks of 500 per transaction, one history event per contract);
(a) the floor: ``bench/floor_executemany.py`` re-inserts the activities the command wrote,
    the same rows into the same table with the same indexes, with one ``executemany``;
(c) runs the command again, which must change nothing.

Prints wall-clock and CPU time (``time.process_time``: the machine is shared; on PostgreSQL
CPU time leaves out the server's work, which wall-clock time includes) and the ratio of (b)
to (a) in each, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
BATCH = 5000

from floor_executemany import reinsert_floor  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts to create (default 10,000)")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="write to DATABASE_URL instead of a temporary SQLite file (throw-away databases only)",
    )
    parser.add_argument("--profile", action="store_true", help="print the command's top functions (cProfile)")
    args = parser.parse_args()
    if args.contracts < 1:
        parser.error("--contracts must be at least 1")
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


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n: int) -> None:
    from django.core.management import call_command

    from kravspar.contracts.models import Contract, ContractRequirement
    from kravspar.organisations.models import Organisation, OrganisationKind, Unit

    call_command("migrate", verbosity=0, interactive=False)
    region = Organisation.objects.create(
        kind=OrganisationKind.REGION, name="Region Bänk", org_number="2321000172", peppol_value="2321000172"
    )
    unit = Unit.objects.create(organisation=region, name="Ortopedkliniken")
    start = datetime.date(2026, 1, 1)
    through = Contract.buyers.through
    for first in range(0, n, BATCH):
        contracts = Contract.objects.bulk_create(
            Contract(
                contract_number=f"BENCH-{i:07d}",
                title=f"Bänkavtal {i}",
                signed_on=start - datetime.timedelta(days=14),
                starts_on=start + datetime.timedelta(days=i % 365),
                ends_on=start + datetime.timedelta(days=i % 365 + 4 * 365 - 1),
            )
            for i in range(first, min(n, first + BATCH))
        )
        through.objects.bulk_create(through(contract_id=c.pk, organisation_id=region.pk) for c in contracts)
        ContractRequirement.objects.bulk_create(
            req
            for c in contracts
            for req in (
                ContractRequirement(
                    contract_id=c.pk,
                    position=0,
                    type="quality",
                    text="Kvalitet",
                    title="Kvalitet",
                    methods=["spot_check", "survey"],
                    timing="recurring",
                    interval_months=6,
                    responsible="ordering_unit",
                    responsible_unit=unit,
                ),
                ContractRequirement(
                    contract_id=c.pk,
                    position=1,
                    type="labour",
                    text="Arbetsrättsliga villkor",
                    title="Arbetsrättsliga villkor",
                    methods=["document_review"],
                    timing="at_start",
                    responsible="purchasing",
                ),
                ContractRequirement(
                    contract_id=c.pk,
                    position=2,
                    type="environment",
                    text="Miljö",
                    title="Miljö",
                    methods=["certificate_check"],
                    timing="at_months",
                    at_months=[12, 24],
                    responsible="purchasing",
                ),
            )
        )


def command(profile: bool = False) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, summary line) of ``manage.py generate_plans``."""
    from django.core.management import call_command

    out = io.StringIO()
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    call_command("generate_plans", stdout=out, stderr=io.StringIO())
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(35)
        print(stats.getvalue())
    return wall, cpu, out.getvalue().strip()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir, args.use_database_url)
        import django
        from django.db import connection, transaction

        from kravspar.followups.models import Activity

        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, database {connection.vendor}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        t0 = time.perf_counter()
        build(args.contracts)
        print(
            f"built {args.contracts:,} contracts with {3 * args.contracts:,} requirements "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        wall, cpu, summary = command(args.profile)
        created = Activity.objects.count()
        print(
            f"(b) manage.py generate_plans: {created:,} activities in {wall:.2f} s wall "
            f"({created / wall:,.0f}/s), {cpu:.2f} s CPU ({created / cpu:,.0f}/s)"
        )
        print(f"    {summary}")
        with transaction.atomic():
            n, floor_wall, floor_cpu = reinsert_floor(connection, Activity._meta.db_table, connection.ops.quote_name)
        assert n == created
        print(
            f"(a) floor, executemany of the same {n:,} rows into the same table: {floor_wall:.2f} s wall, "
            f"{floor_cpu:.2f} s CPU"
        )
        print(f"ratio to the floor: {wall / floor_wall:.1f}x wall, {cpu / floor_cpu:.1f}x CPU")
        wall, cpu, summary = command()
        print(f"(c) again (must change nothing): {wall:.2f} s wall, {cpu:.2f} s CPU; {summary}")
        assert Activity.objects.count() == created, "re-planning must create nothing"
        print(f"peak RSS: {rss_mb():.0f} MB; load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
