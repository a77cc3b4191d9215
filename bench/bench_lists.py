#!/usr/bin/env python3
"""Time the list and detail pages against a large, throw-away database.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_lists.py [--orgs 2000] [--repeats 20]

Builds a fresh SQLite database in a temporary folder (never the one in var/), fills it
with ``--orgs`` organisations, each with 5 units and 3 people, logs in an administrator
(who sees everything, so every list has the full data behind it) and requests each URL
``--repeats`` times through django.test.Client. Prints per URL the median and 95th
percentile wall-clock milliseconds, the median CPU milliseconds of this process (steadier on
a busy machine; with SQLite it includes the database's work, with PostgreSQL it does not) and
the number of SQL queries per request.

DATABASE_URL is ignored unless --use-database-url is given; then the data is written to
that database, so point it only at a throw-away one, e.g.

    DJANGO_SECRET_KEY=x .venv/bin/python scripts/with_postgres.py \\
        .venv/bin/python bench/bench_lists.py --use-database-url

The data is bulk-inserted without the services (and so without history): it measures
reads, not writes.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CITIES = [
    "Eskilstuna",
    "Nyköping",
    "Katrineholm",
    "Strängnäs",
    "Flen",
    "Västerås",
    "Köping",
    "Sala",
    "Fagersta",
    "Arboga",
]
SEARCH = "Eskilstuna"  # ASCII, so SQLite's case-insensitive LIKE matches it; a tenth of the organisations
UNITS_PER_ORG = 5
PEOPLE_PER_ORG = 3
ACTIVITIES_PER_CONTRACT = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=2000, help="organisations to create (default 2000)")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per URL (default 20, at least 2)")
    parser.add_argument("--contracts", type=int, default=2000, help="contracts to create (default 2000)")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="write to DATABASE_URL instead of a temporary SQLite file (throw-away databases only)",
    )
    args = parser.parse_args()
    if args.orgs < 1:
        parser.error("--orgs must be at least 1")
    if args.repeats < 2:
        parser.error("--repeats must be at least 2 (a percentile needs two samples)")
    return args


def configure(var_dir: str, use_database_url: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    Path(var_dir, "static").mkdir()  # STATIC_ROOT; whitenoise warns when it is missing
    # django.test.Client sends Host: testserver; production settings allow no host by default.
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    if not use_database_url:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()


def org_number(i: int) -> str:
    from stdnum import luhn

    base = f"56{i:07d}"
    return base + luhn.calc_check_digit(base)


def build_contracts(n: int, orgs: list[Any]) -> None:
    """``n`` contracts, each with one or two suppliers (one supplier per five contracts) and a
    buyer, for the contract lists and the API; written in bulk, without history."""
    import datetime

    from kravspar.contracts.models import Contract, ContractRequirement
    from kravspar.followups.models import Activity
    from kravspar.suppliers.models import Supplier

    suppliers = Supplier.objects.bulk_create(
        (
            Supplier(name=f"Bänkleverantör {j:05d} AB", org_number=org_number(900_000 + j))
            for j in range(max(1, n // 5))
        ),
        batch_size=1000,
    )
    start = datetime.date(2025, 1, 1)
    contracts = Contract.objects.bulk_create(
        (
            Contract(
                contract_number=f"BENCH-{i:06d}",
                title=f"Bänkavtal {i} {CITIES[i % len(CITIES)]}",
                signed_on=start + datetime.timedelta(days=i % 365),
                starts_on=start + datetime.timedelta(days=i % 365),
                ends_on=start + datetime.timedelta(days=3 * 365),
                value=100_000 + i,
                strategy_missing=i % 7 == 0,
            )
            for i in range(n)
        ),
        batch_size=1000,
    )
    Contract.suppliers.through.objects.bulk_create(
        (
            Contract.suppliers.through(contract_id=c.pk, supplier_id=suppliers[(i + k) % len(suppliers)].pk)
            for i, c in enumerate(contracts)
            for k in range(1 + i % 2)
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    Contract.buyers.through.objects.bulk_create(
        (
            Contract.buyers.through(contract_id=c.pk, organisation_id=orgs[i % len(orgs)].pk)
            for i, c in enumerate(contracts)
        ),
        batch_size=1000,
    )
    requirements = ContractRequirement.objects.bulk_create(
        (ContractRequirement(contract_id=c.pk, title="Kvalitet", text="Kvalitet", type="quality") for c in contracts),
        batch_size=1000,
    )
    Activity.objects.bulk_create(
        (
            Activity(
                contract_id=r.contract_id,
                requirement_id=r.pk,
                occurrence=k,
                method="self_assessment",
                due_on=start + datetime.timedelta(days=(r.pk * 37 + k * 90) % 730),
                responsible="purchasing",
                status="planned" if k % 3 else "done",
            )
            for r in requirements
            for k in range(ACTIVITIES_PER_CONTRACT)
        ),
        batch_size=1000,
    )


def build_data(n_orgs: int, n_contracts: int) -> tuple[object, object]:
    """Bulk-create the organisations, units and people; return (admin, an organisation)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from kravspar.accounts.management.commands.setup_roles import setup_roles
    from kravspar.accounts.models import User
    from kravspar.accounts.roles import Role
    from kravspar.organisations.counties import County
    from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind

    call_command("migrate", verbosity=0, interactive=False)
    setup_roles()

    counties = [County.SODERMANLAND, County.VASTMANLAND]
    # One region per 20 organisations; the others are its companies and foundations.
    n_regions = max(1, n_orgs // 20)
    Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.REGION,
            name=f"Region Bänk {i:05d}",
            org_number=org_number(i),
            peppol_value=org_number(i),
            vat_number=f"SE{org_number(i)}01",
            city=CITIES[i % len(CITIES)],
            county=counties[i % 2],
        )
        for i in range(n_regions)
    )
    regions = list(Organisation.objects.filter(kind=OrganisationKind.REGION).order_by("id"))
    Organisation.objects.bulk_create(
        (
            Organisation(
                kind=OrganisationKind.COMPANY if i % 3 else OrganisationKind.FOUNDATION,
                parent=regions[i % n_regions],
                name=f"Bänkbolaget {i:05d} AB",
                org_number=org_number(i),
                peppol_value=org_number(i),
                vat_number=f"SE{org_number(i)}01",
                city=CITIES[i % len(CITIES)],
                county=counties[i % 2],
            )
            for i in range(n_regions, n_orgs)
        ),
        batch_size=500,
    )
    orgs = list(Organisation.objects.order_by("id"))
    kinds = [UnitKind.PURCHASING, UnitKind.ORDERING, UnitKind.ORDERING, UnitKind.ENVIRONMENT, UnitKind.MANAGEMENT]
    Unit.objects.bulk_create(
        (Unit(organisation=org, name=f"Enhet {j + 1}", kind=kinds[j]) for org in orgs for j in range(UNITS_PER_ORG)),
        batch_size=1000,
    )
    first_unit = {u.organisation_id: u.id for u in Unit.objects.filter(name="Enhet 2")}
    password = make_password("bench-password-not-used")  # hashed once: Argon2 is slow on purpose
    User.objects.bulk_create(
        (
            User(
                username=f"person{org.id}-{k}",
                email=f"person{org.id}-{k}@bench.example.se",
                first_name=f"Förnamn{k}",
                last_name=f"Efternamn {org.id:05d}",
                password=password,
                organisation_id=org.id,
                unit_id=first_unit[org.id],
            )
            for org in orgs
            for k in range(PEOPLE_PER_ORG)
        ),
        batch_size=1000,
    )
    groups = {g.name: g.id for g in Group.objects.all()}
    role_cycle = [Role.ORDERER, Role.PROCUREMENT_OFFICER, Role.READER]
    Membership = User.groups.through
    Membership.objects.bulk_create(
        (
            Membership(user_id=uid, group_id=groups[role_cycle[i % len(role_cycle)]])
            for i, uid in enumerate(User.objects.order_by("id").values_list("id", flat=True))
        ),
        batch_size=1000,
    )

    admin = User.objects.create_user(
        username="bench-admin",
        email="bench-admin@bench.example.se",
        password="bench-password-not-used",  # noqa: S106 - a throw-away database
        organisation=regions[0],
        first_name="Bänk",
        last_name="Administratör",
    )
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    build_contracts(n_contracts, orgs)
    detail = regions[0]
    # A little history on the detail page, written the real way.
    from kravspar.organisations.services import organisation_update

    for n in range(5):
        detail = organisation_update(
            actor=admin, organisation=detail, expected_version=detail.version, street_address=f"Bänkgatan {n + 1}"
        )
    return admin, detail


def measure(client: object, url: str, repeats: int) -> tuple[float, float, float, str, float]:
    """Median and p95 wall-clock ms, median CPU ms of this process, the query count, and the
    SQL floor: the request's own statements run again straight on the DB-API cursor with every
    row fetched (median ms; CPU ms on SQLite), so that the page's cost reads as a ratio to its SQL."""
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    def get() -> int:
        statements.clear()
        # secure=True: as behind the TLS proxy; production settings redirect plain HTTP.
        with connection.execute_wrapper(record):
            response = client.get(url, secure=True)  # type: ignore[attr-defined]
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, expected 200")
        return len(statements)

    get()  # warm-up: compiles templates, fills the per-process caches
    times: list[float] = []
    cpu: list[float] = []
    counts: list[int] = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        counts.append(get())
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    floor: list[float] = []
    floor_cpu: list[float] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the DB-API cursor (Django's SQLite wrapper only turns %s into ?)
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            for sql, params in statements:
                raw.execute(sql, params or ())
                if raw.description is not None:
                    raw.fetchall()
            floor.append((time.perf_counter() - start) * 1000)
            floor_cpu.append((time.process_time() - start_cpu) * 1000)
    p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
    queries = str(counts[0]) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
    # With SQLite the database works in this process, so CPU against CPU is the steady ratio on a
    # busy machine; with PostgreSQL it works elsewhere, and wall-clock against wall-clock is the one.
    if connection.vendor == "sqlite":
        return statistics.median(times), p95, statistics.median(cpu), queries, statistics.median(floor_cpu)
    return statistics.median(times), p95, statistics.median(cpu), queries, statistics.median(floor)


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="kravspar-bench-") as var_dir:
        configure(var_dir, args.use_database_url)
        import django
        from django.db import connection
        from django.test import Client

        from kravspar.accounts.models import User
        from kravspar.organisations.models import Organisation, Unit

        started = time.perf_counter()
        admin, detail = build_data(args.orgs, args.contracts)
        built = time.perf_counter() - started

        client = Client()
        client.force_login(admin)
        urls = [
            ("/organisationer/", "/organisationer/"),
            (f"/organisationer/?q={SEARCH}", f"/organisationer/?q={SEARCH}"),
            ("/personer/", "/personer/"),
            ("/organisationer/<uuid>/", f"/organisationer/{detail.uuid}/"),  # type: ignore[attr-defined]
            ("/api/v1/organisations?limit=100", "/api/v1/organisations?limit=100"),
            ("/api/v1/contracts", "/api/v1/contracts"),
            ("/api/v1/contracts?limit=500", "/api/v1/contracts?limit=500"),
            ("/uppfoljning/?scope=all&view=all", "/uppfoljning/?scope=all&view=all"),
        ]

        print(
            f"Kravspår list benchmark: {Organisation.objects.count()} organisations, {Unit.objects.count()} units, "
            f"{User.objects.count()} people; {args.repeats} requests per URL"
        )
        print(
            f"Database: {connection.vendor}; Python {platform.python_version()}; Django {django.get_version()}; "
            f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; data built in {built:.1f} s"
        )
        print()
        width = max(len(label) for label, _url in urls)
        print(
            f"{'URL':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'CPU ms':>8}  {'queries':>7}  "
            f"{'SQL ms':>7}  {'ratio':>5}"
        )
        for label, url in urls:
            median, p95, cpu, queries, floor = measure(client, url, args.repeats)
            own = cpu if connection.vendor == "sqlite" else median
            print(
                f"{label:<{width}}  {median:>9.1f}  {p95:>8.1f}  {cpu:>8.1f}  {queries:>7}  {floor:>7.1f}  "
                f"{own / max(floor, 0.01):>5.1f}",
                flush=True,
            )
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
