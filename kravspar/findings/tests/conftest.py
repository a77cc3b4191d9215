"""A signed cleaning contract for both regions, with one requirement, one follow-up
activity and one supplier, built directly with the ORM (the contracts and follow-up
services are someone else's work in progress)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kravspar.contracts.models import Contract, ContractRequirement, Subcontractor
from kravspar.findings import services
from kravspar.findings.models import Deviation, Severity
from kravspar.followups.models import Activity
from kravspar.testing.factories import SupplierFactory

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def supplier(world: Any) -> Any:
    return SupplierFactory.create(name="Städbolaget AB")


@pytest.fixture
def contract(world: Any, supplier: Any) -> Contract:
    contract = Contract.objects.create(
        contract_number="RS-2025-0001",
        title="Städtjänster",
        signed_on=datetime.date(2025, 1, 15),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2027, 1, 31),
        fine_per_week=Decimal(5000),
        fine_cap_weeks=10,
        termination_grounds="Väsentligt avtalsbrott, § 14.",
        strategy_missing=False,
    )
    contract.buyers.set([world.sormland, world.vastmanland])
    contract.suppliers.set([supplier])
    return contract


@pytest.fixture
def sormland_contract(world: Any, supplier: Any) -> Contract:
    """A contract only Region Sörmland calls off from."""
    contract = Contract.objects.create(
        contract_number="RS-2025-0002",
        title="Tvätt",
        signed_on=datetime.date(2025, 1, 15),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2027, 1, 31),
    )
    contract.buyers.set([world.sormland])
    contract.suppliers.set([supplier])
    return contract


def make_activity(contract: Contract, title: str = "Arbetsvillkor enligt kollektivavtal") -> Activity:
    requirement = ContractRequirement.objects.create(
        contract=contract, title=title, type="labour", text="Lön enligt lägst kollektivavtalets nivå."
    )
    return Activity.objects.create(
        contract=contract,
        requirement=requirement,
        method="self_assessment",
        due_on=datetime.date(2026, 1, 15),
        responsible="purchasing",
    )


@pytest.fixture
def activity(contract: Contract) -> Activity:
    return make_activity(contract)


@pytest.fixture
def subcontractor(contract: Contract, supplier: Any) -> Subcontractor:
    return Subcontractor.objects.create(contract=contract, supplier=supplier, name="Underentreprenör AB", role="Städ")


@pytest.fixture
def raise_deviation(world: Any, activity: Activity) -> Any:
    def make(severity: str = Severity.MAJOR, title: str = "Lön under kollektivavtalets nivå", **kw: Any) -> Deviation:
        # Found a while ago, so that tests can agree plans whose deadlines have passed
        # (agreed within KRAVSPAR_ACTION_PLAN_DAYS of being found, 40 days ago at the earliest).
        kw.setdefault("raised_on", timezone.localdate() - datetime.timedelta(days=50))
        return services.deviation_raise(
            actor=world.officer, activity=kw.pop("activity", activity), severity=severity, title=title, **kw
        )

    return make


@pytest.fixture
def with_plan(world: Any) -> Any:
    """agree(deviation, deadline) -> the deviation, reloaded, with an agreed action plan."""

    def agree(deviation: Deviation, deadline: datetime.date, agreed_on: datetime.date | None = None) -> Deviation:
        services.action_plan_agree(
            actor=world.officer,
            deviation=deviation,
            expected_version=None,
            # A month before the deadline, but never before the deviation was found nor
            # more than the allowed 30 days after it.
            agreed_on=agreed_on
            or min(
                max(deadline - datetime.timedelta(days=30), deviation.raised_on),
                deviation.raised_on + datetime.timedelta(days=30),
            ),
            deadline=deadline,
            items=[("Betala ut mellanskillnaden", None)],
        )
        return Deviation.objects.get(pk=deviation.pk)

    return agree
