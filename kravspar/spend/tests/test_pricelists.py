"""Price lists: entered by hand, changed with optimistic locking, deleted with
confirmation, imported from CSV or Excel after a dry run, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract
from kravspar.spend import pricelists
from kravspar.spend.matching import Matcher
from kravspar.spend.models import PriceListArticle
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "seller_item_id;gtin;name;unit_code;net_price;valid_from;valid_to;price_index;note\n"
    "ART-0001;;Handskar nitril;XBX;100,50;2025-02-01;;KPI;\n"
    "ART-0002;7300000000011;Förband;EA;10;;;;\n"
)


def article_form(**overrides: Any) -> dict[str, Any]:
    return {
        "seller_item_id": "ART-0005",
        "gtin": "",
        "name": "Tvål",
        "unit_code": "EA",
        "net_price": "12,50",
    } | overrides


def test_officer_adds_an_article_by_hand(client_for: Any, world: Any, contract: Contract) -> None:
    client = client_for(world.officer)
    response = client.post(reverse("spend:article_create", args=[contract.uuid]), article_form())
    article = PriceListArticle.objects.get()
    assert response.status_code == 302
    assert (article.net_price, article.currency, article.unit_code) == (Decimal("12.50"), "SEK", "EA")
    assert AuditEvent.objects.filter(action="pricelist.article_added", object_id=str(article.uuid)).exists()


def test_bad_gtin_is_refused_in_swedish(client_for: Any, world: Any, contract: Contract) -> None:
    client = client_for(world.officer)
    response = client.post(
        reverse("spend:article_create", args=[contract.uuid]),
        article_form(gtin="7300000000012", seller_item_id=""),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "GTIN" in text and "kontrollsiffra" in text
    assert not PriceListArticle.objects.exists()


def test_overlapping_period_for_the_same_article_is_refused(world: Any, contract: Contract, articles: Any) -> None:
    with pytest.raises(pricelists.ValidationError) as exc:
        pricelists.article_create(
            actor=world.officer,
            contract=contract,
            seller_item_id="ART-0001",
            name="Ny",
            unit_code="XBX",
            net_price=Decimal(1),
        )
    assert "valid_from" in exc.value.message_dict


def test_edit_with_a_stale_version_is_refused(client_for: Any, world: Any, articles: Any) -> None:
    article = articles[0]
    client = client_for(world.officer)
    url = reverse("spend:article_edit", args=[article.uuid])
    fields = article_form(seller_item_id="ART-0001", unit_code="XBX", net_price="101")
    assert client.post(url, fields | {"version": 1}).status_code == 302
    response = client.post(url, fields | {"net_price": "99", "version": 1})
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.net_price == Decimal(101)
    assert article.version == 2


def test_delete_asks_first_and_refuses_a_used_article(
    client_for: Any, world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    client = client_for(world.officer)
    unused, used = articles[1], articles[0]
    assert client.get(reverse("spend:article_delete", args=[unused.uuid])).status_code == 200
    assert PriceListArticle.objects.filter(pk=unused.pk).exists()
    assert client.post(reverse("spend:article_delete", args=[unused.uuid])).status_code == 302
    assert not PriceListArticle.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="pricelist.article_deleted").exists()
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    Matcher().match([doc.pk])
    response = client.post(reverse("spend:article_delete", args=[used.uuid]))
    assert response.status_code == 409
    assert PriceListArticle.objects.filter(pk=used.pk).exists()


def test_csv_import_dry_run_changes_nothing_then_imports(client_for: Any, world: Any, contract: Contract) -> None:
    client = client_for(world.officer)
    url = reverse("spend:pricelist_import", args=[contract.uuid])
    response = client.post(url, {"file": SimpleUploadedFile("pris.csv", GOOD_CSV.encode(), "text/csv")})
    assert response.status_code == 200
    assert not PriceListArticle.objects.exists()
    token = response.context["token"]
    assert response.context["checked"]["created"] == 2
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert sorted(PriceListArticle.objects.values_list("seller_item_id", "net_price")) == [
        ("ART-0001", Decimal("100.50")),
        ("ART-0002", Decimal("10")),
    ]
    # The same file again changes nothing.
    result = pricelists.pricelist_import(actor=world.officer, contract=contract, data=GOOD_CSV.encode())
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)


def test_one_bad_row_refuses_the_whole_file_with_row_errors(client_for: Any, world: Any, contract: Contract) -> None:
    bad = GOOD_CSV + "ART-0003;123;Tvål;EA;abc;2025-13-01;;;\n;;Utan id;EA;5;;;;\n"
    client = client_for(world.officer)
    response = client.post(
        reverse("spend:pricelist_import", args=[contract.uuid]),
        {"file": SimpleUploadedFile("pris.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert any(e.startswith("Rad 4:") and "abc" in e for e in errors)
    assert any(e.startswith("Rad 4:") and "2025-13-01" in e for e in errors)
    assert any(e.startswith("Rad 4:") and "GTIN" in e for e in errors)
    assert any(e.startswith("Rad 5:") for e in errors)
    assert not PriceListArticle.objects.exists()


def test_excel_import_with_swedish_headings(world: Any, contract: Contract) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Artikelnummer", "Benämning", "Enhet", "Pris", "Giltig från"])
    sheet.append(["ART-0010", "Papper A4", "XBX", 45.5, "2025-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = pricelists.pricelist_import(actor=None, contract=contract, data=buffer.getvalue(), file_name="p.xlsx")
    assert result["created"] == 1
    assert PriceListArticle.objects.get().net_price == Decimal("45.5")


def test_missing_columns_and_binary_junk_are_refused(world: Any, contract: Contract) -> None:
    with pytest.raises(pricelists.ValidationError, match="saknar kolumnerna"):
        pricelists.pricelist_import(actor=None, contract=contract, data=b"name;price\nx;1\n")
    with pytest.raises(pricelists.ValidationError):
        pricelists.pricelist_import(actor=None, contract=contract, data=b"\x00\x01\x02binary")
    with pytest.raises(pricelists.ValidationError):
        pricelists.pricelist_import(actor=None, contract=contract, data=b"PK\x03\x04not really a zip")


def test_a_reader_sees_the_price_list_but_cannot_change_it(
    client_for: Any, world: Any, contract: Contract, articles: Any
) -> None:
    client = client_for(world.reader)
    response = client.get(reverse("spend:pricelist", args=[contract.uuid]))
    assert response.status_code == 200
    assert "ART-0001" in response.content.decode()
    assert client.get(reverse("spend:article_create", args=[contract.uuid])).status_code == 403
    assert client.post(reverse("spend:article_edit", args=[articles[0].uuid]), article_form()).status_code == 403
    assert client.post(reverse("spend:article_delete", args=[articles[0].uuid])).status_code == 403
    assert client.get(reverse("spend:pricelist_import", args=[contract.uuid])).status_code == 403
    with pytest.raises(pricelists.NotAllowedError):
        pricelists.article_create(actor=world.reader, contract=contract, name="x", unit_code="EA", net_price=Decimal(1))


def test_sormland_orderer_cannot_see_vastmanlands_price_list(
    client_for: Any, world: Any, contract: Contract, articles: Any
) -> None:
    client = client_for(world.orderer_sl)
    assert client.get(reverse("spend:pricelist", args=[contract.uuid])).status_code == 404
    assert client.get(reverse("spend:article", args=[articles[0].uuid])).status_code == 404


def test_price_list_page_runs_a_fixed_number_of_queries(
    client_for: Any, world: Any, contract: Contract, django_assert_max_num_queries: Any
) -> None:
    PriceListArticle.objects.bulk_create(
        PriceListArticle(
            contract=contract, seller_item_id=f"A-{n}", name=f"Vara {n}", unit_code="EA", net_price=Decimal(n)
        )
        for n in range(60)
    )
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("spend:pricelist", args=[contract.uuid]))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_contract_page_links_to_the_price_list(client_for: Any, world: Any, contract: Contract) -> None:
    page = client_for(world.reader).get(reverse("contracts:detail", args=[contract.uuid])).content.decode()
    assert reverse("spend:pricelist", args=[contract.uuid]) in page
    assert "Prislista" in page


def test_a_large_checked_file_is_imported_by_a_background_job(
    client_for: Any, world: Any, contract: Contract, settings: Any, tmp_path: Any
) -> None:
    from kravspar.jobs.models import Job, JobStatus

    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10  # every file is "large"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.officer)
    url = reverse("spend:pricelist_import", args=[contract.uuid])
    checked = client.post(url, {"file": SimpleUploadedFile("pris.csv", GOOD_CSV.encode(), "text/csv")})
    assert checked.status_code == 200 and not Job.objects.exists()  # the check itself stays at once
    response = client.post(url, {"token": checked.context["token"]})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result_url == reverse("spend:pricelist", kwargs={"key": contract.uuid})
    assert PriceListArticle.objects.filter(contract=contract).count() == 2
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # the input was removed
    # Someone who may not change the contract's price list starts no job.
    assert client_for(world.orderer_vm).post(url, {"token": checked.context["token"]}).status_code in (403, 404)
    assert Job.objects.count() == 1
