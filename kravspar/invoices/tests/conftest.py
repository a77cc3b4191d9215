"""Fixtures for the invoice tests: officers who see one region only, and invoices
written by the generator."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.invoices.generate import REGION_SORMLAND, REGION_VASTMANLAND, SUPPLIERS, InvoiceSpec, Line, render
from kravspar.testing.factories import UnitFactory, UserFactory

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Invoice originals go to storage: a folder of the test's own, outside the folders
    the tests import from."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _swedish() -> Any:
    with translation.override("sv"):
        yield


@pytest.fixture
def officer_sl(world: Any) -> User:
    """A procurement officer of Region Sörmland outside the joint Inköp unit: sees Sörmland only."""
    unit = UnitFactory.create(organisation=world.sormland, name="Upphandling Sörmland")
    return UserFactory.create(
        username="officer_sl", organisation=world.sormland, unit=unit, roles=[Role.PROCUREMENT_OFFICER]
    )


@pytest.fixture
def officer_vm(world: Any) -> User:
    unit = UnitFactory.create(organisation=world.vastmanland, name="Upphandling Västmanland")
    return UserFactory.create(
        username="officer_vm", organisation=world.vastmanland, unit=unit, roles=[Role.PROCUREMENT_OFFICER]
    )


def spec(**overrides: Any) -> InvoiceSpec:
    values: dict[str, Any] = {
        "number": "F-1001",
        "issue_date": datetime.date(2026, 3, 2),
        "due_date": datetime.date(2026, 4, 1),
        "seller": SUPPLIERS[0],
        "buyer": REGION_VASTMANLAND,
        "buyer_reference": "Ortopedkliniken",
        "order_reference": "RV-2025-0107-0001",
        "contract_reference": "RV-2025-0107",
        "lines": [
            Line("ART-0001", "Lokalvård vårdavdelning", Decimal(120), "HUR", Decimal("425.00"), cpv="90911200"),
            Line(
                "ART-0007",
                "Handsprit 500 ml",
                Decimal(24),
                "EA",
                Decimal("39.90"),
                gtin="7350000000019",
                cpv="33631600",
            ),
        ],
    }
    values.update(overrides)
    return InvoiceSpec(**values)


@pytest.fixture
def make_xml() -> Callable[..., bytes]:
    """make_xml(**overrides) -> a BIS 3 invoice to Region Västmanland as bytes."""

    def make(**overrides: Any) -> bytes:
        return render(spec(**overrides))

    return make


__all__ = ["CORPUS", "REGION_SORMLAND", "REGION_VASTMANLAND", "spec"]
