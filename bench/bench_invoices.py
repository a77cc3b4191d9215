#!/usr/bin/env python3
"""Import and match a million e-invoice lines on a throw-away database, beside the speed of
parsing the same files with lxml alone.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_invoices.py [--lines 1000000] [--lines-per-invoice 20]

Builds a fresh SQLite database in a temporary folder (never the one in var/): two regions,
``--suppliers`` suppliers (valid organisation numbers), one contract per supplier and region
(a few hundred contracts) with the generator's 200-article catalogue as price list; on every
tenth contract one article's agreed price is 10 % below what the invoices charge, so the
price check raises deviations, and the last two suppliers have no contract at all (purchases
outside contract). Then it writes ``--lines`` / ``--lines-per-invoice`` Peppol BIS Billing 3.0
invoices with ``kravspar.invoices.generate`` and:

(a) parses every file with lxml alone (``etree.parse`` with entities and network off, then
    iterating the invoice lines and reading their amounts and item ids);
(b) imports them as ``manage.py import_invoices`` does (``import_paths`` with the bulk
    signal) while ``spend`` matches each stored group to contracts and articles and runs
    the checks.

Prints invoices and lines per second for both (wall clock, and the process's CPU time,
which a busy machine distorts less), the time spent matching, what matching found, and the
peak memory (the process's peak RSS).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="invoice lines in all (default 1,000,000)")
    parser.add_argument("--lines-per-invoice", type=int, default=20)
    parser.add_argument("--suppliers", type=int, default=150, help="suppliers; two of them without contract")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (files and database)")
    args = parser.parse_args()
    if args.lines < args.lines_per_invoice or args.lines_per_invoice < 1:
        parser.error("--lines must be at least --lines-per-invoice, which must be at least 1")
    if args.suppliers < 3:
        parser.error("--suppliers must be at least 3")
    return args


def configure(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir(parents=True)
    import django

    django.setup()


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n_suppliers: int) -> list:
    """The regions, suppliers, contracts and price lists. Returns the suppliers as Parties."""
    from django.core.management import call_command

    from kravspar.contracts.models import Contract
    from kravspar.invoices.generate import BUYERS, Party, catalogue, org_number
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
    parties = [
        Party(f"Bänkleverantör {i} AB", org_number(f"556{i:06d}"), "Gatan 1", "72212", "Västerås")
        for i in range(1, n_suppliers + 1)
    ]
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


def parse_with_lxml(folder: Path) -> tuple[int, int, float, float]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    invoices = lines = 0
    started = time.perf_counter()
    cpu = time.process_time()
    tags = (f"{{{UBL_CAC}}}InvoiceLine", f"{{{UBL_CAC}}}CreditNoteLine")
    amount_tag = f"{{{UBL_CBC}}}LineExtensionAmount"
    for path in sorted(folder.rglob("*.xml")):
        root = etree.parse(str(path), parser).getroot()
        invoices += 1
        for line in root.iter(*tags):
            line.findtext(amount_tag)
            line.findtext(f"{{{UBL_CAC}}}Item/{{{UBL_CAC}}}SellersItemIdentification/{{{UBL_CBC}}}ID")
            lines += 1
    return invoices, lines, time.perf_counter() - started, time.process_time() - cpu


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
    configure(str(tmp / "var"))
    from kravspar.invoices.generate import write_many
    from kravspar.invoices.services import import_paths
    from kravspar.invoices.signals import invoices_stored
    from kravspar.spend import matching
    from kravspar.spend.models import EconomyFinding, InvoiceMatch, LineMatch, OffContractPurchase

    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, SQLite in {tmp}")
    started = time.perf_counter()
    parties = build(args.suppliers)
    print(f"set-up took {time.perf_counter() - started:.1f} s")

    count = args.lines // args.lines_per_invoice
    folder = tmp / "invoices"
    started = time.perf_counter()
    written = write_many(folder, count, args.lines_per_invoice, suppliers=parties, seed=7)
    seconds = time.perf_counter() - started
    print(f"wrote {count} invoices ({count * args.lines_per_invoice} lines, {written / 1e6:.0f} MB) in {seconds:.1f} s")

    n_inv, n_lines, seconds, cpu = parse_with_lxml(folder)
    print(
        f"(a) lxml alone:      {n_inv} invoices, {n_lines} lines in {seconds:.1f} s = "
        f"{n_inv / seconds:,.0f} invoices/s, {n_lines / seconds:,.0f} lines/s (CPU {cpu:.1f} s)"
    )

    # Time the matching inside the import: the receiver is wrapped, not replaced.
    spent = {"match": 0.0, "match_cpu": 0.0}
    invoices_stored.disconnect(dispatch_uid="spend.match_invoices")

    def timed(sender, documents, **kwargs):  # type: ignore[no-untyped-def]
        t0, c0 = time.perf_counter(), time.process_time()
        matching.on_invoices_stored(sender, documents=documents)
        spent["match"] += time.perf_counter() - t0
        spent["match_cpu"] += time.process_time() - c0

    invoices_stored.connect(timed, dispatch_uid="bench.match_invoices", weak=False)
    started, cpu = time.perf_counter(), time.process_time()
    batch = import_paths([folder], bulk_signal=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"(b) import + match: {batch.imported_count} invoices, {batch.line_count} lines in {seconds:.1f} s = "
        f"{batch.imported_count / seconds:,.0f} invoices/s, {batch.line_count / seconds:,.0f} lines/s "
        f"(of which matching {spent['match']:.1f} s = {batch.line_count / max(spent['match'], 1e-9):,.0f} lines/s)"
    )
    print(f"    CPU time: import + match {cpu:.1f} s, of which matching {spent['match_cpu']:.1f} s")
    print(
        f"    refused {batch.refused_count}, duplicates {batch.duplicate_count}; "
        f"matched to a contract: {InvoiceMatch.objects.filter(contract__isnull=False).count()}, "
        f"lines matched: {LineMatch.objects.filter(article__isnull=False).count()}, "
        f"outside contract: {OffContractPurchase.objects.count()}, "
        f"economy deviations: {EconomyFinding.objects.count()}"
    )
    print(f"peak RSS: {rss_mb():.0f} MB; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
