#!/usr/bin/env python3
"""The query plans behind the indexes the invoice import no longer writes (issue 15).

    DJANGO_SECRET_KEY=x .venv/bin/python bench/explain_import_indexes.py [--invoices 5000] [--setup-cache DIR]
    DJANGO_SECRET_KEY=x .venv/bin/python scripts/with_postgres.py .venv/bin/python bench/explain_import_indexes.py \\
        --invoices 5000 --use-database-url

Runs ``bench_invoices.py`` (same arguments: the set-up, then ``import_invoices`` of the
generated files) and then, on the database it filled, EXPLAINs every query that looks
``spend_invoicematch`` up by its contract or organisation: first with the schema as the
migrations leave it (no single-column index on either), then with the dropped index made
again inside a transaction that is rolled back. The single-column indexes on
``invoices_invoiceline`` (seller's item id, standard item id, CPV code) have no query to
explain: nothing in the code filters, orders or joins invoice lines by those columns.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_invoices


def explain(sql: str, params: list) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def timed(sql: str, params: list, repeat: int = 20) -> float:
    """Milliseconds per execution (wall, median of ``repeat``, after three to warm the cache)."""
    from django.db import connection

    spent = []
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(sql, params)
            cursor.fetchall()
        for _ in range(repeat):
            at = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            spent.append(time.perf_counter() - at)
    spent.sort()
    return spent[len(spent) // 2] * 1000


def queries() -> list[tuple[str, str, str, list]]:
    """(label, the dropped index's CREATE statement, SQL, params) of each query."""

    from kravspar.spend.models import InvoiceMatch

    contract_id, organisation_id = (
        InvoiceMatch.objects.filter(contract__isnull=False)
        .order_by("id")
        .values_list("contract_id", "organisation_id")
        .first()
    )
    by_contract = "CREATE INDEX bench_im_contract ON spend_invoicematch (contract_id)"
    by_org = "CREATE INDEX bench_im_org ON spend_invoicematch (organisation_id)"
    result = []

    def add(label: str, create: str, qs) -> None:  # type: ignore[no-untyped-def]
        sql, params = qs.query.sql_with_params()
        result.append((label, create, sql, list(params)))

    # Deleting a contract or organisation: the PROTECT check Django's collector runs.
    add("PROTECT check, contract deleted", by_contract, InvoiceMatch.objects.filter(contract_id__in=[contract_id]))
    add(
        "PROTECT check, organisation deleted",
        by_org,
        InvoiceMatch.objects.filter(organisation_id__in=[organisation_id]),
    )
    # The demo's invoiced months (contract__in, issue_date >=).
    import datetime

    add(
        "demo invoiced months",
        by_contract,
        InvoiceMatch.objects.filter(
            contract__in=[contract_id], issue_date__gte=datetime.date(2025, 1, 1), document__kind="invoice"
        ).values_list("contract_id", "issue_date"),
    )
    # A person's visible matches by date without the queue's filter: no page or API makes
    # this query (the work queue below filters by needs_attention, the line list reads line
    # matches), shown because it is the one the dropped index made faster on SQLite.
    add(
        "an organisation's matches by date, first 50 (no such query in the app)",
        by_org,
        InvoiceMatch.objects.filter(organisation_id__in=[organisation_id]).order_by("-issue_date", "-id")[:50],
    )
    add(
        "work queue of one organisation",
        by_org,
        InvoiceMatch.objects.filter(organisation_id__in=[organisation_id], needs_attention=True).order_by(
            "-issue_date", "-id"
        )[:50],
    )
    return result


def main() -> None:
    args = bench_invoices.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kravspar-explain-"))
    try:
        bench_invoices.run(args, tmp)
        explain_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def explain_all() -> None:
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"\nPlans on {connection.vendor} (the plan without the index first, then with it):")
    for label, create, sql, params in queries():
        print(f"\n## {label}\n    {sql % tuple(repr(p) for p in params)}")
        print(f"  without the index ({timed(sql, params):.3f} ms):")
        for line in explain(sql, params):
            print(f"      {line}")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(create)
                if connection.vendor == "postgresql":
                    cursor.execute("ANALYZE spend_invoicematch")
            ms = timed(sql, params)
            plan = explain(sql, params)
            transaction.set_rollback(True)
        print(f"  with the index ({ms:.3f} ms):")
        for line in plan:
            print(f"      {line}")


if __name__ == "__main__":
    main()
