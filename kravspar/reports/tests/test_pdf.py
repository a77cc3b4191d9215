"""PDF reports: A4, with the organisation's details and the contract's follow-up."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from kravspar.reports import figures, pdf
from kravspar.reports.scope import resolve
from kravspar.reports.tests.conftest import today

A4_MEDIABOX = re.compile(rb"/MediaBox \[\s*0 0 595\.2756 841\.8898\s*\]")


def test_the_contract_report_is_an_a4_pdf_with_the_follow_up(world: Any, data: Any) -> None:
    content = pdf.contract_report(data.contract_vm, today=today(), compress=False)
    assert content.startswith(b"%PDF")
    assert A4_MEDIABOX.search(content)
    # Uncompressed, reportlab writes each string in the page stream as it is.
    for text in (b"VM-1", b"Kollektivavtalsenliga villkor", b"Region V", b"232100-0172"):
        assert text in content, text
    assert b"SL-1" not in content and b"Storbolaget" not in content  # another contract's


def test_the_contract_report_carries_the_diary_number(world: Any, data: Any) -> None:
    data.contract_vm.diary_number = "RV-2026-77"
    data.contract_vm.save(update_fields=["diary_number"])
    content = pdf.contract_report(data.contract_vm, today=today(), compress=False)
    assert b"RV-2026-77" in content


def test_the_contract_report_has_deviations_plans_and_sanctions(world: Any, data: Any) -> None:
    from decimal import Decimal

    from kravspar.findings.models import ActionPlan, Deviation, Sanction

    deviation = Deviation.objects.get(contract=data.contract_sl)
    ActionPlan.objects.create(deviation=deviation, agreed_on=today(), deadline=today())
    content = pdf.contract_report(data.contract_sl, today=today(), compress=False)
    assert b"Fel kemikalier" in content
    assert today().isoformat().encode() in content  # the plan's deadline
    assert Sanction.objects.get(contract=data.contract_sl).amount == Decimal(10000)
    assert b"10 000 kr" in content
    assert b"Storbolaget AB" in content  # the supplier's status row


def test_the_contract_report_through_the_page(world: Any, data: Any, client_for: Any) -> None:
    url = reverse("reports:contract_pdf", args=[data.contract_vm.uuid])
    response = client_for(world.orderer_vm).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="uppfoljningsrapport-VM-1.pdf"' in response["Content-Disposition"]


def test_an_outsider_gets_no_contract_report(world: Any, data: Any, client_for: Any) -> None:
    url = reverse("reports:contract_pdf", args=[data.contract_sl.uuid])
    assert client_for(world.orderer_vm).get(url).status_code == 404
    assert client_for(world.supplier_contact).get(url).status_code == 404


def test_the_annual_report_has_the_organisation_and_its_figures(world: Any, data: Any) -> None:
    scope = resolve(world.officer, key=f"org:{world.vastmanland.uuid}", today=today())
    content = pdf.annual_report(world.vastmanland, figures.dashboard(scope), year=today().year, compress=False)
    assert content.startswith(b"%PDF")
    assert A4_MEDIABOX.search(content)
    assert b"232100-0172" in content
    assert f"{today().year}".encode() in content
    # Issue 11: the strategy gate by advertising day, with retrofitted strategies apart.
    for text in (b"Annonseringsdag ok", b"efterhandsgodk"):  # PDF escapes å, ä, ö
        assert text in content, text


def test_the_annual_report_through_the_page(world: Any, data: Any, client_for: Any) -> None:
    url = reverse("reports:annual_pdf")
    params = {"organisation": str(world.vastmanland.uuid), "year": str(today().year)}
    response = client_for(world.orderer_vm).get(url, params)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    refused = client_for(world.orderer_vm).get(url, params | {"organisation": str(world.sormland.uuid)})
    assert refused.status_code == 404
    assert client_for(world.orderer_vm).get(url, params | {"year": "tjugo"}).status_code == 404
