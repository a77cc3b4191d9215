"""The follow-up annex "Uppföljning av avtalet" of the demo procurement RV-2025-0107
(strategy approved by a second officer), as PDF and Word, in Swedish and English: the
text read back from each file says how, when and by whom every requirement is followed
up, what the supplier provides, the sanctions and the supplier page's address."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from kravspar.notices import annex
from kravspar.procurements.models import Procurement

DEMO = "RV-2025-0107"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


@pytest.fixture
def demo(demo_data: str, db: Any) -> Procurement:
    return Procurement.objects.get(registry_number=DEMO)


SWEDISH = [
    "Uppföljning av avtalet",
    "Städtjänster Västmanlands sjukhus Västerås",
    "Diarienummer RV-2025-0107",
    "Region Västmanland (232100-0172)",
    # Each requirement: what, how, when, by whom, what the supplier provides, sanctions.
    "Städkvalitet INSTA 800",
    "Stickprov",
    "Var 3:e månad under avtalsperioden.",
    "Beställande enheten Västmanlands sjukhus, ortopedkliniken.",
    "Godta stickprov av leveranser, tjänster och fakturor.",
    "Lön, semester och arbetstid enligt kollektivavtal",
    "Självdeklaration",
    "3, 12 månader efter att avtalet tecknats.",
    "Inköp, regionernas gemensamma inköpsfunktion.",
    "Besvara självdeklarationen i leverantörsportalen inom angiven tid.",
    "Uppförandekod",
    "6 månader efter att avtalet tecknats.",
    "vite per påbörjad vecka",
    "Kravet gäller även underleverantörer i alla led.",
    "Hävning",
    "/leverantorsinformation/",
]
ENGLISH = [
    "Contract follow-up",
    "Registry number RV-2025-0107",
    "Städkvalitet INSTA 800",
    "Spot check",
    "Every 3 months during the contract period.",
    "The ordering unit Västmanlands sjukhus, ortopedkliniken.",
    "Self-assessment questionnaire",
    "3, 12 months after the contract is signed.",
    "Inköp, the regions' joint purchasing function.",
    "a fine per started week",
    "The requirement binds subcontractors in every link of the chain.",
    "/leverantorsinformation/en/",
]


def test_the_demo_annex_in_swedish_as_pdf_and_word(demo: Procurement) -> None:
    content = annex.build(demo, language="sv")
    for text in (pdf_text(annex.as_pdf(content)), docx_text(annex.as_docx(content))):
        for expected in SWEDISH:
            assert expected in text, expected
        assert "Every 3 months" not in text


def test_the_demo_annex_in_english_as_pdf_and_word(demo: Procurement) -> None:
    content = annex.build(demo, language="en")
    for text in (pdf_text(annex.as_pdf(content)), docx_text(annex.as_docx(content))):
        for expected in ENGLISH:
            assert expected in text, expected
        assert "Uppföljning av avtalet" not in text


def test_the_word_file_is_editable_and_says_its_language(demo: Procurement) -> None:
    content = annex.build(demo, language="sv")
    document = Document(io.BytesIO(annex.as_docx(content)))
    assert document.core_properties.language == "sv-SE"
    assert document.core_properties.title.startswith("Uppföljning av avtalet")
    strategy = demo.strategies.get(status="approved")
    assert len(content.items) == strategy.entries.filter(requirement__removed=False).count() >= 3
    assert len(document.tables) == len(content.items)  # one per requirement


def test_officer_and_orderer_download_the_annex(demo: Procurement, client: Any) -> None:
    from kravspar.accounts.models import User

    client.force_login(User.objects.get(username="bestallare"))
    url = reverse("notices:annex", args=[demo.uuid, "sv", "pdf"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="uppfoljning-av-avtalet-RV-2025-0107.pdf"' in response["Content-Disposition"]
    docx = client.get(reverse("notices:annex", args=[demo.uuid, "en", "docx"]))
    assert docx.status_code == 200
    assert "Contract follow-up" in docx_text(docx.content)


def test_an_outsider_gets_404(demo: Procurement, client: Any) -> None:
    from kravspar.accounts.models import User

    client.force_login(User.objects.get(username="bestallare.sormland"))
    assert client.get(reverse("notices:annex", args=[demo.uuid, "sv", "pdf"])).status_code == 404


def test_no_annex_without_an_approved_strategy(demo_data: str, db: Any, client: Any) -> None:
    from kravspar.accounts.models import User

    planning = Procurement.objects.get(registry_number="RS-2026-0031")
    with pytest.raises(annex.NoApprovedStrategyError):
        annex.build(planning)
    client.force_login(User.objects.get(username="inkopare"))
    assert client.get(reverse("notices:annex", args=[planning.uuid, "sv", "pdf"])).status_code == 409
