"""The secrecy cast on top of the shared world: the findings' cleaning contract (supplier A,
both regions) with its Inköp follow-up assigned to the officer, an evidence file on it, a
deviation, a request with answers, supplier A's library document; supplier B with its contact
as the outsider, and a data protection officer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.findings.models import Deviation
from kravspar.findings.tests.conftest import activity, contract, raise_deviation, supplier, with_plan  # noqa: F401
from kravspar.followups import uploads
from kravspar.followups.models import Evidence
from kravspar.portal.models import SupplierDocument
from kravspar.secrecy import services
from kravspar.secrecy.models import MarkKind, Provision, SecrecyMark
from kravspar.testing.factories import SupplierFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE_NAME = "lonespecifikation-bertil.pdf"


@dataclass
class Cast:
    evidence: Evidence
    deviation: Deviation
    document: SupplierDocument
    contact: User  # supplier A's contact: the supplier the items concern
    outsider: User  # supplier B's contact
    dpo: User
    other_officer: User  # Inköp, but not on this contract
    provision: Provision


@pytest.fixture
def cast(world: Any, contract: Any, activity: Any, supplier: Any, raise_deviation: Any) -> Cast:  # noqa: F811
    activity.responsible_person = world.officer
    activity.save(update_fields=["responsible_person"])
    evidence = uploads.evidence_add(
        actor=world.officer,
        activity=activity,
        upload=SimpleUploadedFile(FILE_NAME, PDF, content_type="application/pdf"),
    )
    document = SupplierDocument.objects.create(
        supplier=supplier,
        kind="certificate",
        title="Lönelista för städpersonalen",
        valid_from="2026-01-01",
        file=SimpleUploadedFile("lonelista.pdf", PDF),
        original_name="lonelista.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    return Cast(
        evidence=evidence,
        deviation=raise_deviation(title="Lön under avtalets nivå", description="Bertil fick 98 kr i timmen."),
        document=document,
        contact=UserFactory.create(username="anna", supplier=supplier, roles=[Role.SUPPLIER_CONTACT]),
        outsider=UserFactory.create(
            username="bertil", supplier=SupplierFactory.create(name="Byggbolaget AB"), roles=[Role.SUPPLIER_CONTACT]
        ),
        dpo=UserFactory.create(
            username="dpo", organisation=world.sormland, unit=world.inkop, roles=[Role.DATA_PROTECTION_OFFICER]
        ),
        other_officer=UserFactory.create(
            username="officer2", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
        ),
        provision=Provision.objects.get(code="OSL 39 kap. 3 §"),
    )


@pytest.fixture
def marked(world: Any, cast: Cast) -> dict[str, SecrecyMark]:
    """The evidence, the deviation and the library document, each marked by the officer."""
    reason = "Lönespecifikation med namngiven anställd."
    return {
        kind: services.mark_set(actor=world.officer, kind=kind, item=item, provision=cast.provision, reason=reason)
        for kind, item in (
            (MarkKind.EVIDENCE, cast.evidence),
            (MarkKind.DEVIATION, cast.deviation),
            (MarkKind.SUPPLIER_DOCUMENT, cast.document),
        )
    }
