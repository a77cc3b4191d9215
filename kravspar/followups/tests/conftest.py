"""Contracts for the follow-up stories, built directly with the ORM.

The standard contract: "Städtjänster" in Region Västmanland, 2026-01-01 to 2027-12-31,
with a quality requirement followed up by Ortopedkliniken (the orderer's unit) every
6 months, and a labour-conditions requirement followed up by Inköp at the start."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kravspar.contracts.models import Contract, ContractExtension, ContractRequirement
from kravspar.followups.models import Activity
from kravspar.followups.planning import plan_contract

D = datetime.date
START = D(2026, 1, 1)
END = D(2027, 12, 31)


@pytest.fixture
def make_contract(world: Any) -> Any:
    counter = iter(range(1, 10_000))

    def make(
        *,
        buyers: list[Any] | None = None,
        starts_on: datetime.date = START,
        ends_on: datetime.date = END,
        requirements: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> Contract:
        n = next(counter)
        contract = Contract.objects.create(
            contract_number=fields.pop("contract_number", f"AVT-2026-{n:04d}"),
            title=fields.pop("title", "Städtjänster"),
            signed_on=starts_on - datetime.timedelta(days=14),
            starts_on=starts_on,
            ends_on=ends_on,
            **fields,
        )
        contract.buyers.set(buyers if buyers is not None else [world.vastmanland])
        for position, spec in enumerate(requirements or []):
            ContractRequirement.objects.create(
                contract=contract,
                position=position,
                type=spec.pop("type", "quality"),
                text=spec.pop("text", "Städningen ska hålla avtalad kvalitet."),
                title=spec.pop("title", f"Krav {position + 1}"),
                **spec,
            )
        return contract

    return make


@pytest.fixture
def contract(world: Any, make_contract: Any) -> Contract:
    return make_contract(
        requirements=[
            {
                "title": "Städkvalitet",
                "methods": ["spot_check", "survey"],
                "timing": "recurring",
                "interval_months": 6,
                "responsible": "ordering_unit",
                "responsible_unit": world.unit_vm,
            },
            {
                "title": "Arbetsrättsliga villkor",
                "type": "labour",
                "methods": ["document_review"],
                "timing": "at_start",
                "responsible": "purchasing",
                "responsible_unit": world.inkop,
            },
        ]
    )


@pytest.fixture
def planned(contract: Contract) -> Contract:
    plan_contract(contract, today=D(2026, 1, 1))
    return contract


@pytest.fixture
def quality_activity(planned: Contract) -> Activity:
    """The first quality spot check, due 2026-07-01, for Ortopedkliniken."""
    return Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=0)


def extend(contract: Contract, months: int, number: int = 1) -> ContractExtension:
    return ContractExtension.objects.create(contract=contract, number=number, months=months, decided_on=D(2027, 6, 1))
