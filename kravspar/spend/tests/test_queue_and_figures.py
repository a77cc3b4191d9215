"""The work queue (manual assignment, recorded), the figures on a hand-checked dataset,
the lines behind them, the API, and who may see what."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract
from kravspar.cpv.models import CpvCode
from kravspar.findings.models import Deviation
from kravspar.procurements.models import Procurement
from kravspar.spend import figures
from kravspar.spend.matching import Matcher
from kravspar.spend.models import EconomyFinding, InvoiceMatch, LineMatch, LineMethod, MatchMethod, MatchStatus
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world: Any, supplier: Any, other_supplier: Any, contract: Contract, articles: Any) -> dict[str, Any]:
    """Hand-checked, Västmanland only:

    - F1 (RV-2025-0107 by reference, buyer reference "Ortopedkliniken"):
      ART-0001 2 × 100 = 200 on terms; ART-0001 1 × 110 = 110 over price (overcharge 10);
      NY-1 1 × 90 = 90 not on the list.                                   → 400, all contracted
    - F2 from the supplier without contract: 1 × 100 = 100                → 100, not contracted
    - K1 credit note of F1: ART-0001 1 × 100 = -100 on terms              → -100, contracted

    Spend 400; contracted 300 (75 %); on terms 200 - 100 = 100 (25 %); price deviation 10.
    """
    f1 = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        number="F1",
        contract_reference="RV-2025-0107",
        buyer_reference="Ortopedkliniken",
        lines=[
            {"item": "ART-0001", "price": 100, "quantity": 2},
            {"item": "ART-0001", "price": 110},
            {"item": "NY-1", "price": 90},
        ],
    )
    f2 = make_invoice(
        supplier=other_supplier, buyer=world.vastmanland, number="F2", lines=[{"item": "X", "price": 100}]
    )
    k1 = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        kind="credit_note",
        number="K1",
        billing_reference="F1",
        lines=[{"item": "ART-0001", "price": 100}],
    )
    Matcher(tolerance=Decimal(2)).match([f1.pk, f2.pk, k1.pk])
    return {"f1": f1, "f2": f2, "k1": k1}


def test_figures_on_a_hand_checked_dataset(world: Any, dataset: Any, supplier: Any, other_supplier: Any) -> None:
    qs = figures.filtered(world.officer)
    total = figures.totals(qs)
    assert (total.total, total.contracted, total.on_terms, total.overcharge) == (
        Decimal(400),
        Decimal(300),
        Decimal(100),
        Decimal(10),
    )
    assert (total.supplier_share, total.contract_share) == (Decimal("75.0"), Decimal("25.0"))
    by_supplier = {r.label: (r.total, r.supplier_share) for r in figures.figure_rows(qs, "supplier")}
    assert by_supplier == {
        supplier.name: (Decimal(300), Decimal("100.0")),
        other_supplier.name: (Decimal(100), Decimal(0)),
    }
    by_unit = {r.label: r.total for r in figures.figure_rows(qs, "unit")}
    assert by_unit == {
        "Ortopedkliniken (Region Västmanland)": Decimal(400),
        "Ingen enhet: köparreferensen anger ingen enhet": Decimal(0),
    }


def test_figures_by_cpv_use_the_contracts_procurement(
    world: Any, dataset: Any, contract: Contract, procurement: Procurement
) -> None:
    cpv = CpvCode.objects.get(code="90911200")
    Procurement.objects.filter(pk=procurement.pk).update(cpv_main=cpv)
    Contract.objects.filter(pk=contract.pk).update(procurement=procurement)
    rows = {r.key: r.total for r in figures.figure_rows(figures.filtered(world.officer), "cpv")}
    assert rows == {"90911200": Decimal(300), "none": Decimal(100)}


def test_period_filter(world: Any, dataset: Any) -> None:
    qs = figures.filtered(world.officer, date_from=datetime.date(2026, 4, 1))
    assert figures.totals(qs).lines == 0


def test_each_figure_links_to_its_lines(client_for: Any, world: Any, dataset: Any, supplier: Any) -> None:
    client = client_for(world.officer)
    response = client.get(reverse("spend:figures"), {"group": "supplier"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"per=supplier&amp;nyckel={supplier.uuid}&amp;urval=over_price" in page
    response = client.get(
        reverse("spend:lines"), {"per": "supplier", "nyckel": str(supplier.uuid), "urval": "over_price"}
    )
    lines = list(response.context["page"].object_list)
    assert [(lm.line.document.number, lm.overcharge) for lm in lines] == [("F1", Decimal("10.00"))]
    response = client.get(reverse("spend:lines"), {"urval": "not_contracted"})
    assert [lm.line.document.number for lm in response.context["page"].object_list] == ["F2"]


def test_figures_api(client_for: Any, world: Any, dataset: Any) -> None:
    client = client_for(world.officer)
    body = client.get("/api/v1/spend/figures", {"group": "organisation"}).json()
    assert body["total"]["spend"] == "400.00" or Decimal(body["total"]["spend"]) == Decimal(400)
    assert Decimal(body["total"]["supplier_compliance"]) == Decimal(75)
    assert Decimal(body["total"]["contract_compliance"]) == Decimal(25)
    assert [r["label"] for r in body["rows"]] == ["Region Västmanland"]
    assert body["contracts"][0]["contract_number"] == "RV-2025-0107"
    assert client.get("/api/v1/spend/figures", {"group": "nonsense"}).status_code == 400


def test_sormland_orderer_sees_no_vastmanland_spend(client_for: Any, world: Any, dataset: Any) -> None:
    client = client_for(world.orderer_sl)
    body = client.get("/api/v1/spend/figures").json()
    assert body["rows"] == [] and body["total"]["lines"] == 0
    response = client.get(reverse("spend:figures"))
    assert response.context["total"].lines == 0
    assert list(client.get(reverse("spend:lines")).context["page"].object_list) == []
    assert list(client.get(reverse("spend:queue")).context["page"].object_list) == []
    assert client.get(reverse("spend:invoice", args=[dataset["f2"].uuid])).status_code == 404
    assert client.post(reverse("spend:review", args=[dataset["f2"].uuid]), {"note": "x"}).status_code == 404


def test_supplier_contact_sees_nothing(client_for: Any, world: Any, dataset: Any) -> None:
    client = client_for(world.supplier_contact)
    assert client.get(reverse("spend:figures")).status_code == 403
    assert client.get(reverse("spend:queue")).status_code == 403
    assert client.get("/api/v1/spend/figures").status_code == 403


def test_queue_lists_what_needs_attention(client_for: Any, world: Any, dataset: Any) -> None:
    client = client_for(world.orderer_vm)
    response = client.get(reverse("spend:queue"))
    numbers = {m.document.number for m in response.context["page"].object_list}
    assert numbers == {"F1", "F2"}  # F1 has a line without article; F2 has no contract
    response = client.get(reverse("spend:queue"), {"status": MatchStatus.NO_CONTRACT})
    assert [m.document.number for m in response.context["page"].object_list] == ["F2"]


def test_queue_runs_a_fixed_number_of_queries(
    client_for: Any, world: Any, other_supplier: Any, django_assert_max_num_queries: Any
) -> None:
    docs = [
        make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}])
        for _ in range(30)
    ]
    Matcher().match([d.pk for d in docs])
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("spend:queue"))
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(14):
        client.get(reverse("spend:figures"), {"group": "unit"})
    with django_assert_max_num_queries(12):
        client.get(reverse("spend:lines"))


def test_officer_assigns_a_contract_by_hand_and_it_is_recorded(
    client_for: Any, world: Any, other_supplier: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    contract.suppliers.add(other_supplier)
    second = Contract.objects.create(
        contract_number="RV-2025-0300",
        title="Annat",
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 1, 1),
    )
    second.buyers.set([world.vastmanland])
    second.suppliers.set([other_supplier])
    doc = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 150}])
    Matcher().match([doc.pk])
    match = InvoiceMatch.objects.get(document=doc)
    assert match.status == MatchStatus.AMBIGUOUS
    client = client_for(world.officer)
    response = client.post(
        reverse("spend:assign_contract", args=[doc.uuid]),
        {"contract": str(contract.uuid), "version": match.version, "note": "Avrop enligt beställning"},
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.method, match.contract, match.matched_by) == (
        MatchStatus.MATCHED,
        MatchMethod.MANUAL,
        contract,
        world.officer,
    )
    assert not match.needs_attention
    # The line was matched against the assigned contract's price list and checked.
    assert LineMatch.objects.get(line__document=doc).article == articles[0]
    assert EconomyFinding.objects.filter(document=doc, check_type="over_price").exists()
    event = AuditEvent.objects.get(action="invoice_match.contract_assigned")
    assert event.actor == world.officer and "RV-2025-0107" in event.after["contract"]
    # Matching again keeps the manual match and learns nothing: a new invoice is ambiguous again.
    Matcher().match([doc.pk])
    assert InvoiceMatch.objects.get(document=doc).method == MatchMethod.MANUAL
    another = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    Matcher().match([another.pk])
    assert InvoiceMatch.objects.get(document=another).status == MatchStatus.AMBIGUOUS
    assert Deviation.objects.count() == 1


def test_officer_assigns_an_article_by_hand(
    client_for: Any, world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "HANDSKE-M", "price": 100}])
    Matcher().match([doc.pk])
    lm = LineMatch.objects.get()
    client = client_for(world.officer)
    response = client.post(
        reverse("spend:assign_article", args=[doc.uuid, 1]), {"article": str(articles[0].uuid), "version": lm.version}
    )
    assert response.status_code == 302
    lm.refresh_from_db()
    assert (lm.article, lm.method, lm.matched_by, lm.on_terms) == (articles[0], LineMethod.MANUAL, world.officer, True)
    assert not InvoiceMatch.objects.get(document=doc).needs_attention
    assert AuditEvent.objects.filter(action="invoice_match.article_assigned").exists()
    # Re-matching keeps the manual article.
    Matcher().match([doc.pk])
    assert LineMatch.objects.get().method == LineMethod.MANUAL


def test_a_contract_the_buyer_may_not_use_is_refused(
    client_for: Any, world: Any, other_supplier: Any, sormland_contract: Contract
) -> None:
    doc = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}])
    Matcher().match([doc.pk])
    match = InvoiceMatch.objects.get(document=doc)
    client = client_for(world.officer)
    response = client.post(
        reverse("spend:assign_contract", args=[doc.uuid]),
        {"contract": str(sormland_contract.uuid), "version": match.version},
    )
    assert response.status_code == 400
    assert InvoiceMatch.objects.get(document=doc).contract is None


def test_reader_and_orderer_cannot_assign(client_for: Any, world: Any, dataset: Any, contract: Contract) -> None:
    for user in (world.reader, world.orderer_vm):
        client = client_for(user)
        assert client.get(reverse("spend:invoice", args=[dataset["f2"].uuid])).status_code == 200
        response = client.post(
            reverse("spend:assign_contract", args=[dataset["f2"].uuid]), {"contract": str(contract.uuid)}
        )
        assert response.status_code == 403
        assert client.post(reverse("spend:review", args=[dataset["f2"].uuid]), {"note": "ok"}).status_code == 403
        assert client.post(reverse("spend:assign_article", args=[dataset["f1"].uuid, 3]), {}).status_code == 403
    assert InvoiceMatch.objects.get(document=dataset["f2"]).contract is None


def test_review_takes_an_invoice_out_of_the_queue_with_a_reason(client_for: Any, world: Any, dataset: Any) -> None:
    client = client_for(world.officer)
    url = reverse("spend:review", args=[dataset["f2"].uuid])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "Direktupphandling under gränsen"}).status_code == 302
    match = InvoiceMatch.objects.get(document=dataset["f2"])
    assert (match.needs_attention, match.reviewed_by) == (False, world.officer)
    assert AuditEvent.objects.filter(action="invoice_match.reviewed").exists()


def test_deviation_page_shows_the_invoice_lines(client_for: Any, world: Any, dataset: Any) -> None:
    deviation = EconomyFinding.objects.get(check_type="over_price").deviation
    response = client_for(world.officer).get(reverse("findings:detail", args=[deviation.uuid]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fakturarader (underlag)" in page and "F1" in page


def test_off_contract_list_by_organisation(
    client_for: Any, world: Any, dataset: Any, other_supplier: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("spend:off_contract"))
    assert [p.document.number for p in response.context["page"].object_list] == ["F2"]
    assert response.context["total"] == Decimal(100)
    outsider = client_for(world.orderer_sl).get(reverse("spend:off_contract"))
    assert list(outsider.context["page"].object_list) == []


def test_invoice_page_explains_the_match(
    client_for: Any, world: Any, dataset: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.officer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("spend:invoice", args=[dataset["f1"].uuid])).content.decode()
    assert "Genom avtalsreferensen ”RV-2025-0107” på fakturan." in page
    assert "över avtalat pris" in page
    assert 'name="article"' in page  # the officer may assign an article to the unmatched line
    page = client.get(reverse("spend:invoice", args=[dataset["f2"].uuid])).content.decode()
    assert "Leverantören har inget avtal med köparen" in page
    page = client.get(reverse("spend:invoice", args=[dataset["k1"].uuid])).content.decode()
    assert "Avtalet för den krediterade fakturan F1." in page


def test_the_reports_dashboard_shows_the_invoice_figures_with_links(client_for: Any, world: Any, dataset: Any) -> None:
    body = client_for(world.officer).get(reverse("reports:dashboard"), {"from": "2026-01-01", "to": "2026-12-31"})
    page = body.content.decode()
    assert "Leverantörstrohet" in page and "Avtalstrohet" in page
    assert "75,0 %" in page and "25,0 %" in page
    assert "urval=over_price" in page
    # Sörmland's reader sees none of Västmanland's invoices on the dashboard.
    other = client_for(world.orderer_sl).get(reverse("reports:dashboard"), {"from": "2026-01-01", "to": "2026-12-31"})
    assert "75,0 %" not in other.content.decode()
