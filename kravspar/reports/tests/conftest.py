"""Two contracts, one per region, with follow-ups in every state, deviations, a sanction,
and two procurements with aims; built with the ORM so that the figures are known.

Dates are relative to today, and tests ask for the period PERIOD around it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kravspar.contracts.models import Contract, ContractRequirement, Subcontractor
from kravspar.findings.models import Decision, Deviation, Sanction, SanctionKind, Severity
from kravspar.followups.models import Activity, ActivityStatus, Outcome
from kravspar.procurements.models import AimAssessment, Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.requirements.models import Requirement
from kravspar.testing.factories import SupplierFactory

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def period() -> dict[str, str]:
    return {"from": (today() - 100 * DAY).isoformat(), "to": (today() + 100 * DAY).isoformat()}


@dataclass
class Data:
    contract_vm: Contract
    contract_sl: Contract
    procurement_vm: Procurement
    procurement_sl: Procurement
    local_supplier: Any
    big_supplier: Any


def make_contract(number: str, buyers: list[Any], supplier: Any, value: int) -> Contract:
    contract = Contract.objects.create(
        contract_number=number,
        title=f"Avtal {number}",
        signed_on=today() - 400 * DAY,
        starts_on=today() - 400 * DAY,
        ends_on=today() + 400 * DAY,
        value=Decimal(value),
        strategy_missing=False,
    )
    contract.buyers.set(buyers)
    contract.suppliers.set([supplier])
    return contract


def requirement(contract: Contract, title: str, type: str, aims: list[int], **kw: Any) -> ContractRequirement:
    return ContractRequirement.objects.create(contract=contract, title=title, type=type, text=title, aims=aims, **kw)


def activity(
    req: ContractRequirement, due: int, *, done: int | None = None, occurrence: int = 0, unit: Any = None, **kw: Any
) -> Activity:
    return Activity.objects.create(
        contract=req.contract,
        requirement=req,
        occurrence=occurrence,
        method=kw.pop("method", "self_assessment"),
        due_on=today() + due * DAY,
        responsible="purchasing",
        responsible_unit=unit,
        status=ActivityStatus.DONE if done is not None else ActivityStatus.PLANNED,
        outcome=Outcome.COMPLIANT if done is not None else "",
        completed_on=today() + done * DAY if done is not None else None,
        **kw,
    )


def procurement(number: str, buyer: Any, *, approved: bool, aims: list[int]) -> Procurement:
    p = Procurement.objects.create(
        registry_number=number,
        title=f"Upphandling {number}",
        kind="services",
        status=ProcurementStatus.ADVERTISED,
        advertised_on=today(),
    )
    p.buyers.set([buyer])
    if approved:
        Strategy.objects.create(procurement=p, number=1, status=StrategyStatus.APPROVED, approved_at=timezone.now())
    for aim in aims:
        AimAssessment.objects.create(procurement=p, aim=aim, relevant=True, how="Krav i upphandlingen.")
    return p


@pytest.fixture
def data(world: Any) -> Data:
    local = SupplierFactory.create(name="Västerås Städ AB", county="19", size_class="small")
    big = SupplierFactory.create(name="Storbolaget AB", county="01", size_class="large")
    vm = make_contract("VM-1", [world.vastmanland], local, 1_000_000)
    sl = make_contract("SL-1", [world.sormland], big, 3_000_000)
    labour = requirement(vm, "Kollektivavtalsenliga villkor", "labour", [4, 6], binds_subcontractors=True)
    quality = requirement(vm, "Städkvalitet", "quality", [1])
    activity(labour, -20, done=-21, unit=world.inkop)  # done on time
    activity(quality, -30, done=-25, unit=world.unit_vm, method="spot_check")  # done late
    activity(quality, -10, occurrence=1, unit=world.unit_vm, method="spot_check")  # overdue
    activity(labour, 10, occurrence=1, unit=world.inkop)  # not yet due
    Subcontractor.objects.create(contract=vm, supplier=local, name="UE AB", role="Fönsterputs")
    Deviation.objects.create(
        contract=vm, supplier=local, kind="labour", severity=Severity.MAJOR, title="Lön under avtal", raised_on=today()
    )
    env = requirement(sl, "Miljömärkta kemikalier", "environment", [3])
    activity(env, -5, unit=world.unit_sl)  # overdue, Sörmland
    Deviation.objects.create(
        contract=sl,
        supplier=big,
        kind="environment",
        severity=Severity.CRITICAL,
        title="Fel kemikalier",
        raised_on=today() - 3 * DAY,
    )
    Sanction.objects.create(
        contract=sl,
        decision=Decision.APPLY,
        kind=SanctionKind.FINE,
        amount=Decimal(10000),
        decided_on=today() - 2 * DAY,
    )
    p_vm = procurement("VM-P-1", world.vastmanland, approved=True, aims=[4, 6])
    Requirement.objects.create(procurement=p_vm, title="Arbetsvillkor", type="labour", text="Lön", aims=[4])
    p_sl = procurement("SL-P-1", world.sormland, approved=False, aims=[3])
    return Data(vm, sl, p_vm, p_sl, local, big)
