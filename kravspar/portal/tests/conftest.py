"""The portal's cast: supplier A (Städbolaget AB) with its contact Anna, supplier B
(Tvättbolaget AB) with its contact Bertil as the outsider, one contract each with both
regions, and Inköp's officer from the shared world."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.contracts.models import Contract, ContractRequirement
from kravspar.findings import services as findings_services
from kravspar.findings.models import Deviation, Severity
from kravspar.followups.models import Activity
from kravspar.suppliers.models import Supplier
from kravspar.testing.factories import SupplierFactory, UserFactory


@pytest.fixture
def supplier_a(world: Any) -> Supplier:
    return SupplierFactory.create(name="Städbolaget AB")


@pytest.fixture
def supplier_b(world: Any) -> Supplier:
    return SupplierFactory.create(name="Tvättbolaget AB")


@pytest.fixture
def contact_a(supplier_a: Supplier) -> User:
    return UserFactory.create(
        username="anna", first_name="Anna", last_name="Andersson", supplier=supplier_a, roles=[Role.SUPPLIER_CONTACT]
    )


@pytest.fixture
def contact_b(supplier_b: Supplier) -> User:
    return UserFactory.create(
        username="bertil", first_name="Bertil", last_name="Berg", supplier=supplier_b, roles=[Role.SUPPLIER_CONTACT]
    )


def make_contract(world: Any, supplier: Supplier, number: str, title: str, buyers: list[Any] | None = None) -> Contract:
    contract = Contract.objects.create(
        contract_number=number,
        title=title,
        signed_on=datetime.date(2025, 1, 15),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2027, 1, 31),
        fine_per_week=Decimal(5000),
        fine_cap_weeks=10,
        strategy_missing=False,
    )
    contract.buyers.set(buyers or [world.sormland, world.vastmanland])
    contract.suppliers.set([supplier])
    return contract


@pytest.fixture
def contract_a(world: Any, supplier_a: Supplier) -> Contract:
    return make_contract(world, supplier_a, "RS-2025-0001", "Städtjänster")


@pytest.fixture
def contract_b(world: Any, supplier_b: Supplier) -> Contract:
    return make_contract(world, supplier_b, "RS-2025-0002", "Tvätt")


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
        notes="Intern anteckning: ring Anna innan.",
    )


def make_deviation_with_plan(world: Any, contract: Contract, title: str) -> Deviation:
    activity = make_activity(contract)
    deviation = findings_services.deviation_raise(
        actor=world.officer, activity=activity, severity=Severity.MAJOR, title=title
    )
    findings_services.action_plan_agree(
        actor=world.officer,
        deviation=deviation,
        expected_version=None,
        agreed_on=datetime.date.today(),
        deadline=datetime.date.today() + datetime.timedelta(days=30),
        items=[("Betala ut mellanskillnaden", None)],
    )
    return Deviation.objects.get(pk=deviation.pk)


@pytest.fixture
def deviation_a(world: Any, contract_a: Contract) -> Deviation:
    return make_deviation_with_plan(world, contract_a, "Lön under kollektivavtalets nivå")


@pytest.fixture
def deviation_b(world: Any, contract_b: Contract) -> Deviation:
    return make_deviation_with_plan(world, contract_b, "Saknade skyddskläder")


@pytest.fixture
def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_document(
    contact: User,
    pdf: bytes,
    *,
    title: str = "ISO 14001-certifikat",
    kind: str = "certificate",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kravspar.portal import services

    return services.document_add(
        actor=contact,
        upload=SimpleUploadedFile("certifikat.pdf", pdf, content_type="application/pdf"),
        kind=kind,
        title=title,
        issuer="Intertek",
        valid_from=valid_from or datetime.date.today() - datetime.timedelta(days=100),
        valid_until=valid_until,
    )
