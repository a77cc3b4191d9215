"""Demo data of portal, called by `seed_demo` after contracts and follow-ups exist: a
supplier contact ``leverantor`` for Mälardalens Lokalvård AB, the supplier of the demo
cleaning contract RV-2025-0107, with an action plan still open to answer, an evidence
library (one certificate that expires soon, one stale governing document, one valid
certificate), a subcontractor declaration waiting for Inköp, and one pending invitation."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.contracts.models import Contract
from kravspar.findings import services as finding_services
from kravspar.findings.models import Deviation
from kravspar.portal import services
from kravspar.portal.models import DocumentKind, Invitation, SubcontractorDeclaration, SupplierDocument

CONTRACT_NUMBER = "RV-2025-0107"
USERNAME = "leverantor"
NAME = "Lena Lindqvist"
OPEN_DEVIATION = "Städprotokoll saknar kvittens från avdelningen"


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small real PDF, made here so the demo needs no files."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, title)
    pdf.setFont("Helvetica", 11)
    for n, line in enumerate(lines):
        pdf.drawString(72, 740 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _document(
    contact: User, title: str, kind: str, issuer: str, valid_from: datetime.date, valid_until: datetime.date | None
) -> None:
    if SupplierDocument.objects.filter(supplier=contact.supplier, title=title).exists():
        return
    lines = [f"Utfärdare: {issuer}", f"Giltigt från: {valid_from:%Y-%m-%d}"]
    if valid_until:
        lines.append(f"Giltigt till: {valid_until:%Y-%m-%d}")
    services.document_add(
        actor=contact,
        upload=SimpleUploadedFile(f"{title}.pdf", _pdf(title, lines), content_type="application/pdf"),
        kind=kind,
        title=title,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    from kravspar.core.management.commands.seed_demo import DEMO_PASSWORD

    contract = Contract.objects.filter(contract_number=CONTRACT_NUMBER).first()
    supplier = contract.suppliers.order_by("id").first() if contract else None
    officer = User.objects.filter(username="inkopare").first()
    if contract is None or supplier is None or officer is None:
        return []
    today = timezone.localdate()
    contact = User.objects.filter(username=USERNAME).first()
    if contact is None:
        contact = services.supplier_contact_create(
            actor=None,
            supplier=supplier,
            username=USERNAME,
            email="lena.lindqvist@lokalvard.example",
            name=NAME,
            password=DEMO_PASSWORD,
            origin={"demo": "seed_demo"},
        )

    # An action plan still within its deadline, for the supplier to answer.
    if not Deviation.objects.filter(contract=contract, title=OPEN_DEVIATION).exists():
        deviation = finding_services.deviation_raise_on_contract(
            actor=officer,
            contract=contract,
            supplier=supplier,
            kind="quality",
            severity="minor",
            title=OPEN_DEVIATION,
            description="Vid stickprov saknade sex av tjugo städprotokoll avdelningens kvittens.",
            raised_on=today - datetime.timedelta(days=5),
        )
        finding_services.action_plan_agree(
            actor=officer,
            deviation=deviation,
            expected_version=None,
            agreed_on=today - datetime.timedelta(days=3),
            deadline=today + datetime.timedelta(days=25),
            items=[("Inför kvittens i den digitala städrapporten", today + datetime.timedelta(days=14))],
        )

    _document(
        contact,
        "Svanenlicens städtjänster",
        DocumentKind.CERTIFICATE,
        "Miljömärkning Sverige",
        today - datetime.timedelta(days=3 * 365 - 20),
        today + datetime.timedelta(days=20),
    )
    _document(
        contact,
        "Uppförandekod för medarbetare och underleverantörer",
        DocumentKind.GOVERNING,
        "Mälardalens Lokalvård AB",
        today.replace(year=today.year - 3, day=1),
        None,
    )
    _document(
        contact,
        "ISO 14001-certifikat",
        DocumentKind.CERTIFICATE,
        "Intertek Certification AB",
        today - datetime.timedelta(days=200),
        today + datetime.timedelta(days=900),
    )

    if not SubcontractorDeclaration.objects.filter(contract=contract, supplier=supplier).exists():
        services.declaration_submit(
            actor=contact,
            contract=contract,
            name="Fönsterputs i Mälardalen AB",
            org_number="5560360793",
            country="SE",
            role="Fönsterputs två gånger om året",
            collective_agreement="agreement",
        )

    if not Invitation.objects.filter(supplier=supplier, invited_by=officer).exists():
        services.invitation_create(
            actor=officer, supplier=supplier, name="Omar Haddad", email="omar.haddad@lokalvard.example", send=False
        )
    return [(USERNAME, str(Role.SUPPLIER_CONTACT.label), NAME)]
