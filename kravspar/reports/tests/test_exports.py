"""Every main list to Excel and CSV: the list's filters apply, and nobody gets a row their
list would not show."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kravspar.reports.tests.conftest import make_contract


def url(name: str, fmt: str) -> str:
    return reverse("reports:export", args=[name, fmt])


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Swedish Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response: Any) -> list[list[Any]]:
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_contracts_to_csv_with_semicolons_and_bom(world: Any, data: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(url("avtal", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="avtal-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][0] == "Avtalsnummer"
    assert sorted(r[0] for r in rows[1:]) == ["SL-1", "VM-1"]
    vm = next(r for r in rows if r[0] == "VM-1")
    assert "Västerås Städ AB" in vm and "1000000" in vm


def test_contracts_to_excel(world: Any, data: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(url("avtal", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = xlsx_rows(response)
    assert rows[0][0] == "Avtalsnummer"
    assert sorted(r[0] for r in rows[1:]) == ["SL-1", "VM-1"]


def test_an_outsiders_export_leaves_out_what_they_cannot_see(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.orderer_vm)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(client.get(url("avtal", fmt)))
        assert [r[0] for r in rows[1:]] == ["VM-1"]
    deviations = csv_rows(client.get(url("avvikelser", "csv")))
    assert [r[1] for r in deviations[1:]] == ["Lön under avtal"]
    followups = csv_rows(client.get(url("uppfoljningar", "csv"), {"scope": "all", "view": "all"}))
    assert {r[1] for r in followups[1:]} == {"VM-1"}
    procurements = csv_rows(client.get(url("upphandlingar", "csv")))
    assert [r[0] for r in procurements[1:]] == ["VM-P-1"]


def test_the_lists_filters_apply(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    rows = csv_rows(client.get(url("avtal", "csv"), {"q": "SL-"}))
    assert [r[0] for r in rows[1:]] == ["SL-1"]
    rows = csv_rows(client.get(url("avtal", "csv"), {"organisation": str(world.vastmanland.uuid)}))
    assert [r[0] for r in rows[1:]] == ["VM-1"]
    rows = csv_rows(client.get(url("avvikelser", "csv"), {"severity": "critical"}))
    assert [r[1] for r in rows[1:]] == ["Fel kemikalier"]
    rows = csv_rows(client.get(url("avvikelser", "csv"), {"contract": "VM-1"}))
    assert [r[2] for r in rows[1:]] == ["VM-1"]
    rows = csv_rows(client.get(url("leverantorer", "csv"), {"county": "19"}))
    assert [r[0] for r in rows[1:]] == ["Västerås Städ AB"]
    rows = csv_rows(client.get(url("uppfoljningar", "csv"), {"scope": "all", "view": "overdue"}))
    assert sorted(r[1] for r in rows[1:]) == ["SL-1", "VM-1"]
    rows = csv_rows(client.get(url("upphandlingar", "csv"), {"q": "VM-P"}))
    assert [r[0] for r in rows[1:]] == ["VM-P-1"]


def test_a_contract_number_the_person_cannot_see_matches_nothing(world: Any, data: Any, client_for: Any) -> None:
    rows = csv_rows(client_for(world.orderer_vm).get(url("avvikelser", "csv"), {"contract": "SL-1"}))
    assert rows[1:] == []


def test_cells_that_look_like_formulas_are_defused(world: Any, data: Any, client_for: Any) -> None:
    make_contract("=HYPERLINK(1)", [world.vastmanland], data.local_supplier, 1)
    rows = csv_rows(client_for(world.officer).get(url("avtal", "csv"), {"q": "HYPERLINK"}))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("name", ["avtal", "upphandlingar", "avvikelser", "uppfoljningar", "leverantorer"])
def test_a_supplier_contact_exports_nothing(world: Any, data: Any, client_for: Any, name: str) -> None:
    assert client_for(world.supplier_contact).get(url(name, "csv")).status_code == 403


def test_unknown_lists_and_formats_are_404(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    assert client.get(url("hemligt", "csv")).status_code == 404
    assert client.get(url("avtal", "pdf")).status_code == 404


def test_export_queries_do_not_grow_with_rows(
    world: Any, data: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        make_contract(f"Y-{n}", [world.vastmanland], data.local_supplier, n)
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(url("avtal", "csv"))
        rows = csv_rows(response)
    assert len(rows) == 33


@pytest.mark.parametrize(
    ("list_url", "name", "query"),
    [
        ("contracts:list", "avtal", "q=VM"),
        ("procurements:list", "upphandlingar", "status=advertised"),
        ("findings:list", "avvikelser", "severity=major"),
        ("followups:work_list", "uppfoljningar", "view=overdue"),
        ("suppliers:list", "leverantorer", "county=19"),
    ],
)
def test_each_list_links_to_its_exports_with_its_filters(
    world: Any, data: Any, client_for: Any, list_url: str, name: str, query: str
) -> None:
    client = client_for(world.officer)
    html = client.get(f"{reverse(list_url)}?{query}").content.decode()
    assert f'href="{url(name, "xlsx")}?{query}"' in html
    assert f'href="{url(name, "csv")}?{query}"' in html
    assert "Exportera till Excel" in html


def test_the_export_links_follow_the_filters_without_a_page_load(world: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(reverse("reports:export_links", args=["avtal"]), {"q": "SL", "sida": "3"})
    html = response.content.decode()
    assert f'href="{url("avtal", "xlsx")}?q=SL"' in html
    assert client_for(world.officer).get(reverse("reports:export_links", args=["x"])).status_code == 404
