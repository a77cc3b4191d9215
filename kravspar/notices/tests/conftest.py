"""Notice fixtures: the corpus, a notice rewritten for a buyer Kravspår serves, and a
procurement with an approved strategy waiting for its award notice."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kravspar.notices.eforms import parse
from kravspar.notices.generate import award_notice
from kravspar.procurements import services as procurement_services
from kravspar.procurements.tests.test_gate import plan_fully

CORPUS = Path(__file__).parent / "corpus" / "notices"
SUPPLIER_ORG_NUMBER = "5560541889"


def for_buyer(data: bytes, org_number: str) -> bytes:
    """The notice with every buyer's organisation number replaced by ``org_number``."""
    for buyer in parse(data).buyers:
        data = data.replace(f">{buyer.company_id}<".encode(), f">{org_number}<".encode())
    return data


@pytest.fixture
def approved(world: Any, second_officer: Any) -> Any:
    """Medical consumables for Region Västmanland, the strategy approved, advertised in the
    tender system. (Below the EU threshold, so no labour-law needs assessment is due.)"""
    from kravspar.cpv.models import CpvCode

    procurement = procurement_services.procurement_create(
        actor=world.officer,
        buyers=[world.vastmanland],
        registry_number="RV-2026-0900",
        title="Sårvårdsprodukter",
        kind="goods",
        procedure="open",
        officer=world.officer,
        cpv_main=CpvCode.objects.get(code="33141000"),
        estimated_value=1_500_000,
        duration_months=24,
        criticality=2,
        supply_risk=2,
    )
    plan_fully(world, procurement)
    procurement_services.strategy_submit(actor=world.officer, procurement=procurement)
    procurement_services.strategy_approve(actor=second_officer, procurement=procurement)
    procurement_services.procurement_transition(actor=world.officer, procurement=procurement, to="advertised")
    procurement.refresh_from_db()
    return procurement


def award_for(procurement: Any, *, number: str = "EF-2026-001", months: int = 24, **kw: Any) -> bytes:
    return award_notice(
        registry_number=procurement.registry_number,
        buyer_org_number=procurement.buyers.order_by("name").first().org_number,
        contract_number=number,
        supplier_name=kw.get("supplier_name", "Städbolaget AB"),
        supplier_org_number=kw.get("supplier_org_number", SUPPLIER_ORG_NUMBER),
        value=kw.get("value", Decimal(12_000_000)),
        signed_on=kw.get("signed_on", datetime.date(2026, 1, 15)),
        months=months,
        folder_id=kw.get("folder_id", ""),
    )
