"""One test per rule of withholding.py: what is never published, whatever the data."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from kravspar.findings import services as findings
from kravspar.findings.models import Deviation, DeviationStatus, Severity
from kravspar.opendata import withholding
from kravspar.opendata.tests.conftest import SECRETS, SOLE_TRADER_PNR, Scenario, release_for
from kravspar.procurements.models import Procurement, ProcurementStatus

pytestmark = pytest.mark.django_db
D = datetime.date


def text_of(package: dict[str, Any]) -> str:
    return json.dumps(package, ensure_ascii=False)


def milestone_ids(package: dict[str, Any]) -> set[str]:
    return {
        m["id"]
        for r in package["releases"]
        for c in r.get("contracts", [])
        for m in c.get("implementation", {}).get("milestones", [])
    }


# Rule 1 -----------------------------------------------------------------------------


def test_a_subcontractor_s_name_and_number_never_appear(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    assert SECRETS["subcontractor"] not in text
    assert SECRETS["subcontractor_orgnr"] not in text


def test_a_deviation_at_a_subcontractor_is_published_without_saying_who(scenario: Scenario, export: Any) -> None:
    (contract,) = release_for(export(), str(scenario.procurement.uuid))["contracts"]
    published = next(
        m for m in contract["implementation"]["milestones"] if m["id"] == str(scenario.published_deviation.uuid)
    )

    assert "i leverantörskedjan" in published["title"]
    assert SECRETS["subcontractor"] not in published["title"]


# Rule 2 -----------------------------------------------------------------------------


def test_people_s_names_and_e_mail_addresses_never_appear(scenario: Scenario, world: Any, export: Any) -> None:
    text = text_of(export())

    for secret in ("officer_first", "officer_last", "officer_email", "responsible_first", "responsible_last"):
        assert SECRETS[secret] not in text, secret
    assert "@" not in text


def test_a_sole_trader_s_personal_identity_number_and_address_never_appear(scenario: Scenario, export: Any) -> None:
    package = export()
    text = text_of(package)

    assert SOLE_TRADER_PNR not in text
    assert "811218-9876" not in text
    assert SECRETS["sole_trader_street"] not in text
    party = next(
        p for p in release_for(package, str(scenario.direct.uuid))["parties"] if p["name"] == "Anna Fönsterputs"
    )
    assert "Sala" not in json.dumps(party)
    assert party["identifier"] == {"legalName": "Anna Fönsterputs"}


def test_personal_identity_numbers_are_told_from_organisation_numbers() -> None:
    assert withholding.is_personal_identity_number("811218-9876")
    assert not withholding.is_personal_identity_number("232100-0032")
    assert withholding.supplier_number_publishable("5560125790")
    assert not withholding.supplier_number_publishable("8112189876")
    assert not withholding.supplier_number_publishable("")


def test_suppliers_street_addresses_are_not_published(scenario: Scenario, export: Any) -> None:
    type(scenario.supplier).objects.filter(pk=scenario.supplier.pk).update(street_address="Leverantörsvägen 3")

    assert "Leverantörsvägen 3" not in text_of(export())


# Rule 3 -----------------------------------------------------------------------------


def test_evidence_files_are_never_mentioned(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    assert SECRETS["evidence_name"] not in text
    assert "evidence/" not in text
    assert '"documents"' not in text


# Rule 4 -----------------------------------------------------------------------------


def test_internal_notes_and_free_text_never_appear(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    for secret in (
        "activity_note",
        "open_deviation_description",
        "planned_deviation_title",
        "plan_response",
        "aim_how",
    ):
        assert SECRETS[secret] not in text, secret
    assert "Strateginoteringar" not in text
    assert "Väsentligt avtalsbrott" not in text  # termination grounds


def test_the_outcome_of_a_follow_up_is_not_published(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    assert "deviations" not in text and "Avvikelser funna" not in text


def test_sanctions_are_not_published(scenario: Scenario, world: Any, export: Any) -> None:
    deviation = scenario.published_deviation
    Deviation.objects.filter(pk=deviation.pk).update(deadline=D(2026, 3, 1))
    deviation.refresh_from_db()
    findings.sanction_decide(
        actor=world.officer,
        contract=scenario.contract,
        deviations=[deviation],
        decision="apply",
        kind="price_reduction",
        amount=73_519,
        reason=SECRETS["sanction_reason"],
        decided_on=D(2026, 3, 10),
    )

    text = text_of(export())
    assert SECRETS["sanction_reason"] not in text
    assert "73519" not in text and "Prisavdrag" not in text


# Rule 5 -----------------------------------------------------------------------------


def test_a_deviation_without_an_agreed_plan_is_not_mentioned(scenario: Scenario, export: Any) -> None:
    package = export()
    text = text_of(package)

    assert str(scenario.open_deviation.uuid) not in text
    assert SECRETS["open_deviation"] not in text
    assert "kritisk" not in text.lower()  # its severity would give it away
    assert str(scenario.published_deviation.uuid) in milestone_ids(package)


def test_an_observation_is_not_mentioned(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    assert str(scenario.observation.uuid) not in text
    assert SECRETS["observation"] not in text


def test_a_reopened_deviation_disappears_until_a_new_plan_is_agreed(
    scenario: Scenario, world: Any, export: Any
) -> None:
    deviation = scenario.published_deviation
    findings.action_plan_verify(
        actor=world.officer, deviation=deviation, expected_version=None, fixed=True, verified_on=D(2026, 4, 20)
    )
    deviation.refresh_from_db()
    assert str(deviation.uuid) in milestone_ids(export())

    findings.deviation_reopen(actor=world.officer, deviation=deviation, expected_version=None, reason="Igen")

    assert str(deviation.uuid) not in milestone_ids(export())


def test_a_published_deviation_says_only_severity_requirement_deadline_and_status(
    scenario: Scenario, export: Any
) -> None:
    (contract,) = release_for(export(), str(scenario.procurement.uuid))["contracts"]
    milestone = next(
        m for m in contract["implementation"]["milestones"] if m["id"] == str(scenario.published_deviation.uuid)
    )

    assert (
        milestone["title"] == "Åtgärdsplan efter avvikelse (allvarlig): Arbetsrättsliga villkor (i leverantörskedjan)"
    )
    assert milestone["type"] == "delivery" and milestone["code"] == "correctiveActionPlan"
    assert milestone["dueDate"] == "2026-04-30T00:00:00+02:00"
    assert milestone["status"] == "notMet"  # the deadline passed without a verified fix
    assert set(milestone) == {"id", "title", "type", "code", "dueDate", "dateModified", "status"}


def test_the_milestone_status_of_a_deviation() -> None:
    today = D(2026, 5, 1)

    def status(**fields: Any) -> str:
        return withholding.deviation_milestone_status(Deviation(**fields), today)

    assert status(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=D(2026, 6, 1)) == "scheduled"
    assert status(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=D(2026, 4, 1)) == "notMet"
    assert status(status=DeviationStatus.FIXED, deadline=D(2026, 4, 1), fixed_on=D(2026, 4, 10)) == "met"
    assert status(status=DeviationStatus.NOT_FIXED, deadline=D(2026, 6, 1)) == "notMet"
    assert status(status=DeviationStatus.CLOSED, deadline=D(2026, 6, 1)) == "notMet"
    assert withholding.deviation_is_publishable(Deviation(status=DeviationStatus.CLOSED, deadline=D(2026, 6, 1)))
    assert not withholding.deviation_is_publishable(Deviation(status=DeviationStatus.CLOSED, deadline=None))
    assert not withholding.deviation_is_publishable(Deviation(status=DeviationStatus.OPEN, severity=Severity.MAJOR))


# Rule 6 -----------------------------------------------------------------------------


def test_a_procurement_in_planning_is_not_published(scenario: Scenario, export: Any) -> None:
    text = text_of(export())

    assert SECRETS["planning_title"] not in text
    assert str(scenario.planning.uuid) not in text


@pytest.mark.parametrize(
    ("status", "published"),
    [
        (ProcurementStatus.PLANNING, False),
        (ProcurementStatus.STRATEGY_APPROVED, False),
        (ProcurementStatus.ADVERTISED, True),
        (ProcurementStatus.EVALUATION, True),
        (ProcurementStatus.AWARDED, True),
        (ProcurementStatus.CONCLUDED, True),
        (ProcurementStatus.CANCELLED, False),
    ],
)
def test_procurements_are_published_from_advertising_on(
    scenario: Scenario, export: Any, status: str, published: bool
) -> None:
    Procurement.objects.filter(pk=scenario.planning.pk).update(status=status)

    assert (str(scenario.planning.uuid) in text_of(export())) is published


def test_a_cancelled_procurement_with_a_contract_is_still_published(scenario: Scenario, export: Any) -> None:
    Procurement.objects.filter(pk=scenario.procurement.pk).update(status=ProcurementStatus.CANCELLED)

    release = release_for(export(), str(scenario.procurement.uuid))
    assert release["tender"]["status"] == "cancelled"
    assert "tenderCancellation" in release["tag"]
