"""The matcher's contract index, read as rows: each contract's effective end must be what
``contract_end`` gives for the model instance (extensions used, an early termination)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kravspar.contracts.models import Contract, ContractExtension, ContractStatus
from kravspar.spend.matching import contract_end, load_contracts

pytestmark = pytest.mark.django_db


def test_the_index_ends_each_contract_as_contract_end_does(
    world: Any, supplier: Any, contract: Contract, sormland_contract: Contract
) -> None:
    # Two options used (2 + 3 months) on a contract ending on a month's last day.
    for number, months in ((1, 2), (2, 3)):
        ContractExtension.objects.create(
            contract=contract, number=number, months=months, decided_on=datetime.date(2026, 6, 1)
        )
    # Terminated early, with an option used: the day it ended wins.
    Contract.objects.filter(pk=sormland_contract.pk).update(
        status=ContractStatus.TERMINATED, ended_on=datetime.date(2025, 9, 15)
    )
    ContractExtension.objects.create(
        contract=sormland_contract, number=1, months=6, decided_on=datetime.date(2025, 6, 1)
    )
    # No option used, no buyer or supplier, no value.
    bare = Contract.objects.create(
        contract_number="X-1",
        title="Utan parter",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 1, 30),
        ends_on=datetime.date(2025, 11, 30),
        value=None,
        strategy_missing=False,
    )

    index = load_contracts()

    assert index[contract.pk].end == datetime.date(2027, 5, 31)
    assert index[sormland_contract.pk].end == datetime.date(2025, 9, 15)
    assert index[bare.pk].end == datetime.date(2025, 11, 30)
    for c in Contract.objects.all():
        used = sum(c.extensions.values_list("months", flat=True))
        info = index[c.pk]
        assert info.end == contract_end(c, used)
        assert (info.number, info.starts_on, info.value) == (c.contract_number, c.starts_on, c.value)
        assert info.supplier_ids == set(c.suppliers.values_list("id", flat=True))
        assert info.buyer_ids == set(c.buyers.values_list("id", flat=True))
    assert index[contract.pk].value == Decimal(100000)
    assert index[bare.pk].supplier_ids == set() == index[bare.pk].buyer_ids
