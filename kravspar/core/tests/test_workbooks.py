"""Attacker-style tests: an uploaded Excel workbook with a DTD in any XML part ("billion
laughs", an external entity) is refused before openpyxl reads it, with 400 and a Swedish
message, and nothing is left stored (issue 13's finding, closed under issue 18)."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kravspar.contracts.models import Contract
from kravspar.core.workbooks import WorkbookRefused, check_xlsx, first_sheet_rows
from kravspar.procurements import statistics
from kravspar.reports import importing
from kravspar.spend import pricelists
from kravspar.spend.models import PriceListArticle

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PRICE_ROWS = [
    ["Artikelnummer", "GTIN", "Benämning", "Enhet", "Pris"],
    ["ART-1", "", "Handskar", "EA", 12.5],
]


def workbook(rows: list[list[Any]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or [["Avtalsnummer", "Avtalsnamn"], ["A-1", "Städ"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def poisoned(data: bytes, part: str, dtd: str, *, encoding: str = "utf-8", entity: str = "") -> bytes:
    """The workbook with ``dtd`` put into ``part`` after its XML declaration (and, if
    given, ``entity`` referenced in the first cell text), re-encoded in ``encoding``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                text = content.decode("utf-8")
                declaration, _sep, rest = text.partition("?>")
                if not _sep:
                    declaration, rest = "<?xml version='1.0'", text
                declaration = declaration.replace("UTF-8", encoding.upper()).replace("utf-8", encoding.upper())
                if "encoding" not in declaration:
                    declaration += f' encoding="{encoding.upper()}"'
                if entity:
                    rest = rest.replace("A-1", f"&{entity};", 1)
                content = (declaration + "?>" + dtd + rest).encode(encoding)
            target.writestr(info, content)
    return out.getvalue()


PARTS = ["xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("dtd", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_a_dtd_in_any_part_is_refused(part: str, dtd: str) -> None:
    with pytest.raises(WorkbookRefused) as info:
        check_xlsx(poisoned(workbook(), part, dtd))
    assert info.value.reason == "dtd"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_dtd_is_found_in_other_encodings_too(encoding: str) -> None:
    # UTF-32 is read by lxml (which openpyxl uses for some parts) but not by expat.
    with pytest.raises(WorkbookRefused) as info:
        check_xlsx(poisoned(workbook(), "xl/workbook.xml", LAUGHS, encoding=encoding))
    assert info.value.reason == "dtd"


def test_a_dtd_behind_a_megabyte_of_comments_is_refused() -> None:
    padding = "<!--" + "x" * (1024 * 1024 + 10) + "-->"
    with pytest.raises(WorkbookRefused):
        check_xlsx(poisoned(workbook(), "xl/worksheets/sheet1.xml", padding + LAUGHS))


def test_a_zip_bomb_is_refused_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b"<Types/>")
        target.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(WorkbookRefused) as info:
        check_xlsx(out.getvalue())
    assert info.value.reason == "too_large"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a zip", b"\x00" * 100, b"<?xml version='1.0'?><a/>"])
def test_what_is_not_a_workbook_is_refused_as_such(data: bytes) -> None:
    with pytest.raises(WorkbookRefused) as info:
        check_xlsx(data)
    assert info.value.reason == "not_a_workbook"


def test_a_clean_workbook_passes_and_is_read(tmp_path: Path) -> None:
    data = workbook()
    check_xlsx(data)
    (tmp_path / "w.xlsx").write_bytes(data)
    with first_sheet_rows(tmp_path / "w.xlsx") as rows:
        assert list(rows) == [("Avtalsnummer", "Avtalsnamn"), ("A-1", "Städ")]


def test_a_damaged_sheet_is_refused_while_its_rows_are_read() -> None:
    data = workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # cut off mid-element
            target.writestr(info, content)
    with pytest.raises(WorkbookRefused), first_sheet_rows(out.getvalue()) as rows:
        list(rows)


# --- Through the upload pages ------------------------------------------------------------------


@pytest.fixture
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.mark.usefixtures("_var_dir")
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "[Content_Types].xml"])
@pytest.mark.parametrize("dtd", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_the_contract_import_refuses_it_with_400_and_stores_nothing(
    world: Any, client_for: Any, part: str, dtd: str
) -> None:
    entity = "lol9" if dtd == LAUGHS else "xxe"
    data = poisoned(workbook(), part, dtd, entity=entity if part.startswith("xl/work") else "")
    response = client_for(world.officer).post(
        reverse("reports:import"), {"file": SimpleUploadedFile("register.xlsx", data)}
    )
    assert response.status_code == 400
    assert "dokumenttypsdeklaration (DTD)" in str(response.context["form"].errors["file"])
    assert not list(importing.import_dir().iterdir())
    assert not Contract.objects.filter(contract_number="A-1").exists()


@pytest.fixture
def contract(world: Any) -> Contract:
    contract = Contract.objects.create(
        contract_number="RV-2025-0999",
        title="Förbrukningsmaterial",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
        value=Decimal(100000),
        strategy_missing=False,
    )
    contract.buyers.set([world.vastmanland])
    return contract


@pytest.mark.parametrize("dtd", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_the_price_list_import_refuses_it_with_400(world: Any, client_for: Any, contract: Contract, dtd: str) -> None:
    clean = workbook(PRICE_ROWS)
    assert pricelists.pricelist_import(actor=None, contract=contract, data=clean, dry_run=True)["created"] == 1
    data = poisoned(clean, "xl/worksheets/sheet1.xml", dtd)
    response = client_for(world.officer).post(
        reverse("spend:pricelist_import", args=[contract.uuid]), {"file": SimpleUploadedFile("pris.xlsx", data)}
    )
    assert response.status_code == 400
    assert any("dokumenttypsdeklaration (DTD)" in e for e in response.context["row_errors"])
    assert "token" not in response.context  # nothing kept for the confirming step
    assert not PriceListArticle.objects.exists()
    with pytest.raises(ValidationError):
        pricelists.pricelist_import(actor=None, contract=contract, data=data)


def test_the_statistics_import_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "contracted_value.xlsx"
    path.write_bytes(poisoned(workbook(), "xl/workbook.xml", EXTERNAL))
    with pytest.raises(statistics.StatisticsFileError) as info:
        statistics.file_kind(path)
    assert "DTD" in str(info.value)
