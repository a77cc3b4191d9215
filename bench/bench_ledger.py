#!/usr/bin/env python3
"""Import a financial-system export of 100,000 invoice lines (CSV and Excel) on a
throw-away database, all or nothing, and match it like e-invoices.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_ledger.py [--lines 100000] [--xlsx]

Builds a fresh SQLite database in a temporary folder: Region Västmanland with two ordering
units, ``--suppliers`` suppliers with one contract each (the last ten without), and the
organisation's column mapping. Generates an export like Raindance's (semicolon CSV,
decimal comma; five lines per invoice, half of them with an article number) and runs
``ledger.services.ledger_import``: reading and checking every row, storing the invoices
and lines in one transaction, then the spend app's matching. A second run refuses a copy
with one bad cell near the end, to time the all-or-nothing check.

Prints lines per second for reading+storing and for matching, the floor (only reading the
same file with the csv module or openpyxl read-only, in the same run) and the import's ratio
to it, and the peak memory. (It calls the service ``manage.py import_ledger`` runs, so the
demo organisation and mapping can be set up in the same process.)
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir(parents=True)
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(lines: int, org_numbers: list[str], xlsx: bool) -> bytes:
    rng = random.Random(16)
    header = ["Lev.orgnr", "Fakturanr", "Fakturadatum", "Ansvar", "Konto", "Belopp", "Artikel", "Antal"]
    rows = []
    for n in range(lines):
        invoice = n // 5
        org = org_numbers[invoice % len(org_numbers)]
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=invoice % 300)
        article = f"ART-{rng.randrange(200):04d}" if n % 2 else ""
        amount = f"{rng.randrange(100, 500_000) / 100:.2f}".replace(".", ",")
        rows.append(
            [
                org,
                f"RD-{invoice:07d}",
                day.isoformat(),
                rng.choice(["4711", "4712"]),
                "4010",
                amount,
                article,
                "1" if article else "",
            ]
        )
    if xlsx:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return ("\n".join(";".join(r) for r in [header, *rows]) + "\n").encode()


def read_floor(data: bytes, xlsx: bool) -> float:
    """Seconds to only read every cell of the same export (csv module / openpyxl read-only):
    the physical floor the import is measured against in the same run."""
    started = time.perf_counter()
    if xlsx:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()
    else:
        import csv

        for _row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"):
            pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=100)
    parser.add_argument("--xlsx", action="store_true", help="an Excel export instead of CSV")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="kravspar-bench-ledger-")
    try:
        configure(var_dir)
        from django.core.management import call_command
        from stdnum import luhn

        from kravspar.contracts.models import Contract
        from kravspar.ledger.services import LedgerRefused, ledger_import, mapping_save
        from kravspar.organisations.models import Organisation, OrganisationKind, Unit
        from kravspar.spend.models import LineMatch, PriceListArticle
        from kravspar.suppliers.models import Supplier

        call_command("migrate", verbosity=0, interactive=False)
        org = Organisation.objects.create(
            kind=OrganisationKind.REGION, name="Region Västmanland", org_number="2321000172", peppol_value="2321000172"
        )
        Unit.objects.create(organisation=org, name="Ortopedkliniken")
        Unit.objects.create(organisation=org, name="Kirurgkliniken")
        numbers = [f"556{i:06d}" + luhn.calc_check_digit(f"556{i:06d}") for i in range(1, args.suppliers + 1)]
        suppliers = Supplier.objects.bulk_create(
            Supplier(name=f"Bänkleverantör {i} AB", name_key=f"bänkleverantör {i} ab", org_number=n)
            for i, n in enumerate(numbers)
        )
        for i, supplier in enumerate(suppliers[:-10]):
            contract = Contract.objects.create(
                contract_number=f"LEDGER-{i:04d}",
                title=f"Bänkavtal {i}",
                signed_on=datetime.date(2025, 12, 1),
                starts_on=datetime.date(2025, 12, 15),
                ends_on=datetime.date(2027, 12, 31),
                strategy_missing=False,
            )
            contract.suppliers.add(supplier)
            contract.buyers.add(org)
            # The contract's price list: the export's article numbers at a fixed price.
            PriceListArticle.objects.bulk_create(
                PriceListArticle(
                    contract=contract,
                    seller_item_id=f"ART-{a:04d}",
                    name=f"Artikel {a}",
                    unit_code="EA",
                    net_price=Decimal(5000),
                )
                for a in range(200)
            )
        mapping_save(
            actor=None,
            organisation=org,
            columns={
                "supplier_org_number": "Lev.orgnr",
                "invoice_number": "Fakturanr",
                "invoice_date": "Fakturadatum",
                "cost_centre": "Ansvar",
                "account": "Konto",
                "amount": "Belopp",
                "article": "Artikel",
                "quantity": "Antal",
            },
            cost_centres={"4711": "Ortopedkliniken", "4712": "Kirurgkliniken"},
        )
        data = export(args.lines, numbers, args.xlsx)
        kind = "xlsx" if args.xlsx else "csv"
        print(f"{args.lines:,} lines, {len(data) / 1e6:.1f} MB {kind}, {args.suppliers} suppliers")

        if not args.xlsx:
            lines = data.split(b"\n")
            cells = lines[-2].split(b";")
            cells[2] = b"2026-13-45"
            lines[-2] = b";".join(cells)
            bad = b"\n".join(lines)
            started = time.perf_counter()
            try:
                ledger_import(actor=None, organisation=org, data=bad, file_name="bad.csv")
            except LedgerRefused as exc:
                print(f"refused whole (all or nothing) in {time.perf_counter() - started:.1f} s: {exc.errors[0]}")

        # Matching is timed on the Matcher itself: every way in (the package's and the module's
        # match_documents, the invoice signals' handlers in spend/matching/matcher.py) runs
        # through Matcher.match or Matcher.match_stored, wherever the caller looked the name up.
        from kravspar.spend.matching import Matcher

        timings = {"match": 0.0, "calls": 0}

        def timed(method):  # type: ignore[no-untyped-def]
            def run(*a, **kw):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                try:
                    return method(*a, **kw)
                finally:
                    timings["match"] += time.perf_counter() - started
                    timings["calls"] += 1

            return run

        Matcher.match = timed(Matcher.match)  # type: ignore[method-assign]
        Matcher.match_stored = timed(Matcher.match_stored)  # type: ignore[method-assign]
        floor = read_floor(data, args.xlsx)
        cpu = time.process_time()
        started = time.perf_counter()
        result = ledger_import(actor=None, organisation=org, data=data, file_name=f"export.{kind}")
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        record = result.ledger_import
        matched_lines = LineMatch.objects.count()  # the database holds only this file's lines
        if not timings["calls"] or matched_lines != record.line_count:
            sys.exit(f"matching was not measured: {timings['calls']} calls, {matched_lines} of the lines matched")
        store = wall - timings["match"]
        print(
            f"imported {record.line_count:,} lines in {record.document_count:,} invoices "
            f"({record.without_article:,} without article) in {wall:.1f} s wall, {cpu:.1f} s CPU"
        )
        print(f"  read, check and store: {store:.1f} s ({record.line_count / store:,.0f} lines/s)")
        print(
            f"  match: {timings['match']:.1f} s ({record.line_count / timings['match']:,.0f} lines/s, "
            f"{timings['calls']} matcher call(s), every line matched)"
        )
        print(
            f"  floor (only reading the same file, same run): {floor:.1f} s "
            f"({record.line_count / floor:,.0f} lines/s); import is {wall / floor:.1f}x its floor"
        )
        statuses = LineMatch.objects.values_list("status").order_by()
        from collections import Counter

        print("  line statuses:", dict(Counter(s for (s,) in statuses)))
        print(f"peak memory {rss_mb():.0f} MB")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
