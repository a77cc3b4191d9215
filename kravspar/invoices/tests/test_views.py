"""The invoice pages: who sees what (outsiders get 404, visible but not allowed 403),
filters, bounded queries, the original XML, the upload page and the import report."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kravspar.accounts.models import User
from kravspar.invoices import originals
from kravspar.invoices.generate import SUPPLIERS, Party
from kravspar.invoices.models import BatchSource, ImportBatch, InvoiceDocument
from kravspar.invoices.services import import_files, import_paths
from kravspar.invoices.ubl import ProblemCode
from kravspar.testing.factories import SupplierFactory

from .conftest import REGION_SORMLAND

MakeXml = Callable[..., bytes]
pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(world: Any, make_xml: MakeXml) -> dict[str, InvoiceDocument]:
    """One invoice to each region, one credit note to Västmanland, one to an unknown buyer."""
    SupplierFactory.create(name="Mälardalens Lokalvård AB", org_number=SUPPLIERS[0].org_number)
    files = [
        ("vm.xml", make_xml(number="VM-1")),
        ("vm-credit.xml", make_xml(number="VMK-1", credit_note=True, billing_reference="VM-1")),
        ("sl.xml", make_xml(number="SL-1", buyer=REGION_SORMLAND, seller=SUPPLIERS[3])),
        ("other.xml", make_xml(number="X-1", buyer=Party("Kommunen", "2120000142"))),
    ]
    import_files(files, actor=None, source=BatchSource.DEMO)
    return {d.number: d for d in InvoiceDocument.objects.all()}


def _numbers(response: Any) -> set[str]:
    return {doc.number for doc in response.context["page"].object_list}


def test_each_person_sees_the_invoices_of_their_organisations(
    world: Any, client_for: Callable[[User], Client], invoices: Any, officer_sl: User
) -> None:
    url = reverse("invoices:list")
    assert _numbers(client_for(officer_sl).get(url)) == {"SL-1"}
    assert _numbers(client_for(world.orderer_vm).get(url)) == {"VM-1", "VMK-1"}
    # Inköp serves both regions; the unknown buyer's invoice only the administrator sees.
    assert _numbers(client_for(world.officer).get(url)) == {"VM-1", "VMK-1", "SL-1"}
    assert _numbers(client_for(world.admin).get(url)) == {"VM-1", "VMK-1", "SL-1", "X-1"}
    assert client_for(world.supplier_contact).get(url).status_code == 403


def test_anonymous_is_sent_to_log_in(client: Client, invoices: Any) -> None:
    response = client.get(reverse("invoices:list"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "logga-in" in response["Location"]


def test_filters_and_search(world: Any, client_for: Callable[[User], Client], invoices: Any) -> None:
    client = client_for(world.admin)
    url = reverse("invoices:list")
    assert _numbers(client.get(url, {"q": "vmk"})) == {"VMK-1"}
    assert _numbers(client.get(url, {"q": SUPPLIERS[3].org_number[:6]})) == {"SL-1"}
    assert _numbers(client.get(url, {"organisation": world.sormland.uuid})) == {"SL-1"}
    supplier = invoices["VM-1"].supplier
    assert _numbers(client.get(url, {"supplier": supplier.uuid})) == {"VM-1", "VMK-1", "X-1"}
    assert _numbers(client.get(url, {"kind": "credit_note"})) == {"VMK-1"}
    assert _numbers(client.get(url, {"status": "no_buyer"})) == {"X-1"}
    assert _numbers(client.get(url, {"status": "clean"})) == {"VM-1", "VMK-1"}
    assert _numbers(client.get(url, {"status": "warnings"})) == {"SL-1", "X-1"}
    assert _numbers(client.get(url, {"date_from": "2026-03-03"})) == set()
    assert _numbers(client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-02"})) == {
        "VM-1",
        "VMK-1",
        "SL-1",
        "X-1",
    }
    wrong = client.get(url, {"date_from": "2026-04-01", "date_to": "2026-03-01"})
    assert "Periodens slut ligger före dess början." in wrong.content.decode()
    # A Sörmland officer cannot filter on Västmanland: not a choice, so no filter and an error.
    partial = client.get(url, {"q": "VM-1"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"VM-1" in partial.content


def test_outsider_cannot_pick_another_region_as_filter(
    client_for: Callable[[User], Client], invoices: Any, world: Any, officer_sl: User
) -> None:
    response = client_for(officer_sl).get(reverse("invoices:list"), {"organisation": world.vastmanland.uuid})
    assert response.context["form"].errors["organisation"]
    assert _numbers(response) == {"SL-1"}


def test_list_queries_are_bounded(
    world: Any, client_for: Callable[[User], Client], make_xml: MakeXml, django_assert_max_num_queries: Any
) -> None:
    import_files([(f"{n}.xml", make_xml(number=f"N-{n}")) for n in range(30)], actor=None, source=BatchSource.DEMO)
    client = client_for(world.officer)
    client.get(reverse("invoices:list"))  # sessions, roles and caches warmed
    with django_assert_max_num_queries(10):
        response = client.get(reverse("invoices:list"))
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(10):
        client.get(reverse("invoices:list"), {"q": "N-1", "sida": "2"})


def test_detail_shows_header_lines_and_credit_links(
    world: Any, client_for: Callable[[User], Client], invoices: Any
) -> None:
    client = client_for(world.orderer_vm)
    page = client.get(reverse("invoices:detail", args=[invoices["VM-1"].uuid])).content.decode()
    assert "Lokalvård vårdavdelning" in page and "ART-0001" in page and "7350000000019" in page
    assert "VMK-1" in page  # credited by
    credit = client.get(reverse("invoices:detail", args=[invoices["VMK-1"].uuid])).content.decode()
    assert reverse("invoices:detail", args=[invoices["VM-1"].uuid]) in credit


def test_detail_outsiders_get_404(
    world: Any, client_for: Callable[[User], Client], invoices: Any, officer_sl: User
) -> None:
    for key in (invoices["VM-1"].uuid, invoices["X-1"].uuid, "not-a-uuid"):
        assert client_for(officer_sl).get(reverse("invoices:detail", args=[key])).status_code == 404
        assert client_for(officer_sl).get(reverse("invoices:original", args=[key])).status_code == 404


def test_original_xml_is_downloaded_only_by_those_who_may_import(
    world: Any, client_for: Callable[[User], Client], invoices: Any
) -> None:
    doc = invoices["VM-1"]
    response = client_for(world.officer).get(reverse("invoices:original", args=[doc.uuid]))
    assert response.status_code == 200
    assert response.content == originals.read(doc.original.name)
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="VM-1.xml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    # The orderer sees the invoice but not its original (bank details, names).
    assert client_for(world.orderer_vm).get(reverse("invoices:original", args=[doc.uuid])).status_code == 403


def _upload(client: Client, *files: tuple[str, bytes]) -> Any:
    return client.post(
        reverse("invoices:upload"),
        {"invoice_files": [SimpleUploadedFile(name, data, content_type="text/xml") for name, data in files]},
    )


def test_upload_several_files_and_see_the_report(
    world: Any, client_for: Callable[[User], Client], make_xml: MakeXml, officer_sl: User
) -> None:
    client = client_for(officer_sl)
    assert client.get(reverse("invoices:upload")).status_code == 200
    sl = make_xml(number="SL-9", buyer=REGION_SORMLAND)
    response = _upload(
        client,
        ("sl.xml", sl),
        ("sl-again.xml", sl),
        ("vm.xml", make_xml(number="VM-9")),  # addressed to Västmanland: not hers to import
        ("broken.xml", b"<Invoice"),
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:batch", args=[batch.uuid])
    assert (batch.actor, batch.source, batch.imported_count, batch.duplicate_count, batch.refused_count) == (
        officer_sl,
        BatchSource.UPLOAD,
        1,
        1,
        2,
    )
    assert list(InvoiceDocument.objects.values_list("number", flat=True)) == ["SL-9"]
    report = client.get(response["Location"]).content.decode()
    assert "broken.xml" in report and ProblemCode.MALFORMED in report
    assert "en organisation som du inte importerar fakturor för" in report
    assert "sl-again.xml" in report and "Samma fil är redan importerad" in report


def test_upload_refuses_too_large_files_and_no_files_without_storing(
    world: Any, client_for: Callable[[User], Client], make_xml: MakeXml, settings: Any
) -> None:
    client = client_for(world.officer)
    settings.KRAVSPAR_INVOICE_MAX_BYTES = 1000
    response = _upload(client, ("big.xml", make_xml()))
    assert response.status_code == 400
    assert "big.xml är större än" in response.content.decode()
    response = client.post(reverse("invoices:upload"), {})
    assert response.status_code == 400
    assert "Välj minst en fil." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_needs_the_right_to_import_and_csrf(
    world: Any, client_for: Callable[[User], Client], make_xml: MakeXml
) -> None:
    assert client_for(world.orderer_vm).get(reverse("invoices:upload")).status_code == 403
    assert _upload(client_for(world.reader), ("a.xml", make_xml())).status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.officer)
    assert _upload(csrf_client, ("a.xml", make_xml())).status_code == 403
    assert not InvoiceDocument.objects.exists()


def test_import_batches_are_seen_by_the_importer_and_administrators(
    world: Any,
    client_for: Callable[[User], Client],
    make_xml: MakeXml,
    officer_sl: User,
    officer_vm: User,
    tmp_path: Any,
) -> None:
    mine, _ = import_files([("a.xml", make_xml(buyer=REGION_SORMLAND))], actor=officer_sl, source=BatchSource.UPLOAD)
    (tmp_path / "b.xml").write_bytes(b"x")
    system = import_paths([tmp_path])
    client = client_for(officer_sl)
    listing = client.get(reverse("invoices:batches"))
    assert [b.pk for b in listing.context["page"].object_list] == [mine.pk]
    assert client.get(reverse("invoices:batch", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("invoices:batch", args=[system.uuid])).status_code == 404
    assert client_for(officer_vm).get(reverse("invoices:batch", args=[mine.uuid])).status_code == 404
    assert client_for(world.orderer_vm).get(reverse("invoices:batches")).status_code == 403
    admin = client_for(world.admin)
    assert {b.pk for b in admin.get(reverse("invoices:batches")).context["page"].object_list} == {mine.pk, system.pk}
    page = admin.get(reverse("invoices:batch", args=[system.uuid]), {"typ": "refused"}).content.decode()
    assert "b.xml" in page and "malformed_xml" in page


def test_empty_list_says_what_to_do_next(world: Any, client_for: Callable[[User], Client]) -> None:
    page = client_for(world.officer).get(reverse("invoices:list")).content.decode()
    assert "Inga fakturor ännu." in page
    assert reverse("invoices:upload") in page


def test_dates_are_iso(world: Any, invoices: Any, client_for: Callable[[User], Client]) -> None:
    page = client_for(world.admin).get(reverse("invoices:list")).content.decode()
    assert datetime.date(2026, 3, 2).isoformat() in page


def test_detail_and_batch_queries_are_bounded(
    world: Any, client_for: Callable[[User], Client], make_xml: MakeXml, django_assert_max_num_queries: Any
) -> None:
    from kravspar.invoices.generate import Line

    lines = [Line(f"ART-{n:04d}", f"Artikel {n}", Decimal(1), "EA", Decimal("10.00")) for n in range(60)]
    files = [("big.xml", make_xml(number="BIG", lines=lines))] + [(f"{n}.xml", b"<x") for n in range(40)]
    batch, _ = import_files(files, actor=world.officer, source=BatchSource.UPLOAD)
    client = client_for(world.officer)
    doc = InvoiceDocument.objects.get()
    client.get(reverse("invoices:detail", args=[doc.uuid]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("invoices:detail", args=[doc.uuid]))
    assert response.content.decode().count("ART-00") == 60
    with django_assert_max_num_queries(12):
        response = client.get(reverse("invoices:batch", args=[batch.uuid]))
    assert len(response.context["problems"].object_list) == 41  # 40 refused, 1 warning (unknown supplier)
    with django_assert_max_num_queries(10):
        client.get(reverse("invoices:batches"))


def test_the_invoice_list_exports_what_the_person_sees_with_the_filters(
    world: Any, client_for: Callable[[User], Client], invoices: Any, officer_sl: User
) -> None:
    url = reverse("reports:export", args=["fakturor", "csv"])

    def numbers(response: Any) -> set[str]:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {line.split(";")[0] for line in text.splitlines()[1:]}

    assert numbers(client_for(officer_sl).get(url)) == {"SL-1"}
    assert numbers(client_for(world.officer).get(url)) == {"VM-1", "VMK-1", "SL-1"}
    assert numbers(client_for(world.officer).get(url, {"kind": "credit_note"})) == {"VMK-1"}
    assert client_for(world.supplier_contact).get(url).status_code == 403
    page = client_for(world.officer).get(reverse("invoices:list")).content.decode()
    assert reverse("reports:export", args=["fakturor", "xlsx"]) in page
