#!/usr/bin/env python3
"""Time ``manage.py import_invoices`` (store + match) against the lxml parsing floor of the
same files, measured in the same run.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_invoices.py [--invoices 5000] [--lines-per-invoice 10]
        [--other-contracts 5000] [--use-database-url] [--profile] [--sql-times] [--setup-cache DIR]

Builds a fresh database (a temporary SQLite file; with ``--use-database-url`` the database
in DATABASE_URL, which must be a throw-away one, e.g. under ``scripts/with_postgres.py``):
two regions, ``--suppliers`` suppliers, one contract per supplier and region with the
generator's 200-article catalogue as price list (every tenth contract agrees one article
10 % below what the invoices charge, so the price check raises deviations; the last two
suppliers have no contract), and ``--other-contracts`` contracts of other suppliers that no
invoice names (the import must not slow down with them). Then it writes ``--invoices``
Peppol BIS Billing 3.0 invoices with ``kravspar.invoices.generate`` and:

(a) the floor: ``bench/floor_lxml.py`` parses every file with lxml alone, before the
    import and again after it (the ratio uses the mean of the two: on a shared machine the
    CPU time of the same work moves with the load);
(b) the operator's command: ``call_command("import_invoices", folder)``, exactly as
    ``manage.py import_invoices`` runs it (grouped storing, matching per group);
(d) after the import, the floor of storing what it stored: the rows of the four per-invoice
    and per-line tables (documents, lines, invoice matches, line matches) read back and
    re-inserted with one ``executemany`` per 2,000 rows into the same tables and indexes
    (``floor_executemany.reinsert_floor``, the floor ``bench_plans.py`` uses; on PostgreSQL
    with ``COPY``, the cheapest way in, which the import uses too), in a transaction that is
    rolled back. (a) + (d) is what parsing the files and writing the
    same rows costs with nothing else: no reading of rules, no matching, no checks. The
    ratio of (b) to it is printed beside the ratio to (a).

Prints both in wall-clock and CPU time (``time.process_time``: the machine is shared, and
CPU time is what a busy machine distorts least; on PostgreSQL it leaves out the server's
work, which the wall-clock figure includes), and the ratio of (b) to (a) in each.

``--setup-cache DIR`` (SQLite): the set-up (about 50 s of building 59,200 price-list
articles) is kept in DIR and copied in by later runs with the same ``--suppliers`` and
``--other-contracts``; it is not part of what is measured. ``--sql-times`` sees what goes
through Django's cursor; on PostgreSQL the matcher writes its fresh matches with ``COPY``
on the driver's cursor, which it does not see.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import platform
import pstats
import resource
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_executemany import reinsert_floor  # noqa: E402
from floor_lxml import parse_floor  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=5000, help="invoices to import (default 5,000)")
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    parser.add_argument("--suppliers", type=int, default=150, help="suppliers; two of them without contract")
    parser.add_argument("--other-contracts", type=int, default=0, help="contracts no invoice names (default 0)")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="write to DATABASE_URL instead of a temporary SQLite file (throw-away databases only)",
    )
    parser.add_argument("--profile", action="store_true", help="print the import's top functions (cProfile)")
    parser.add_argument("--profile-out", help="with --profile: also write the raw cProfile data to this file")
    parser.add_argument(
        "--sql-times", action="store_true", help="print the CPU time spent in each kind of SQL statement"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (files and database)")
    parser.add_argument(
        "--setup-cache",
        help="SQLite only: keep the built set-up (regions, suppliers, contracts, price lists) in this folder and "
        "copy it in on later runs with the same --suppliers and --other-contracts, instead of building it again "
        "(for iterating; the set-up is not part of what is measured)",
    )
    args = parser.parse_args()
    if args.invoices < 1 or args.lines_per_invoice < 1:
        parser.error("--invoices and --lines-per-invoice must be at least 1")
    if args.suppliers < 3:
        parser.error("--suppliers must be at least 3")
    if args.setup_cache and args.use_database_url:
        parser.error("--setup-cache works with the temporary SQLite database only")
    return args


def configure(var_dir: str, use_database_url: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    if not use_database_url:
        os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir(parents=True)
    import django

    django.setup()


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def supplier_parties(n_suppliers: int) -> list:
    """The benchmark's suppliers as the generator's Parties (the same for the same count)."""
    from kravspar.invoices.generate import Party, org_number

    return [
        Party(f"Bänkleverantör {i} AB", org_number(f"556{i:06d}"), "Gatan 1", "72212", "Västerås")
        for i in range(1, n_suppliers + 1)
    ]


def build(n_suppliers: int) -> list:
    """The regions, suppliers, contracts and price lists. Returns the suppliers as Parties."""
    from django.core.management import call_command

    from kravspar.contracts.models import Contract
    from kravspar.invoices.generate import BUYERS, catalogue
    from kravspar.organisations.models import Organisation, OrganisationKind
    from kravspar.spend.models import PriceListArticle
    from kravspar.suppliers.models import Supplier

    call_command("migrate", verbosity=0, interactive=False)
    orgs = [
        Organisation.objects.create(
            kind=OrganisationKind.REGION, name=p.name, org_number=p.org_number, peppol_value=p.org_number
        )
        for p in BUYERS
    ]
    parties = supplier_parties(n_suppliers)
    suppliers = Supplier.objects.bulk_create(
        Supplier(name=p.name, name_key=p.name.lower(), org_number=p.org_number, vat_number=p.vat_number)
        for p in parties
    )
    articles = catalogue()
    contracts = []
    for i, supplier in enumerate(suppliers[:-2]):
        for org in orgs:
            contracts.append(
                (
                    Contract(
                        contract_number=f"BENCH-{i:04d}-{org.org_number[-3:]}",
                        title=f"Bänkavtal {i}",
                        signed_on=datetime.date(2024, 12, 1),
                        starts_on=datetime.date(2024, 12, 15),
                        ends_on=datetime.date(2026, 12, 31),
                        value=Decimal(500_000_000),
                        strategy_missing=False,
                    ),
                    supplier,
                    org,
                )
            )
    Contract.objects.bulk_create([c for c, _s, _o in contracts])
    Contract.suppliers.through.objects.bulk_create(
        Contract.suppliers.through(contract_id=c.pk, supplier_id=s.pk) for c, s, _o in contracts
    )
    Contract.buyers.through.objects.bulk_create(
        Contract.buyers.through(contract_id=c.pk, organisation_id=o.pk) for c, _s, o in contracts
    )
    rows = []
    for n, (contract, _s, _o) in enumerate(contracts):
        for a in articles:
            price = a.price
            if n % 10 == 0 and a.seller_item_id == "ART-0007":
                price = (a.price / Decimal("1.1")).quantize(Decimal("0.01"))
            rows.append(
                PriceListArticle(
                    contract=contract,
                    seller_item_id=a.seller_item_id,
                    gtin=a.gtin,
                    name=a.name,
                    unit_code=a.unit_code,
                    net_price=price,
                )
            )
    PriceListArticle.objects.bulk_create(rows, batch_size=5000)
    print(f"set-up: {len(contracts)} contracts, {len(rows)} price-list articles, {len(suppliers)} suppliers")
    return parties


def other_contracts(n: int) -> None:
    """``n`` contracts, each with a supplier of its own, that no invoice names."""
    from kravspar.contracts.models import Contract
    from kravspar.invoices.generate import org_number
    from kravspar.organisations.models import Organisation
    from kravspar.suppliers.models import Supplier

    buyer = Organisation.objects.order_by("id").first()
    assert buyer is not None
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name=f"Annan leverantör {i} AB", name_key=f"annan leverantör {i} ab", org_number=org_number(f"559{i:06d}")
        )
        for i in range(n)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            contract_number=f"OTHER-{i:05d}",
            title=f"Annat avtal {i}",
            signed_on=datetime.date(2024, 12, 1),
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            value=Decimal(1_000_000),
            strategy_missing=False,
        )
        for i in range(n)
    )
    Contract.suppliers.through.objects.bulk_create(
        Contract.suppliers.through(contract_id=c.pk, supplier_id=s.pk)
        for c, s in zip(contracts, suppliers, strict=True)
    )
    Contract.buyers.through.objects.bulk_create(
        Contract.buyers.through(contract_id=c.pk, organisation_id=buyer.pk) for c in contracts
    )


def create_files(folder: Path, target: Path) -> float:
    """CPU seconds of creating, writing and closing one new file per invoice file under
    ``folder`` (the same bytes) in ``target``: what the originals cost the file system in
    this run, whose CPU time depends on the machine's other file activity."""
    datas = [path.read_bytes() for path in sorted(folder.rglob("*.xml"))]
    target.mkdir(parents=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    at = time.process_time()
    for data in datas:
        fd = os.open(target / f"{os.urandom(16).hex()}.xml", flags, 0o644)
        os.write(fd, data)
        os.close(fd)
    return time.process_time() - at


def store_floor() -> float:
    """CPU seconds of re-inserting the rows the import wrote into its four per-invoice and
    per-line tables, rolled back (see (d) in the docstring). On PostgreSQL the server's share
    is left out, as in (b)."""
    from django.db import connection, transaction

    from kravspar.invoices.models import InvoiceDocument, InvoiceLine
    from kravspar.spend.models import InvoiceMatch, LineMatch

    total = 0.0
    with transaction.atomic():
        for model in (InvoiceDocument, InvoiceLine, InvoiceMatch, LineMatch):
            rows, _wall, cpu = reinsert_floor(connection, model._meta.db_table, copy=True)
            print(f"    (d) {model._meta.db_table}: {rows:,} rows, {cpu:.2f} s CPU")
            total += cpu
        transaction.set_rollback(True)  # a measurement, not a change
    return total


def main() -> None:
    args = parse_args()
    tmp = tempfile.mkdtemp(prefix="kravspar-bench-invoices-")
    try:
        run(args, Path(tmp))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    configure(str(tmp / "var"), args.use_database_url)
    import django
    from django.core.management import call_command
    from django.db import connection

    from kravspar.invoices.generate import write_many
    from kravspar.invoices.models import ImportBatch
    from kravspar.spend.models import EconomyFinding, InvoiceMatch, LineMatch, OffContractPurchase

    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, database {connection.vendor}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    started = time.perf_counter()
    cached = None
    if args.setup_cache:
        cached = Path(args.setup_cache) / f"setup-{args.suppliers}-{args.other_contracts}.sqlite3"
    if cached is not None and cached.exists():
        connection.close()
        shutil.copyfile(cached, connection.settings_dict["NAME"])
        # The migrations may have moved on since the copy was made.
        call_command("migrate", verbosity=0, interactive=False)
        parties = supplier_parties(args.suppliers)
        print(f"set-up copied from {cached}")
    else:
        parties = build(args.suppliers)
        if args.other_contracts:
            other_contracts(args.other_contracts)
        if cached is not None:
            connection.close()
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(connection.settings_dict["NAME"], cached)
    print(f"set-up took {time.perf_counter() - started:.1f} s; other contracts: {args.other_contracts:,}")

    folder = tmp / "invoices"
    written = write_many(folder, args.invoices, args.lines_per_invoice, suppliers=parties, seed=7)
    print(f"wrote {args.invoices:,} invoices of {args.lines_per_invoice} lines ({written / 1e6:.0f} MB)")

    n_inv, n_lines, floor_wall, floor_cpu = parse_floor(folder)
    print(
        f"(a) floor, lxml alone: {n_inv:,} invoices, {n_lines:,} lines in {floor_wall:.2f} s wall "
        f"({n_lines / floor_wall:,.0f} lines/s), {floor_cpu:.2f} s CPU ({n_lines / floor_cpu:,.0f} lines/s)"
    )

    sql_times: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        key = " ".join(sql.split()[:3])[:60] + (" (many)" if many else "")
        at = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = sql_times.setdefault(key, [0.0, 0])
            entry[0] += time.process_time() - at
            entry[1] += 1

    wrapper = connection.execute_wrapper(timed) if args.sql_times else contextlib.nullcontext()
    # CPU time, not wall-clock: the machine is shared, and waiting for a CPU is not work.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    try:
        with wrapper:
            call_command("import_invoices", str(folder), "--progress-every", "0", stdout=io.StringIO())
    except SystemExit as exc:  # the command's exit status counts refused files
        print(f"    the command exited with status {exc.code}")
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    batch = ImportBatch.objects.latest("id")
    lines = batch.line_count
    print(
        f"(b) manage.py import_invoices: {batch.imported_count:,} invoices, {lines:,} lines in {wall:.2f} s wall "
        f"({lines / wall:,.0f} lines/s), {cpu:.2f} s CPU ({lines / cpu:,.0f} lines/s)"
    )
    # The floor again after the import: on a shared machine the CPU time of the same work
    # moves with the load (by half between runs), so the ratio uses the mean of the two.
    _n, _l, after_wall, after_cpu = parse_floor(folder)
    print(
        f"(a') floor again after the import: {after_wall:.2f} s wall, {after_cpu:.2f} s CPU; "
        f"the ratio uses the mean of the two floors"
    )
    floor_wall, floor_cpu = (floor_wall + after_wall) / 2, (floor_cpu + after_cpu) / 2
    print(f"ratio to the floor: {wall / floor_wall:.1f}x wall, {cpu / floor_cpu:.1f}x CPU")
    store_cpu = store_floor()
    print(
        "(d) floor of storing the same rows (executemany, on PostgreSQL COPY, into the same tables and "
        f"indexes): {store_cpu:.2f} s CPU; "
        f"ratio to the floor of parsing and storing, (a) + (d): {cpu / (floor_cpu + store_cpu):.1f}x CPU"
    )
    print(
        f"    refused {batch.refused_count}, duplicates {batch.duplicate_count}; "
        f"matched to a contract: {InvoiceMatch.objects.filter(contract__isnull=False).count():,}, "
        f"lines matched: {LineMatch.objects.filter(article__isnull=False).count():,}, "
        f"outside contract: {OffContractPurchase.objects.count():,}, "
        f"economy deviations: {EconomyFinding.objects.count():,}"
    )
    print(f"peak RSS: {rss_mb():.0f} MB; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    # After the peak RSS: it holds the files' bytes.
    created_cpu = create_files(folder, tmp / "created")
    print(
        f"(c) creating {n_inv:,} files of the same bytes on the same file system, as the import does with the "
        f"originals (not in the ratio): {created_cpu:.2f} s CPU; on a busy shared machine this moves by 10-30x "
        f"(see docs/benchmarks.md)"
    )
    if sql_times:
        print("CPU time per kind of SQL statement (s, calls):")
        for key, (spent, calls) in sorted(sql_times.items(), key=lambda kv: -kv[1][0])[:25]:
            print(f"    {spent:7.3f} {calls:6d}  {key}")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        if args.profile_out:
            profiler.dump_stats(args.profile_out)


if __name__ == "__main__":
    main()
