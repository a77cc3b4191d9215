#!/usr/bin/env python3
"""Time the report dashboard and the list exports on a throw-away database.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_reports.py [--contracts 5000] [--rows 50000]

Builds a fresh SQLite database in a temporary folder (never the one in var/): two regions,
``--contracts`` contracts (half per region) with one supplier per ten contracts (a third of
them local SMEs), each with
three requirements serving policy aims, six follow-up activities in mixed states and, on
every fourth contract, a deviation (mostly tied to its requirement); one sanction decision per
hundred contracts, tied to a deviation; a hundred procurements advertised through the year
(strategy approved before, retrofitted after, or none) and ten advertised on an unknown day.
Then it computes the dashboard for "everything" and for one region (time and number of SQL
queries), and exports the follow-up list (``--rows`` activities at most) to CSV and to Excel,
printing time, rows per second and memory: the Python heap peak during the export
(tracemalloc) and the process's RSS peak.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=5000, help="contracts to create (default 5,000)")
    parser.add_argument("--rows", type=int, default=0, help="rows to export (default: every activity)")
    args = parser.parse_args()
    if args.contracts < 2:
        parser.error("--contracts must be at least 2")
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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from kravspar.accounts.management.commands.setup_roles import setup_roles
    from kravspar.contracts.models import Contract, ContractRequirement
    from kravspar.findings.models import Deviation, Sanction
    from kravspar.followups.models import Activity
    from kravspar.organisations.models import Organisation, OrganisationKind, Unit
    from kravspar.procurements.models import AimAssessment, Procurement, Strategy
    from kravspar.suppliers.models import Supplier

    call_command("migrate", verbosity=0, interactive=False)
    setup_roles()
    regions = [
        Organisation.objects.create(kind=OrganisationKind.REGION, name=name, org_number=number, peppol_value=number)
        for name, number in (("Region Sörmland", "2321000032"), ("Region Västmanland", "2321000172"))
    ]
    units = [Unit.objects.create(organisation=r, name=f"Enhet {r.name}") for r in regions]
    # One supplier per ten contracts, a third of them local SMEs: supplier status grows with them.
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name=f"Bänkleverantör {j} AB",
            county="19" if j % 3 == 0 else "01",
            size_class="small" if j % 3 == 0 else "large",
        )
        for j in range(max(2, n // 10))
    )
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    statuses = ["done", "done", "planned", "planned", "in_progress", "cancelled"]
    for first in range(0, n, BATCH):
        ids = range(first, min(n, first + BATCH))
        contracts = Contract.objects.bulk_create(
            Contract(
                contract_number=f"BENCH-{i:07d}",
                title=f"Bänkavtal {i}",
                signed_on=start - datetime.timedelta(days=30),
                starts_on=start - datetime.timedelta(days=i % 200),
                ends_on=start + datetime.timedelta(days=3 * 365),
                value=100_000 + i,
                strategy_missing=False,
            )
            for i in ids
        )
        Contract.buyers.through.objects.bulk_create(
            Contract.buyers.through(contract_id=c.pk, organisation_id=regions[i % 2].pk)
            for i, c in zip(ids, contracts, strict=True)
        )
        Contract.suppliers.through.objects.bulk_create(
            Contract.suppliers.through(contract_id=c.pk, supplier_id=suppliers[i % len(suppliers)].pk)
            for i, c in zip(ids, contracts, strict=True)
        )
        requirements = ContractRequirement.objects.bulk_create(
            ContractRequirement(contract_id=c.pk, title=title, text=title, type=kind, aims=aims, position=p)
            for c in contracts
            for p, (title, kind, aims) in enumerate(
                (("Kvalitet", "quality", [1]), ("Arbetsvillkor", "labour", [4, 6]), ("Miljö", "environment", [3]))
            )
        )
        activities = []
        for index, req in enumerate(requirements):
            region = index // 3 % 2
            for occurrence in range(2):
                status = statuses[(index + occurrence) % len(statuses)]
                due = start + datetime.timedelta(days=(index * 7 + occurrence * 120) % 360)
                activities.append(
                    Activity(
                        contract_id=req.contract_id,
                        requirement_id=req.pk,
                        occurrence=occurrence,
                        method=("spot_check", "document_review", "self_assessment")[index % 3],
                        due_on=due,
                        responsible="ordering_unit",
                        responsible_unit_id=units[region].pk,
                        status=status,
                        outcome="compliant" if status == "done" else "",
                        completed_on=due + datetime.timedelta(days=(index % 5) - 2) if status == "done" else None,
                    )
                )
        Activity.objects.bulk_create(activities)
        # Most deviations carry their requirement (the aims count through it); every eighth is an
        # invoice deviation of kind economy without one (the aims count it by its kind).
        position = {"quality": 0, "labour": 1, "environment": 2}
        deviations = Deviation.objects.bulk_create(
            Deviation(
                contract_id=c.pk,
                requirement_id=None if i % 8 == 0 else requirements[3 * j + position[kind]].pk,
                supplier_id=suppliers[i % len(suppliers)].pk if i % 3 == 0 else None,
                kind="economy" if i % 8 == 0 else kind,
                severity=("minor", "major", "critical", "observation")[i % 4],
                status=("open", "action_plan_agreed", "fixed", "closed")[i % 4],
                title="Avvikelse",
                raised_on=start + datetime.timedelta(days=i % 300),
                deadline=start + datetime.timedelta(days=i % 300 + 30) if i % 4 == 1 else None,
            )
            for j, (i, c) in enumerate(zip(ids, contracts, strict=True))
            for kind in [("labour", "environment", "quality")[i % 3]]
            if i % 4 == 0 or i % 4 == 1
        )
        sanctions = Sanction.objects.bulk_create(
            Sanction(contract_id=c.pk, decision="apply" if i % 200 else "waive", kind="fine", decided_on=start)
            for i, c in zip(ids, contracts, strict=True)
            if i % 100 == 0
        )
        deviation_of = {d.contract_id: d.pk for d in deviations}
        Sanction.deviations.through.objects.bulk_create(
            Sanction.deviations.through(sanction_id=s.pk, deviation_id=deviation_of[s.contract_id])
            for s in sanctions
            if s.contract_id in deviation_of
        )
    # Procurements advertised through the year: a third with the strategy approved the day before,
    # a third retrofitted a month after, a third without one; ten more advertised on an unknown day.
    for i in range(110):
        advertised = start + datetime.timedelta(days=i * 3) if i < 100 else None
        p = Procurement.objects.create(
            registry_number=f"BENCH-P-{i}",
            title="Upphandling",
            kind="services",
            status="advertised" if advertised else "concluded",
            advertised_on=advertised,
        )
        p.buyers.set([regions[i % 2]])
        if i % 3 != 2:
            day = (advertised or start) + datetime.timedelta(days=-1 if i % 3 == 0 else 30)
            Strategy.objects.create(
                procurement=p,
                number=1,
                status="approved",
                approved_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
            )
        AimAssessment.objects.bulk_create(
            AimAssessment(procurement=p, aim=aim, relevant=True, how="Krav") for aim in (3, 4, 6)
        )


def time_dashboard(label: str, key: str, repeats: int = 3) -> None:
    """The dashboard's time against its own SQL floor, in the same run: every statement it
    executed, run again straight on the DB-API cursor with every row fetched (no ORM, no Python
    figures). Also the rows the database hands to Python, which must not grow with the data."""
    from django.db import connection
    from django.utils import timezone

    from kravspar.accounts.models import User
    from kravspar.reports import figures
    from kravspar.reports.scope import resolve

    admin = User.objects.get(username="bench-admin")
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    best = float("inf")
    for _ in range(repeats):
        statements.clear()
        with connection.execute_wrapper(record):
            started = time.perf_counter()
            scope = resolve(admin, key=key, today=timezone.localdate())
            d = figures.dashboard(scope)
            best = min(best, time.perf_counter() - started)
    floor, rows = float("inf"), 0
    each: dict[int, float] = {}
    for _ in range(repeats):
        rows = 0
        started = time.perf_counter()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the DB-API cursor itself
            for n, (sql, params) in enumerate(statements):
                began = time.perf_counter()
                raw.execute(sql, params or ())
                rows += len(raw.fetchall())
                each[n] = min(each.get(n, float("inf")), time.perf_counter() - began)
        floor = min(floor, time.perf_counter() - started)
    slowest = sorted(each, key=each.__getitem__, reverse=True)[:3]
    print(
        f"dashboard ({label}): {best * 1000:.0f} ms, its SQL alone {floor * 1000:.0f} ms, "
        f"ratio {best / floor:.2f}; {len(statements)} SQL queries, {rows} rows fetched; "
        f"{d.activities_total['due']:,} follow-ups due, {d.deviations_total:,} deviations, "
        f"{sum(r.counts['n'] for r in d.suppliers_by_light):,} suppliers; strategy gate "
        f"{d.strategy_gate.part}/{d.strategy_gate.whole} in time, {d.strategy_gate.retrofitted} retrofitted, "
        f"{d.strategy_gate.unknown} advertised on an unknown day"
    )
    for n in slowest:
        print(f"  slowest statement: {each[n] * 1000:.0f} ms  {statements[n][0][:110]}")


def _export(fmt: str, rows: int) -> tuple[int, int]:
    """Write the follow-up list as the export view does; returns (rows, bytes)."""
    from django.http import QueryDict

    from kravspar.accounts.models import User
    from kravspar.reports import exports

    params = QueryDict(mutable=True)
    params.update({"scope": "all", "view": "all"})
    data = exports.activities(User.objects.get(username="bench-admin"), params)
    counted = [0]

    def limited(source: Any) -> Any:
        for row in source:
            if rows and counted[0] >= rows:
                return
            counted[0] += 1
            yield row

    data.rows = limited(data.rows)
    if fmt == "csv":
        size = sum(len(line.encode()) for line in exports.csv_lines(data))
    else:
        handle = exports.xlsx_file(data)
        size = handle.seek(0, 2)
        handle.close()
    return counted[0], size


def time_exports(rows: int) -> None:
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        count, size = _export(fmt, rows)
        seconds = time.perf_counter() - started
        # A second pass under tracemalloc, which slows Python down, for the heap peak only.
        tracemalloc.start()
        _export(fmt, rows)
        heap = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        print(
            f"export {fmt}: {count:,} rows in {seconds:.1f} s ({count / seconds:,.0f} rows/s), "
            f"{size / 1024 / 1024:.1f} MB; Python heap peak {heap:.1f} MB; RSS peak {rss_mb():.0f} MB"
        )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir)
        import django
        from django.db import connection

        from kravspar.accounts.models import User
        from kravspar.accounts.roles import Role
        from kravspar.followups.models import Activity
        from kravspar.organisations.models import Organisation

        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs"  # type: ignore[attr-defined]
        )
        t0 = time.perf_counter()
        build(args.contracts)
        admin = User.objects.create(username="bench-admin", organisation=Organisation.objects.first())
        from django.contrib.auth.models import Group

        admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
        print(
            f"built {args.contracts:,} contracts with {Activity.objects.count():,} follow-ups in "
            f"{time.perf_counter() - t0:.1f} s; RSS peak so far {rss_mb():.0f} MB"
        )
        region = Organisation.objects.get(org_number="2321000172")
        time_dashboard("everything", "")
        time_dashboard("one region", f"org:{region.uuid}")
        time_exports(args.rows)


if __name__ == "__main__":
    main()
