"""The findings tests' small signed contract with one follow-up activity, reused here, and
what the retention tests build again and again: a media folder of their own, a contract of
one buyer and one supplier, and a rule of the retention schedule."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kravspar.contracts.models import Contract
from kravspar.findings.tests.conftest import activity, contract, raise_deviation, supplier  # noqa: F401
from kravspar.records import services
from kravspar.records.models import Anchor, PeriodUnit, RetentionRule


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(settings: Any) -> set[str]:
    """The files left in the media folder."""
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def make_contract(number: str, ends_on: datetime.date, buyer: Any, seller: Any, title: str = "") -> Contract:
    made = Contract.objects.create(
        contract_number=number,
        title=title or number,
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=ends_on,
    )
    made.buyers.set([buyer])
    made.suppliers.set([seller])
    return made


@pytest.fixture
def make_rule(world: Any) -> Callable[..., RetentionRule]:
    """A rule for Region Sörmland, made by the administrator: two years from the contract's
    end unless told otherwise."""

    def make(record_type: str, **fields: Any) -> RetentionRule:
        values: dict[str, Any] = {
            "actor": world.admin,
            "organisation": world.sormland,
            "record_type": record_type,
            "anchor": Anchor.CONTRACT_END,
            "period": 2,
            "unit": PeriodUnit.YEARS,
            "decision": "RS-2024-0456 DHP 4.6",
        }
        return services.retention_rule_create(**(values | fields))

    return make
