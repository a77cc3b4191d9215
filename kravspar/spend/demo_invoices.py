"""Demo: invoices for the last twelve months for every active contract.

Called by the spend demo (``spend.demo.seed``) after the story invoices of RV-2025-0107 are
matched. The simulated year (``followups.demo_year``) has about 150 contracts in force, but
without invoices its spend figures, contract loyalty and price checks would be empty. Here
every contract in force gets one invoice per month for each of the last twelve months it
ran (the current month included), written as Peppol BIS 3 (``invoices.generate.render``)
and imported through the operator's import service (``invoices.services.import_paths``, as
``manage.py import_invoices`` runs it): stored, matched to the contract by its reference,
priced against the contract's price list, counted in the spend, with the history of each
step. A contract without a price list first gets one article through the price-list
service, at a price that makes the year's invoices about a sixth of the contract's yearly
value. Every ``OVERPRICED_EVERY``-th contract bills its last two months above the agreed
price, so the economy findings are real ones too.

Relative to the demo's day, and safe to re-run: a month that already has an invoice
matched to the contract is skipped (so a later run adds the months since), and the import
reports a file it already has as a duplicate."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.core.dates import add_months
from kravspar.invoices.generate import InvoiceSpec, Line, Party, render
from kravspar.invoices.models import BatchSource, InvoiceDocument
from kravspar.invoices.services import import_paths
from kravspar.organisations.models import Organisation
from kravspar.spend import pricelists
from kravspar.spend.matching import match_documents
from kravspar.spend.models import InvoiceMatch, PriceListArticle
from kravspar.suppliers.models import Supplier

MONTHS = 12
OVERPRICED_EVERY = 15  # every fifteenth contract bills its last two months above the price
OVERPRICE = Decimal("1.08")  # 8 %: above the matcher's tolerance
SHARE_OF_YEARLY_VALUE = Decimal("0.16")  # what a year's invoices add up to, of a year's value
CENT = Decimal("0.01")


def month_starts(today: datetime.date) -> list[datetime.date]:
    """The first days of the last ``MONTHS`` months, the current one last."""
    current = today.replace(day=1)
    return [add_months(current, -k) for k in range(MONTHS - 1, -1, -1)]


def active_contracts(today: datetime.date) -> list[Contract]:
    """Contracts in force on ``today`` that began before it, with one supplier and buyer to bill."""
    return list(
        Contract.objects.filter(status=ContractStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today)
        .only("id", "contract_number", "title", "value", "starts_on", "ends_on")
        .prefetch_related(
            Prefetch("suppliers", queryset=Supplier.objects.only("id", "name", "org_number").order_by("id")),
            Prefetch("buyers", queryset=Organisation.objects.only("id", "name", "org_number").order_by("id")),
            Prefetch(
                "price_list",
                queryset=PriceListArticle.objects.order_by("id"),
                to_attr="demo_articles",
            ),
        )
        .order_by("id")
    )


def _invoiced_months(contracts: Iterable[Contract], first: datetime.date) -> set[tuple[int, datetime.date]]:
    """(contract id, first day of month) of the months already invoiced under each contract."""
    rows = InvoiceMatch.objects.filter(
        contract__in=[c.pk for c in contracts], issue_date__gte=first, document__kind="invoice"
    ).values_list("contract_id", "issue_date")
    return {(contract_id, issued.replace(day=1)) for contract_id, issued in rows}


def _months_of(contract: Contract, months: list[datetime.date], today: datetime.date) -> list[datetime.date]:
    return [m for m in months if add_months(m, 1) > contract.starts_on and m <= min(today, contract.ends_on)]


def _price_list(contract: Contract, officer: User | None) -> PriceListArticle:
    """The article the demo bills: the contract's first, or one made now through the service."""
    if contract.demo_articles:  # type: ignore[attr-defined]
        first: PriceListArticle = contract.demo_articles[0]  # type: ignore[attr-defined]
        return first
    yearly = Decimal(contract.value or 1_200_000) / 4
    price = Decimal(950)
    return pricelists.article_create(
        actor=officer,
        contract=contract,
        seller_item_id=f"DEMO-{contract.pk}",
        name=f"Leverans enligt avtal {contract.contract_number}"[:200],
        unit_code="EA",
        net_price=price,
        valid_from=contract.starts_on,
        note=f"Avtalat pris; ungefär {int(yearly * SHARE_OF_YEARLY_VALUE / 12 / price)} st i månaden.",
    )


def documents(contracts: list[Contract], today: datetime.date, officer: User | None = None) -> list[tuple[str, bytes]]:
    """The invoices not yet there, as (file name, UBL bytes)."""
    months = month_starts(today)
    done = _invoiced_months(contracts, months[0])
    files: list[tuple[str, bytes]] = []
    for index, contract in enumerate(contracts):
        suppliers, buyers = list(contract.suppliers.all()), list(contract.buyers.all())
        seller, buyer = suppliers[0] if suppliers else None, buyers[0] if buyers else None
        if seller is None or buyer is None or len(seller.org_number) != 10 or len(buyer.org_number) != 10:
            continue  # nobody to bill, or a seller the import could not name
        wanted = [m for m in _months_of(contract, months, today) if (contract.pk, m) not in done]
        if not wanted:
            continue
        article = _price_list(contract, officer)
        yearly = Decimal(contract.value or 1_200_000) / 4
        monthly = max(int(yearly * SHARE_OF_YEARLY_VALUE / 12 / article.net_price), 1)
        overpriced = index % OVERPRICED_EVERY == OVERPRICED_EVERY - 1
        for month in wanted:
            issue = min(max(month + datetime.timedelta(days=contract.pk % 25), contract.starts_on), today)
            end = min(add_months(month, 1) - datetime.timedelta(days=1), contract.ends_on, today)
            price = article.net_price
            if overpriced and month >= months[-2]:
                price = (price * OVERPRICE).quantize(CENT, ROUND_HALF_UP)
            quantity = Decimal(monthly + (contract.pk + month.month) % 7)
            spec = InvoiceSpec(
                number=f"D{contract.pk}-{month:%Y%m}",
                issue_date=issue,
                due_date=issue + datetime.timedelta(days=30),
                seller=Party(seller.name, seller.org_number),
                buyer=Party(buyer.name, buyer.org_number),
                buyer_reference=contract.contract_number,
                contract_reference=contract.contract_number,
                lines=[Line(article.seller_item_id, article.name, quantity, article.unit_code, price)],
                note=f"{contract.title[:80]}, {month:%Y-%m}",
                period_start=max(month, contract.starts_on),
                period_end=end,
            )
            files.append((f"{spec.number}.xml", render(spec)))
    return files


def seed(*, today: datetime.date | None = None) -> int:
    """Import the missing months' invoices; returns how many files were imported.

    The files go through ``import_paths``, the operator's grouped import (``manage.py
    import_invoices``), from a temporary folder: ``import_files``, the uploads' entry, matches
    each document on its own and took five times as long as the rest of this. Both match
    after the commit, which inside ``seed_demo``'s transaction is its end (and never, in the
    tests that roll the seeded demo back): the demo's invoices are matched here as well, in
    one grouped pass, as the spend demo matches the story invoices; matching again later
    changes nothing."""
    today = today or timezone.localdate()
    officer = User.objects.filter(username="inkopare").first()
    files = documents(active_contracts(today), today, officer)
    if not files:
        return 0
    with tempfile.TemporaryDirectory(prefix="kravspar-demo-invoices-") as folder:
        for name, data in files:
            (Path(folder) / name).write_bytes(data)
        with translation.override("sv"):
            batch = import_paths([folder], actor=officer, source=BatchSource.DEMO)
            batch.label = _("Demo: invoices of the last twelve months")  # not the temporary folder
    batch.save(update_fields=["label"])
    match_documents(InvoiceDocument.objects.filter(batch=batch).order_by("id").values_list("id", flat=True))
    return len(files)
