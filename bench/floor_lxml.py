#!/usr/bin/env python3
"""The physical floor of an invoice import: lxml parsing the same files, nothing else.

    .venv/bin/python bench/floor_lxml.py FOLDER

Parses every ``*.xml`` under FOLDER with ``etree.parse`` (entities and network off, as the
reader does), iterates the invoice lines and reads each line's amount and item id. Prints
invoices, lines, wall-clock and CPU seconds. ``bench_invoices.py`` imports ``parse_floor``
and runs it on the same files in the same run as the import it compares.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def parse_floor(folder: Path) -> tuple[int, int, float, float]:
    """(invoices, lines, wall seconds, CPU seconds) of parsing every file under ``folder``."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    tags = (f"{{{UBL_CAC}}}InvoiceLine", f"{{{UBL_CAC}}}CreditNoteLine")
    amount = f"{{{UBL_CBC}}}LineExtensionAmount"
    item = f"{{{UBL_CAC}}}Item/{{{UBL_CAC}}}SellersItemIdentification/{{{UBL_CBC}}}ID"
    invoices = lines = 0
    started, cpu = time.perf_counter(), time.process_time()
    for path in sorted(folder.rglob("*.xml")):
        root = etree.parse(str(path), parser).getroot()
        invoices += 1
        for line in root.iter(*tags):
            line.findtext(amount)
            line.findtext(item)
            lines += 1
    return invoices, lines, time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    n, lines, wall, cpu = parse_floor(Path(sys.argv[1]))
    print(f"{n} invoices, {lines} lines: {wall:.2f} s wall, {cpu:.2f} s CPU ({lines / cpu:,.0f} lines/s CPU)")
