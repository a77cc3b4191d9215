"""Spend from the financial system: an export with the organisation's saved mapping is
stored whole and matched like e-invoices; any bad cell refuses the whole file with
"Rad N, kolumn X"; lines without article count for spend and loyalty but are not
price-checked, and the figures page says so."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from kravspar.contracts import services as contract_services
from kravspar.core.errors import NotAllowedError
from kravspar.invoices.models import InvoiceDocument, InvoiceLine
from kravspar.ledger.models import LedgerImport
from kravspar.ledger.services import LedgerRefused, ledger_import, mapping_save
from kravspar.spend.models import Check, EconomyFinding, LineMatch, LineStatus
from kravspar.suppliers.services import supplier_create

COLUMNS = {
    "supplier_org_number": "Lev.orgnr",
    "invoice_number": "Fakturanr",
    "invoice_date": "Fakturadatum",
    "cost_centre": "Ansvar",
    "account": "Konto",
    "amount": "Belopp",
    "article": "Artikel",
    "quantity": "Antal",
}
HEADER = "Lev.orgnr;Fakturanr;Fakturadatum;Ansvar;Konto;Belopp;Artikel;Antal\n"
SUPPLIER = "556054-1889"


@pytest.fixture
def mapped(world: Any) -> Any:
    return mapping_save(
        actor=world.officer,
        organisation=world.vastmanland,
        columns=COLUMNS,
        cost_centres={"4711": world.unit_vm.name},
    )


@pytest.fixture
def contract(world: Any) -> Any:
    supplier = supplier_create(actor=world.officer, name="Städbolaget AB", org_number=SUPPLIER)
    return contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[supplier],
        buyers=[world.vastmanland],
        contract_number="VM-2026-9",
        title="Städ",
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )


def test_an_export_is_stored_whole_and_matched(world: Any, mapped: Any, contract: Any) -> None:
    data = (
        HEADER
        + f"{SUPPLIER};F-100;2026-01-15;4711;4010;1 200,50;;\n"
        + f"{SUPPLIER};F-100;2026-01-15;4711;4010;300;;\n"
        + "5560160680;X-1;20260120;9999;4020;99,00;;\n"
    ).encode()
    result = ledger_import(actor=world.officer, organisation=world.vastmanland, data=data, file_name="rd.csv")
    record = result.ledger_import
    assert (record.line_count, record.document_count, record.without_article) == (3, 2, 3)
    document = InvoiceDocument.objects.get(number="F-100")
    assert document.payable_amount == Decimal("1500.50")
    assert document.buyer_organisation == world.vastmanland
    assert document.buyer_reference == world.unit_vm.name
    lines = LineMatch.objects.filter(line__document=document)
    assert {m.status for m in lines} == {LineStatus.NOT_PRICE_CHECKED}
    assert all(m.contracted and m.on_terms and m.contract_id == contract.pk for m in lines)
    assert {m.unit_id for m in lines} == {world.unit_vm.pk}
    # Not price-checked is not "not on the price list": no economy deviation for it.
    assert not EconomyFinding.objects.filter(check_type=Check.NOT_ON_CONTRACT).exists()
    other = LineMatch.objects.get(line__document__number="X-1")
    assert (other.status, other.contracted) == (LineStatus.NO_CONTRACT, False)


def test_any_bad_cell_refuses_the_whole_file(world: Any, mapped: Any) -> None:
    data = (
        HEADER
        + f"{SUPPLIER};F-1;2026-01-15;4711;4010;100;;\n"
        + "556054-1888;F-2;2026-01-15;4711;4010;100;;\n"
        + f"{SUPPLIER};F-3;15 januari;4711;4010;abc;;\n"
    ).encode()
    with pytest.raises(LedgerRefused) as exc:
        ledger_import(actor=world.officer, organisation=world.vastmanland, data=data, file_name="rd.csv")
    assert exc.value.total == 3
    assert exc.value.errors[0].startswith("Rad 3, kolumn Lev.orgnr:")
    assert exc.value.errors[1].startswith("Rad 4, kolumn Fakturadatum:")
    assert exc.value.errors[2].startswith("Rad 4, kolumn Belopp:")
    assert not InvoiceDocument.objects.exists()
    assert not LedgerImport.objects.exists()


def test_an_excel_export_and_the_same_file_twice(world: Any, mapped: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS.values()))
    sheet.append([SUPPLIER, "F-9", datetime.date(2026, 2, 1), "4711", "4010", 250.0, "ART-1", 5])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    result = ledger_import(actor=world.officer, organisation=world.vastmanland, data=data, file_name="rd.xlsx")
    assert result.ledger_import.without_article == 0
    line = InvoiceLine.objects.get(document__number="F-9")
    assert (line.seller_item_id, line.quantity, line.price_amount) == ("ART-1", 5, 50)
    with pytest.raises(LedgerRefused):
        ledger_import(actor=world.officer, organisation=world.vastmanland, data=data, file_name="rd.xlsx")
    assert InvoiceDocument.objects.count() == 1


def test_without_a_mapping_nothing_is_read(world: Any) -> None:
    with pytest.raises(LedgerRefused):
        ledger_import(actor=world.officer, organisation=world.vastmanland, data=b"a;b\n", file_name="x.csv")


def test_a_missing_column_is_named(world: Any, mapped: Any) -> None:
    with pytest.raises(LedgerRefused) as exc:
        ledger_import(
            actor=world.officer, organisation=world.vastmanland, data=b"Fakturanr;Belopp\n", file_name="x.csv"
        )
    assert "Lev.orgnr" in exc.value.message


def test_the_mapping_is_saved_per_organisation_and_checked(world: Any, mapped: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        mapping_save(
            actor=world.officer,
            organisation=world.vastmanland,
            columns={"invoice_number": "Nr"},
            cost_centres={"1": "Ingen sådan enhet"},
        )
    assert "amount" in exc.value.message_dict and "cost_centres" in exc.value.message_dict
    again = mapping_save(
        actor=world.officer, organisation=world.vastmanland, columns=COLUMNS | {"amount": "Summa"}, cost_centres={}
    )
    assert again.pk == mapped.pk and again.columns["amount"] == "Summa"


def test_outsiders_may_not_import(world: Any, mapped: Any) -> None:
    with pytest.raises(NotAllowedError):
        ledger_import(actor=world.orderer_vm, organisation=world.vastmanland, data=b"", file_name="x.csv")
    with pytest.raises(NotAllowedError):
        mapping_save(actor=world.orderer_vm, organisation=world.vastmanland, columns=COLUMNS, cost_centres={})


def test_the_figures_page_says_lines_without_article_are_not_price_checked(
    world: Any, mapped: Any, contract: Any, client_for: Any
) -> None:
    data = (HEADER + f"{SUPPLIER};F-100;2026-01-15;4711;4010;1000;;\n").encode()
    ledger_import(actor=world.officer, organisation=world.vastmanland, data=data, file_name="rd.csv")
    page = client_for(world.officer).get(reverse("spend:figures")).content.decode()
    assert "1 rad från ekonomisystemet" in page


def test_the_pages_map_columns_and_import_a_file(world: Any, client_for: Any, contract: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.officer)
    url = reverse("ledger:mapping", args=[world.vastmanland.uuid])
    assert client.get(url).status_code == 200
    form = dict(COLUMNS) | {"cost_centres": f"4711 = {world.unit_vm.name}"}
    assert client.post(url, form).status_code == 302
    data = (HEADER + f"{SUPPLIER};F-7;2026-01-15;4711;4010;100;;\n").encode()
    upload = SimpleUploadedFile("rd.csv", data, content_type="text/csv")
    response = client.post(reverse("ledger:upload"), {"organisation": world.vastmanland.uuid, "export_file": upload})
    assert response.status_code == 200
    assert "1 rader importerade" in response.content.decode() or "1 lines" in response.content.decode()
    bad = SimpleUploadedFile("bad.csv", (HEADER + f"{SUPPLIER};F-8;2026-01-15;4711;4010;x;;\n").encode())
    refused = client.post(reverse("ledger:upload"), {"organisation": world.vastmanland.uuid, "export_file": bad})
    assert refused.status_code == 400
    assert "Rad 2, kolumn Belopp" in refused.content.decode()


def test_an_orderer_sees_no_import_page(world: Any, client_for: Any) -> None:
    client = client_for(world.orderer_vm)
    assert client.get(reverse("ledger:upload")).status_code == 403
    assert client.get(reverse("ledger:mapping", args=[world.vastmanland.uuid])).status_code == 403
