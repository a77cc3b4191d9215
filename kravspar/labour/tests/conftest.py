"""The labour cast, on top of the shared world: a cleaning procurement of Region
Västmanland above the EU threshold with the officer as its procurement officer, a second
Inköp officer who is not on it, the cleaning company with its contact Anna, a window
cleaner as subcontractor, and the building company with its contact Bertil as outsider."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract, Subcontractor
from kravspar.cpv.models import CpvCode
from kravspar.labour import services
from kravspar.labour.models import CollectiveAgreement, LabourFollowUp, NeedDecision, WorkLocation
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Procurement
from kravspar.suppliers.models import Supplier
from kravspar.testing.factories import SupplierFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "lonebesked-maj.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_procurement(
    world: Any, number: str, *, cpv: str = "90910000", value: int = 5_000_000, kind: str = "services"
) -> Procurement:
    return procurement_services.procurement_create(
        actor=world.officer,
        buyers=[world.vastmanland],
        registry_number=number,
        title=f"Lokalvård {number}",
        officer=world.officer,
        kind=kind,
        cpv_main=CpvCode.objects.get(code=cpv),
        estimated_value=Decimal(value),
    )


@dataclass
class Cast:
    procurement: Procurement
    agreement: CollectiveAgreement
    contract: Contract
    supplier: Supplier
    contact: User
    subcontractor: Subcontractor
    outsider_supplier: Supplier
    outsider: User
    other_officer: User


@pytest.fixture
def cast(world: Any) -> Cast:
    procurement = make_procurement(world, "RV-2026-0900")
    agreement = CollectiveAgreement.objects.get(name="Serviceentreprenadavtalet")
    services.assessment_record(
        actor=world.officer,
        procurement=procurement,
        decision=NeedDecision.NEEDED,
        reason="Städ är arbetskraftsintensivt med risk för låga löner.",
        work_location=WorkLocation.SWEDEN,
        agreement=agreement,
    )
    services.conditions_set(actor=world.officer, procurement=procurement, agreement=agreement)
    supplier = SupplierFactory.create(name="Städbolaget AB")
    outsider_supplier = SupplierFactory.create(name="Byggbolaget AB")
    contract = contract_services.contract_register_direct(
        actor=world.officer,
        procurement=procurement,
        suppliers=[supplier],
        buyers=[world.vastmanland],
        contract_number="RV-2026-0900",
        title="Lokalvård",
        signed_on=datetime.date(2025, 12, 1),
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2028, 12, 31),
    )
    sub = contract_services.subcontractor_add(
        actor=world.officer,
        contract=contract,
        supplier=supplier,
        name="Fönsterputsarna AB",
        country="SE",
        role="Fönsterputs",
    )
    return Cast(
        procurement=procurement,
        agreement=agreement,
        contract=contract,
        supplier=supplier,
        contact=UserFactory.create(username="anna", supplier=supplier, roles=[Role.SUPPLIER_CONTACT]),
        subcontractor=sub,
        outsider_supplier=outsider_supplier,
        outsider=UserFactory.create(username="bertil", supplier=outsider_supplier, roles=[Role.SUPPLIER_CONTACT]),
        other_officer=UserFactory.create(
            username="officer2", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
        ),
    )


@pytest.fixture
def followup(world: Any, cast: Cast) -> LabourFollowUp:
    return services.followup_open(actor=world.officer, contract=cast.contract)
