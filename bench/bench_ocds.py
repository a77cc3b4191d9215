#!/usr/bin/env python3
"""Time the OCDS export over many contracts on a throw-away database, and show that its
memory stays flat.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_ocds.py [--sizes 10000,100000] [--tracemalloc]

Builds a fresh SQLite database in a temporary folder (never the one in var/) and grows it
to each size in ``--sizes`` in turn with bulk_create: nine in ten contracts come from a
published procurement of their own (with buyers, aim assessments and a requirement), one
in ten is registered directly; every contract has one supplier, two buyers and ten
follow-up activities (the national scale in docs: ~100k contracts, ~1M follow-ups), some
done, and every tenth has a deviation with an agreed action plan. At each size it runs
``manage.py export_ocds`` in a child process, exactly as an operator would, and reports the
time, releases per second, the file size and the child's peak RSS (from wait4, so nothing
of the build counts). With --tracemalloc it also runs the export in this process under
tracemalloc and reports the peak of Python allocations during the export alone.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000
ACTIVITIES = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="contract counts to export at, ascending")
    parser.add_argument("--chunk-size", type=int, default=200, help="rows per batch of the export")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap peak in-process")
    args = parser.parse_args()
    try:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes must be numbers separated by commas, e.g. 10000,100000")
    if not args.sizes or any(s < 1 for s in args.sizes) or args.sizes != sorted(args.sizes):
        parser.error("--sizes must be positive and ascending")
    return args


def configure(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir()
    import django

    django.setup()


def luhn_number(base: str) -> str:
    """base (9 digits) + its Luhn check digit: a valid Swedish organisation number."""
    total = 0
    for i, ch in enumerate(base):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return base + str((10 - total % 10) % 10)


class World:
    def __init__(self) -> None:
        from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
        from kravspar.suppliers.models import Supplier

        self.sormland = Organisation.objects.create(
            kind=OrganisationKind.REGION, name="Region Sörmland", org_number="2321000032", peppol_value="2321000032"
        )
        self.vastmanland = Organisation.objects.create(
            kind=OrganisationKind.REGION, name="Region Västmanland", org_number="2321000172", peppol_value="2321000172"
        )
        inkop = Unit.objects.create(organisation=self.sormland, name="Inköp", kind=UnitKind.PURCHASING)
        inkop.serves.set([self.vastmanland])
        self.suppliers = Supplier.objects.bulk_create(
            Supplier(name=f"Leverantör {i} AB", org_number=luhn_number(f"556{i:06d}"), city="Västerås")
            for i in range(2000)
        )
        self.built = 0


def grow(world: World, to: int) -> None:
    from kravspar.contracts.models import Contract, ContractRequirement
    from kravspar.findings.models import Deviation, DeviationStatus, Severity
    from kravspar.followups.models import Activity, ActivityStatus, Outcome
    from kravspar.procurements.models import AimAssessment, Procurement, ProcurementStatus
    from kravspar.requirements.models import Requirement

    start = datetime.date(2025, 1, 1)
    for first in range(world.built, to, BATCH):
        numbers = range(first, min(to, first + BATCH))
        procurements = Procurement.objects.bulk_create(
            Procurement(
                registry_number=f"BENCH-P-{i:07d}",
                title=f"Bänkupphandling {i}",
                description="Upphandling för prestandamätning.",
                kind=("goods", "services", "works")[i % 3],
                procedure="open",
                status=ProcurementStatus.CONCLUDED,
                estimated_value=1_000_000 + i,
                cpv_main_id="90910000",
            )
            for i in numbers
            if i % 10
        )
        Procurement.buyers.through.objects.bulk_create(
            Procurement.buyers.through(procurement_id=p.pk, organisation_id=org.pk)
            for p in procurements
            for org in (world.sormland, world.vastmanland)
        )
        AimAssessment.objects.bulk_create(
            AimAssessment(procurement_id=p.pk, aim=aim, relevant=aim != 5, how="")
            for p in procurements
            for aim in (1, 3, 4, 5)
        )
        Requirement.objects.bulk_create(
            Requirement(procurement_id=p.pk, title="Arbetsvillkor", type="labour", text="Lön", aims=[4])
            for p in procurements
        )
        by_number = iter(procurements)
        contracts = Contract.objects.bulk_create(
            Contract(
                procurement_id=None if i % 10 == 0 else next(by_number).pk,
                contract_number=f"BENCH-{i:07d}",
                title=f"Bänkavtal {i}",
                signed_on=start - datetime.timedelta(days=14),
                starts_on=start + datetime.timedelta(days=i % 365),
                ends_on=start + datetime.timedelta(days=i % 365 + 4 * 365 - 1),
                extension_options=2,
                extension_months=12,
                value=2_000_000 + i,
                strategy_missing=False,
            )
            for i in numbers
        )
        Contract.buyers.through.objects.bulk_create(
            Contract.buyers.through(contract_id=c.pk, organisation_id=org.pk)
            for c in contracts
            for org in (world.sormland, world.vastmanland)
        )
        Contract.suppliers.through.objects.bulk_create(
            Contract.suppliers.through(contract_id=c.pk, supplier_id=world.suppliers[c.pk % 2000].pk) for c in contracts
        )
        requirements = ContractRequirement.objects.bulk_create(
            ContractRequirement(
                contract_id=c.pk,
                position=0,
                type="quality",
                text="Kvalitet",
                title="Kvalitet",
                responsible="purchasing",
            )
            for c in contracts
        )
        activities = Activity.objects.bulk_create(
            Activity(
                contract_id=r.contract_id,
                requirement_id=r.pk,
                occurrence=k,
                method=("spot_check", "self_assessment", "supplier_meeting", "desk_audit")[k % 4],
                due_on=start + datetime.timedelta(days=30 + 146 * k),
                responsible="purchasing",
                status=ActivityStatus.DONE if k < 3 else ActivityStatus.PLANNED,
                outcome=Outcome.COMPLIANT if k < 3 else "",
                completed_on=start + datetime.timedelta(days=30 + 146 * k) if k < 3 else None,
            )
            for r in requirements
            for k in range(ACTIVITIES)
        )
        first_activity = {a.contract_id: a for a in activities if a.occurrence == 0}
        Deviation.objects.bulk_create(
            Deviation(
                contract_id=c.pk,
                activity_id=first_activity[c.pk].pk,
                requirement_id=first_activity[c.pk].requirement_id,
                kind="quality",
                severity=Severity.MINOR,
                title="Avvikelse",
                status=DeviationStatus.ACTION_PLAN_AGREED,
                raised_on=start + datetime.timedelta(days=40),
                deadline=start + datetime.timedelta(days=100),
            )
            for c in contracts
            if c.pk % 10 == 3
        )
    world.built = to


def export_child(var_dir: str, output: Path, chunk: int) -> tuple[float, float]:
    """Run manage.py export_ocds in a child process: (seconds, peak RSS in MB)."""
    env = dict(os.environ, KRAVSPAR_VAR_DIR=var_dir)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "export_ocds", "--output", str(output), "--chunk-size", str(chunk)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"export_ocds failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


def export_in_process(output: Path, chunk: int) -> tuple[float, float, int]:
    """The same export under tracemalloc: (seconds, Python heap peak in MB, releases)."""
    from kravspar.opendata import ocds

    tracemalloc.start()
    started = time.perf_counter()
    count = 0

    def counted(_release: object) -> None:
        nonlocal count
        count += 1

    with output.open("w", encoding="utf-8") as handle:
        pieces = ocds.package_pieces(ocds.iter_releases(ocds.Filters(), chunk_size=chunk), uri="x:", on_release=counted)
        for piece in pieces:
            handle.write(piece)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return seconds, peak, count


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir)
        import django
        from django.core.management import call_command
        from django.db import connection

        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs"
        )
        call_command("migrate", verbosity=0, interactive=False)
        world = World()
        output = Path(var_dir) / "ocds.json"
        for size in args.sizes:
            t0 = time.perf_counter()
            grow(world, size)
            connection.close()  # the child reads what was committed
            print(
                f"\n{size:,} contracts ({size * ACTIVITIES:,} follow-ups, {size // 10:,} deviations): "
                f"built in {time.perf_counter() - t0:.0f} s"
            )
            seconds, rss = export_child(var_dir, output, args.chunk_size)
            print(
                f"  export_ocds: {seconds:.1f} s, {size / seconds:,.0f} releases/s (procurements and contracts), "
                f"file {output.stat().st_size / 1024 / 1024:,.0f} MB, peak RSS {rss:.0f} MB"
            )
            if args.tracemalloc:
                seconds, heap, count = export_in_process(output, args.chunk_size)
                print(
                    f"  in-process under tracemalloc: {count:,} releases, {seconds:.1f} s, "
                    f"Python heap peak {heap:.1f} MB"
                )


if __name__ == "__main__":
    main()
