"""One import run keeps one Matcher: its running spend totals per contract must always be
what a plain SQL recount of the line matches gives, however the batches fall."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from kravspar.contracts.models import Contract
from kravspar.spend.matching import Matcher
from kravspar.spend.models import Check, EconomyFinding, LineMatch
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db


def recount(contract: Contract) -> Decimal:
    total = LineMatch.objects.filter(contract=contract, currency="SEK").aggregate(s=Sum("net_amount"))["s"]
    return total or Decimal(0)


def test_running_totals_equal_a_plain_sql_recount(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    matcher = Matcher(tolerance=Decimal(2))

    def invoice(quantity: int, currency: str = "SEK") -> Any:
        return make_invoice(
            supplier=supplier,
            buyer=world.vastmanland,
            currency=currency,
            lines=[{"item": "ART-0001", "price": 100, "quantity": quantity}, {"item": "ART-0002", "price": 10}],
        )

    first = invoice(100)
    matcher.match([first.pk])
    assert matcher.spent == {contract.pk: recount(contract)} == {contract.pk: Decimal("10010.00")}

    # A later batch adds to the total without re-summing; a euro invoice does not count.
    batch = [invoice(200), invoice(300, currency="EUR"), invoice(50)]
    matcher.match([d.pk for d in batch])
    assert matcher.spent[contract.pk] == recount(contract) == Decimal("35030.00")

    # Matching an invoice again (a re-run) must not count it twice.
    matcher.match([first.pk, batch[0].pk])
    assert matcher.spent_in_kronor([contract.pk]) == {contract.pk: recount(contract)}
    assert recount(contract) == Decimal("35030.00")
    assert not EconomyFinding.objects.filter(check_type=Check.OVER_VALUE).exists()

    # The contract's value is 100,000 SEK: the invoice that passes it raises the finding.
    past = invoice(700)
    matcher.match([past.pk])
    assert matcher.spent[contract.pk] == recount(contract) == Decimal("105040.00")
    assert EconomyFinding.objects.get(check_type=Check.OVER_VALUE).document == past
