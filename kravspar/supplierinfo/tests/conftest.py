"""The cast for supplier information: the world's personas plus two suppliers with
contact persons (supplier A and supplier B), and the regions' documents."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.supplierinfo import services
from kravspar.supplierinfo.models import PolicyDocument
from kravspar.testing.factories import SupplierFactory, UserFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_upload(name: str = "uppforandekod.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def named_file(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def policy(world: Any) -> PolicyDocument:
    """The purchasing policy with two versions (links); 2024 is current."""
    document = services.document_create(
        actor=world.admin, title="Inköpspolicy", kind="policy", description="Den gemensamma inköpspolicyn."
    )
    services.version_publish(
        actor=world.admin,
        document=document,
        label="2019",
        valid_from=datetime.date(2019, 1, 1),
        url="https://regionsormland.se/policy-2019",
    )
    services.version_publish(
        actor=world.admin,
        document=document,
        label="2024",
        valid_from=datetime.date(2024, 1, 1),
        url="https://regionsormland.se/policy-2024",
        change_note="Tydligare krav på tredjepartsleverantörer.",
    )
    return document


@pytest.fixture
def code_of_conduct(world: Any) -> PolicyDocument:
    """The code of conduct, published as an uploaded PDF."""
    document = services.document_create(
        actor=world.admin, title="Uppförandekod för leverantörer", kind="code_of_conduct"
    )
    services.version_publish(
        actor=world.admin, document=document, label="2021", valid_from=datetime.date(2021, 1, 1), upload=pdf_upload()
    )
    return document


@pytest.fixture
def contact_a(world: Any) -> User:
    """Supplier A's contact person (the world's supplier contact)."""
    user: User = world.supplier_contact
    return user


@pytest.fixture
def contact_a2(world: Any) -> User:
    """A colleague at supplier A."""
    return UserFactory.create(
        username="supplier_a2", supplier=world.supplier_contact.supplier, roles=[Role.SUPPLIER_CONTACT]
    )


@pytest.fixture
def contact_b(world: Any) -> User:
    """Supplier B's contact person: the outsider to supplier A."""
    supplier = SupplierFactory.create(name="Bolaget B AB")
    return UserFactory.create(username="supplier_b", supplier=supplier, roles=[Role.SUPPLIER_CONTACT])
