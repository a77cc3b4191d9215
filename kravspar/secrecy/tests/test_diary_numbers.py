"""Diary numbers (diarienummer): a rule per organisation, checked with a Swedish message that
shows the expected form, searchable, on the pages and in the exports; outgoing documents
exported with their registration metadata."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.contracts import services as contract_services
from kravspar.core.errors import NotAllowedError
from kravspar.findings import services as finding_services
from kravspar.secrecy import services
from kravspar.secrecy.diary import diary_number_error
from kravspar.testing.factories import SupplierFactory

EXPECTED = "Diarienummer: skriv det i ärendehanteringssystemets form, t.ex. RS-2026-0142 (Region Sörmland)."


@pytest.fixture
def rule(world: Any) -> Any:
    return services.diary_rule_set(
        actor=world.admin, organisation=world.sormland, pattern=r"RS-\d{4}-\d{4}", example="RS-2026-0142"
    )


def register(world: Any, number: str, diary: str, buyers: list[Any]) -> Any:
    return contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[SupplierFactory.create()],
        buyers=buyers,
        contract_number=number,
        title="Tolktjänster",
        diary_number=diary,
        signed_on=datetime.date(2026, 1, 10),
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2028, 1, 31),
    )


def test_only_administrators_set_a_rule_and_it_must_be_a_working_pattern(world: Any) -> None:
    with pytest.raises(NotAllowedError):
        services.diary_rule_set(actor=world.officer, organisation=world.sormland, pattern="RS-.*", example="RS-1")
    with pytest.raises(ValidationError) as exc:
        services.diary_rule_set(actor=world.admin, organisation=world.sormland, pattern="RS-(", example="RS-1")
    assert exc.value.message_dict == {"pattern": ["Mönster: inte ett giltigt reguljärt uttryck."]}
    with pytest.raises(ValidationError) as exc:
        services.diary_rule_set(actor=world.admin, organisation=world.sormland, pattern=r"RS-\d+", example="RV-1")
    assert exc.value.message_dict == {"example": ["Exempel: stämmer inte med mönstret."]}
    services.diary_rule_set(actor=world.admin, organisation=world.sormland, pattern=r"RS-\d+", example="RS-1")
    assert services.diary_rule_set(actor=world.admin, organisation=world.sormland, pattern="", example="") is None
    assert AuditEvent.objects.filter(action="secrecy.diary_rule_set").count() == 2


def test_a_contract_number_of_the_wrong_form_is_refused_with_the_expected_form(world: Any, rule: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, "RS-2026-0900", "2026/142", [world.sormland])
    assert exc.value.message_dict["diary_number"] == [EXPECTED]
    contract = register(world, "RS-2026-0901", "RS-2026-0901", [world.sormland])
    assert contract.diary_number == "RS-2026-0901"
    with pytest.raises(ValidationError) as exc:
        contract_services.contract_update(
            actor=world.officer, contract=contract, expected_version=None, diary_number="x"
        )
    assert exc.value.message_dict["diary_number"] == [EXPECTED]


def test_a_joint_contract_passes_with_any_buyers_form_and_companies_use_their_regions(
    world: Any, rule: Any, company_of_vastmanland: Any
) -> None:
    # Västmanland has no rule: a joint contract may be registered in either diary.
    assert register(world, "J-1", "VM 2026/77", [world.sormland, world.vastmanland]).diary_number == "VM 2026/77"
    services.diary_rule_set(
        actor=world.admin, organisation=world.vastmanland, pattern=r"RV-\d{4}-\d{4}", example="RV-2026-0001"
    )
    assert diary_number_error("RV-2026-0107", [company_of_vastmanland]) is None
    assert "RV-2026-0001 (Region Västmanland)" in (diary_number_error("RS-2026-0107", [company_of_vastmanland]) or "")


def test_a_deviation_and_a_procurement_are_checked_too(world: Any, rule: Any) -> None:
    contract = register(world, "RS-2026-0902", "", [world.sormland])
    with pytest.raises(ValidationError) as exc:
        finding_services.deviation_update(
            actor=world.officer,
            deviation=finding_services.deviation_raise_on_contract(
                actor=world.officer, contract=contract, severity="minor", title="Sen leverans", kind="quality"
            ),
            expected_version=None,
            diary_number="fel",
        )
    assert exc.value.message_dict["diary_number"] == [EXPECTED]
    from kravspar.procurements import services as procurement_services

    with pytest.raises(ValidationError) as exc:
        procurement_services.procurement_create(
            actor=world.officer, buyers=[world.sormland], registry_number="2026-17", title="Tolk", kind="services"
        )
    # "Registry number" reads "Diarienummer" in Swedish too.
    assert exc.value.message_dict["registry_number"] == [EXPECTED]


def test_searchable_shown_and_exported(world: Any, rule: Any, client_for: Any) -> None:
    register(world, "RS-2026-0903", "RS-2026-1234", [world.sormland])
    register(world, "RS-2026-0904", "RS-2026-5678", [world.sormland])
    client = client_for(world.officer)
    listed = client.get(reverse("contracts:list"), {"q": "1234"}).content.decode()
    assert "RS-2026-0903" in listed and "RS-2026-0904" not in listed
    export = client.get(reverse("reports:export", args=["avtal", "csv"]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "Diarienummer" in text.splitlines()[0] and "RS-2026-1234" in text


def test_a_sanction_decision_downloads_with_its_registration_data(
    world: Any, cast: Any, client_for: Any, rule: Any
) -> None:
    deviation = cast.deviation
    finding_services.deviation_update(
        actor=world.officer, deviation=deviation, expected_version=None, diary_number="RS-2026-0777"
    )
    sanction = finding_services.sanction_decide(
        actor=world.officer, contract=deviation.contract, deviations=[deviation], decision="apply", kind="remark"
    )
    url = reverse("secrecy:sanction_registration", args=[sanction.uuid])
    response = client_for(world.officer).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["diary_number"] == "RS-2026-0777"
    assert data["document"]["type"] == "sanction_decision" and data["document"]["direction"] == "outgoing"
    assert data["recipients"] == [
        {"name": "Städbolaget AB", "organisation_number": deviation.contract.suppliers.get().org_number}
    ]
    assert {p["name"] for p in data["sender"]} == {"Region Sörmland", "Region Västmanland"}
    assert client_for(cast.outsider).get(url).status_code == 404
