"""export_ocds on demo-like data: the package validates offline against the release-package
schema with the extensions it declares, and says what the domain holds."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kravspar.opendata import ocds, validation
from kravspar.opendata.tests.conftest import SOLE_TRADER_PNR, SUPPLIER_ORGNR, Scenario, release_for
from kravspar.procurements.models import Method, Procedure, ProcurementKind
from kravspar.testing.fuzzing import SHARED_CORPUS

CORPUS = SHARED_CORPUS / "ocds"
pytestmark = pytest.mark.django_db


def test_the_export_validates_against_the_package_schema_with_its_extensions(scenario: Scenario, export: Any) -> None:
    package = export()

    assert validation.package_errors(package) == []
    assert package["version"] == "1.1"
    assert package["extensions"] == list(validation.EXTENSION_DIRS)
    assert package["publishedDate"]
    assert package["publisher"]["name"]
    assert package["uri"].endswith("/api/v1/ocds/releases")


def test_one_release_per_procurement_and_one_per_contract_registered_directly(scenario: Scenario, export: Any) -> None:
    package = export()

    ocids = [r["ocid"] for r in package["releases"]]
    assert sorted(ocids) == sorted([f"ocds-xxxxxx-{scenario.procurement.uuid}", f"ocds-xxxxxx-{scenario.direct.uuid}"])
    assert len({r["id"] for r in package["releases"]}) == 2


def test_parties_are_identified_by_organisation_number_with_their_roles(
    scenario: Scenario, world: Any, export: Any
) -> None:
    release = release_for(export(), str(scenario.procurement.uuid))

    parties = {p["id"]: p for p in release["parties"]}
    sormland = parties["SE-ON-2321000032"]
    assert sormland["identifier"] == {"scheme": "SE-ON", "id": "2321000032", "legalName": "Region Sörmland"}
    assert sormland["roles"] == ["buyer"]
    assert parties["SE-ON-2321000172"]["roles"] == ["buyer"]
    inkop = parties[f"SE-ON-2321000032-{world.inkop.uuid}"]
    assert inkop["roles"] == ["procuringEntity"] and inkop["name"] == "Region Sörmland, Inköp"
    assert release["tender"]["procuringEntity"]["id"] == inkop["id"]
    supplier = parties[f"SE-ON-{SUPPLIER_ORGNR}"]
    assert supplier["roles"] == ["tenderer", "supplier"]
    assert supplier["identifier"]["scheme"] == "SE-ON"
    assert release["buyer"]["id"] in {"SE-ON-2321000032", "SE-ON-2321000172"}


def test_the_tender_maps_the_procurement(scenario: Scenario, export: Any) -> None:
    tender = release_for(export(), str(scenario.procurement.uuid))["tender"]

    assert tender["id"] == "RS-2026-0142"
    assert tender["title"] == "Städtjänster"
    assert tender["status"] == "complete"
    assert tender["procurementMethod"] == "open"
    assert tender["procurementMethodDetails"] == "Öppet förfarande"
    assert tender["mainProcurementCategory"] == "services"
    assert tender["value"] == {"amount": 40_000_000, "currency": "SEK"}
    item = tender["items"][0]
    assert item["classification"]["scheme"] == "CPV" and item["classification"]["id"] == "90910000"
    assert [c["id"] for c in item["additionalClassifications"]] == ["90911200"]


def test_the_sustainability_extension_states_the_aims_served(scenario: Scenario, export: Any) -> None:
    tender = release_for(export(), str(scenario.procurement.uuid))["tender"]

    assert tender["hasSustainability"] is True
    goals = {s["goal"]: s for s in tender["sustainability"]}
    # Aims 1, 3, 4 and 6 were assessed relevant; aim 5 (animal welfare) was not.
    assert set(goals) == {"economic", "environmental", "social.laborRightsPromotion", "economic.localEconomyPromotion"}
    assert goals["social.laborRightsPromotion"]["description"] == "Inköpspolicyns mål 4: Goda arbetsvillkor"
    # Aim 4 is pursued with a requirement followed up after signing.
    assert goals["social.laborRightsPromotion"]["strategies"] == ["contractPerformanceConditions"]
    assert "strategies" not in goals["environmental"]


def test_sustainability_goals_come_from_the_extension_code_list(scenario: Scenario) -> None:
    path = validation.SCHEMA_DIR / "extensions" / "sustainability" / "codelists" / "sustainabilityGoal.csv"
    with path.open(encoding="utf-8") as handle:
        codes = {row["Code"] for row in csv.DictReader(handle)}
    for goal in ocds.SUSTAINABILITY_GOAL.values():
        # The code list is open: a new sub-code must extend an existing code.
        assert goal in codes or goal.split(".")[0] in codes, goal


def test_awards_and_contracts_carry_period_value_and_status(scenario: Scenario, export: Any) -> None:
    release = release_for(export(), str(scenario.procurement.uuid))

    assert release["tag"] == ["tender", "award", "contract", "implementation"]
    (award,) = release["awards"]
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"] == "RS-2026-0142-1"
    assert contract["status"] == "active" and contract["statusDetails"] == "Gällande"
    assert contract["value"] == {"amount": 12_000_000, "currency": "SEK"}
    assert contract["period"] == {
        "startDate": "2026-01-01T00:00:00+01:00",
        "endDate": "2027-12-31T00:00:00+01:00",
        "maxExtentDate": "2029-12-31T00:00:00+01:00",
    }
    assert contract["dateSigned"] == "2025-12-15T00:00:00+01:00"
    assert award["suppliers"] == [{"id": f"SE-ON-{SUPPLIER_ORGNR}", "name": "Städbolaget AB"}]


def test_follow_ups_become_implementation_milestones(scenario: Scenario, export: Any) -> None:
    (contract,) = release_for(export(), str(scenario.procurement.uuid))["contracts"]
    milestones = contract["implementation"]["milestones"]
    follow_ups = [m for m in milestones if m["code"] != "correctiveActionPlan"]

    # The plan: a self-assessment at the start and a spot check every 6 months of the two
    # years (2026-07-01, 2027-01-01, 2027-07-01).
    assert len(follow_ups) == 1 + 3
    done = next(m for m in follow_ups if m["code"] == "self_assessment")
    assert done["type"] == "reporting"
    assert done["status"] == "met"
    assert done["dueDate"] == "2026-01-31T00:00:00+01:00"
    assert done["dateMet"] == "2026-02-10T00:00:00+01:00"
    assert done["title"] == "Självdeklaration: Arbetsrättsliga villkor"
    checks = [m for m in follow_ups if m["code"] == "spot_check"]
    assert {m["type"] for m in checks} == {"assessment"}
    assert all("dateMet" not in m for m in checks)


def test_milestone_status_follows_the_due_date(scenario: Scenario, tmp_path: Path) -> None:
    import datetime

    releases = list(ocds.iter_releases(ocds.Filters(), today=datetime.date(2026, 9, 1)))
    release = next(r for r in releases if r["ocid"].endswith(str(scenario.procurement.uuid)))
    checks = [m for m in release["contracts"][0]["implementation"]["milestones"] if m["code"] == "spot_check"]
    # Due 2026-07-01 and not done by 2026-09-01: not met. The rest: scheduled.
    assert [m["status"] for m in checks] == ["notMet", "scheduled", "scheduled"]


def test_every_follow_up_method_has_a_milestone_type() -> None:
    assert set(ocds.MILESTONE_TYPE) == set(Method)
    assert set(ocds.MILESTONE_TYPE.values()) == {"assessment", "reporting"}
    assert set(ocds.PROCUREMENT_METHOD) == set(Procedure)
    assert set(ocds.PROCUREMENT_METHOD.values()) <= {"open", "selective", "limited", "direct"}
    assert set(ocds.MAIN_CATEGORY) == set(ProcurementKind)


def test_the_strategy_approval_is_a_planning_milestone(scenario: Scenario, export: Any) -> None:
    release = release_for(export(), str(scenario.procurement.uuid))

    (approval,) = release["planning"]["milestones"]
    assert approval["type"] == "approval" and approval["status"] == "met"
    assert approval["dateMet"] == "2025-10-01T12:00:00+02:00"


def test_a_contract_registered_directly_has_no_tender(scenario: Scenario, export: Any) -> None:
    release = release_for(export(), str(scenario.direct.uuid))

    assert "tender" not in release
    assert release["buyer"]["id"] == "SE-ON-2321000172"
    (party,) = [p for p in release["parties"] if "supplier" in p["roles"]]
    assert party["roles"] == ["supplier"]
    assert SOLE_TRADER_PNR not in json.dumps(release)
    assert "value" not in release["contracts"][0]


def test_the_validator_is_not_vacuous(scenario: Scenario, export: Any) -> None:
    package = export()
    release = next(r for r in package["releases"] if "tender" in r)

    broken = json.loads(json.dumps(package))
    broken["releases"][0]["contracts"][0]["implementation"]["milestones"][0]["status"] = "done"
    assert any("is not one of" in e for e in validation.package_errors(broken))
    # The extension's patch is applied: hasSustainability must be a boolean.
    patched = json.loads(json.dumps(release))
    patched["tender"]["hasSustainability"] = "yes"
    assert list(validation.release_errors(patched, tuple(ocds.EXTENSIONS)))
    # Formats are checked: a date without a time is not an OCDS date-time.
    dated = json.loads(json.dumps(release))
    dated["date"] = "2026-01-01"
    assert any("date-time" in e for e in validation.release_errors(dated, tuple(ocds.EXTENSIONS)))
    # An undeclared extension cannot be validated offline and is reported.
    assert validation.package_errors({**package, "extensions": ["https://example.org/extension.json"]})


def test_refs_never_leave_the_local_files() -> None:
    from jsonschema import Draft4Validator
    from referencing.exceptions import Unresolvable

    registry = validation.registry(tuple(ocds.EXTENSIONS))
    validator = Draft4Validator({"$ref": "https://example.org/schema.json"}, registry=registry)
    with pytest.raises(Unresolvable):
        validator.validate({})


def test_merge_patch_follows_rfc_7386() -> None:
    target = {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": 1}
    patch = {"a": {"b": None, "x": 3}, "d": [3], "f": {"g": 1}}
    assert validation.merge_patch(target, patch) == {"a": {"c": 2, "x": 3}, "d": [3], "e": 1, "f": {"g": 1}}
    assert target == {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": 1}  # the original is untouched


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not on this machine")
def test_the_schema_copies_are_the_corpus_files_and_the_declared_url_is_the_registry_s() -> None:
    local = validation.SCHEMA_DIR
    pairs = [
        (local / "release-schema.json", CORPUS / "schema" / "release-schema.json"),
        (local / "release-package-schema.json", CORPUS / "schema" / "release-package-schema.json"),
        (
            local / "extensions" / "sustainability" / "release-schema.json",
            CORPUS / "extensions" / "ocds_sustainability_extension" / "release-schema.json",
        ),
    ]
    for copy, original in pairs:
        assert copy.read_bytes() == original.read_bytes(), copy
    with (CORPUS / "extension_registry" / "extension_versions.csv").open(encoding="utf-8") as handle:
        registry_urls = {row["Base URL"] + "extension.json" for row in csv.DictReader(handle)}
    assert set(ocds.EXTENSIONS) <= registry_urls


def test_validate_refuses_an_invalid_export_and_keeps_the_previous_file(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ocds.json"
    path.write_text("previous", encoding="utf-8")
    original = ocds.ReleaseBuilder.contract_release

    def broken(self: ocds.ReleaseBuilder, contract: Any) -> dict[str, Any]:
        return {**original(self, contract), "tag": ["not-a-tag"], "initiationType": 42}

    monkeypatch.setattr(ocds.ReleaseBuilder, "contract_release", broken)
    with pytest.raises(CommandError, match="valideras inte"):
        call_command("export_ocds", "--output", str(path), "--validate")
    assert path.read_text(encoding="utf-8") == "previous"
    assert not [p for p in tmp_path.iterdir() if p.name != "ocds.json"]  # no temporary file left


def test_validate_passes_and_writes(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "ocds.json"
    out = io.StringIO()
    call_command("export_ocds", "--output", str(path), "--validate", stdout=out)
    assert "Skrev 2 releaser" in out.getvalue()
    assert validation.package_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_network_access_fails_loudly_in_these_tests() -> None:
    import socket

    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("standard.open-contracting.org", 443), timeout=1)


def codes(name: str) -> set[str]:
    with (validation.SCHEMA_DIR / "codelists" / name).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def test_every_code_comes_from_the_ocds_code_lists(scenario: Scenario, export: Any) -> None:
    # Open code lists may be extended; Kravspår uses only their own codes.
    for release in export()["releases"]:
        assert set(release["tag"]) <= codes("releaseTag.csv")
        assert release["initiationType"] in codes("initiationType.csv")
        assert {role for p in release["parties"] for role in p["roles"]} <= codes("partyRole.csv")
        tender = release.get("tender")
        if tender:
            assert tender["status"] in codes("tenderStatus.csv")
            assert tender["procurementMethod"] in codes("method.csv")
            assert tender["mainProcurementCategory"] in codes("procurementCategory.csv")
            assert {i["classification"]["scheme"] for i in tender["items"]} <= codes("itemClassificationScheme.csv")
        for award in release["awards"]:
            assert award["status"] in codes("awardStatus.csv")
        for contract in release["contracts"]:
            assert contract["status"] in codes("contractStatus.csv")
            assert contract.get("value", {"currency": "SEK"})["currency"] in codes("currency.csv")
            milestones = contract["implementation"]["milestones"]
            assert {m["type"] for m in milestones} <= codes("milestoneType.csv")
            assert {m["status"] for m in milestones} <= codes("milestoneStatus.csv")
