#!/usr/bin/env python3
"""Time the follow-up planner over many contracts on a throw-away database.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_plans.py [--contracts 100000] [--tracemalloc]

Builds a fresh SQLite database in a temporary folder (never the one in var/), bulk-inserts
``--contracts`` four-year contracts, each with three contract requirements (one followed up
every 6 months, one at the start, one at 12 and 24 months: 11 activities per contract), then
plans them all the way ``manage.py generate_plans`` does (contracts streamed with
iterator(), planned in chunks of 500, one transaction and one history event per contract).
Then it plans them again, which must change nothing. Prints the time, activities per second
and the peak memory: the process's peak RSS, and with --tracemalloc the peak of Python
allocations during planning (tracing makes it slower).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=100_000, help="contracts to create (default 100,000)")
    parser.add_argument("--chunk-size", type=int, default=500, help="contracts planned per transaction")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the Python heap peak (slower)")
    args = parser.parse_args()
    if args.contracts < 1:
        parser.error("--contracts must be at least 1")
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


def plan_all(chunk: int) -> tuple[float, object]:
    from kravspar.contracts.models import Contract
    from kravspar.followups.planning import PlanResult, plan_contracts

    started = time.perf_counter()
    total = PlanResult()
    qs = Contract.objects.only("id", "uuid", "contract_number", "title", "starts_on", "ends_on").order_by("id")
    batch: list[Contract] = []
    for contract in qs.iterator(chunk_size=chunk):
        batch.append(contract)
        if len(batch) == chunk:
            total.add(plan_contracts(batch, chunk_size=chunk))
            batch = []
    if batch:
        total.add(plan_contracts(batch, chunk_size=chunk))
    return time.perf_counter() - started, total


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir)
        import django
        from django.db import connection

        from kravspar.followups.models import Activity

        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs"
        )
        t0 = time.perf_counter()
        build(args.contracts)
        print(
            f"built {args.contracts:,} contracts with {3 * args.contracts:,} requirements in "
            f"{time.perf_counter() - t0:.1f} s; RSS peak so far {rss_mb():.0f} MB"
        )
        if args.tracemalloc:
            tracemalloc.start()
        seconds, result = plan_all(args.chunk_size)
        heap = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        created = Activity.objects.count()
        print(
            f"first plan: {created:,} activities in {seconds:.1f} s "
            f"({created / seconds:,.0f} activities/s, {args.contracts / seconds:,.0f} contracts/s); "
            f"RSS peak {rss_mb():.0f} MB" + (f"; Python heap peak {heap:.1f} MB" if heap is not None else "")
        )
        print(f"  {result.as_dict()}")  # type: ignore[attr-defined]
        seconds, result = plan_all(args.chunk_size)
        print(
            f"second plan (idempotent): {seconds:.1f} s ({args.contracts / seconds:,.0f} contracts/s); "
            f"RSS peak {rss_mb():.0f} MB"
        )
        print(f"  {result.as_dict()}")  # type: ignore[attr-defined]
        assert Activity.objects.count() == created, "re-planning must create nothing"


if __name__ == "__main__":
    main()
