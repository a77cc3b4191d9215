"""export_ocds: settings, filters, and refusing bad arguments with a clear message."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kravspar.opendata.tests.conftest import Scenario, release_for

pytestmark = pytest.mark.django_db


def test_the_ocid_prefix_is_a_placeholder_until_set(scenario: Scenario, export: Any) -> None:
    package = export()

    assert {r["ocid"][:12] for r in package["releases"]} == {"ocds-xxxxxx-"}


def test_the_ocid_prefix_comes_from_the_setting(scenario: Scenario, export: Any, settings: Any) -> None:
    settings.KRAVSPAR_OCDS_PREFIX = "ocds-ab12cd"

    release = release_for(export(), str(scenario.procurement.uuid))
    assert release["ocid"] == f"ocds-ab12cd-{scenario.procurement.uuid}"
    assert release["id"].startswith(release["ocid"] + "-")


def test_the_ocid_prefix_comes_from_the_environment(
    scenario: Scenario, export: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRAVSPAR_OCDS_PREFIX", "ocds-zz99zz")

    assert all(r["ocid"].startswith("ocds-zz99zz-") for r in export()["releases"])


@pytest.mark.parametrize("prefix", ["ocds-ABC", "ocds-abcdefg", "abc-123456", "ocds-ab12c"])
def test_a_malformed_prefix_is_refused(scenario: Scenario, settings: Any, tmp_path: Path, prefix: str) -> None:
    settings.KRAVSPAR_OCDS_PREFIX = prefix

    with pytest.raises(CommandError, match="KRAVSPAR_OCDS_PREFIX"):
        call_command("export_ocds", "--output", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


def test_the_publisher_comes_from_the_settings(scenario: Scenario, export: Any, settings: Any) -> None:
    settings.KRAVSPAR_OCDS_PUBLISHER = "Inköp Sörmland Västmanland"
    settings.KRAVSPAR_OCDS_PUBLISHER_ORGNR = "232100-0032"

    assert export()["publisher"] == {"name": "Inköp Sörmland Västmanland", "scheme": "SE-ON", "uid": "2321000032"}


def test_organisation_keeps_the_releases_where_it_is_a_buyer(scenario: Scenario, export: Any) -> None:
    sormland = export("--organisation", "232100-0032")
    vastmanland = export("--organisation", "2321000172")

    assert [r["ocid"] for r in sormland["releases"]] == [f"ocds-xxxxxx-{scenario.procurement.uuid}"]
    assert len(vastmanland["releases"]) == 2
    assert sormland["uri"].endswith("/api/v1/ocds/releases?organisation=232100-0032")


def test_since_keeps_the_releases_changed_since_the_date(scenario: Scenario, export: Any) -> None:
    assert len(export("--since", "2000-01-01")["releases"]) == 2
    assert export("--since", "2999-12-31")["releases"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "12345"], "12345 är inte ett organisationsnummer"),
        (["--organisation", "232100-0033"], "kontrollsiffran"),
        (["--organisation", "556012-5790"], "Ingen organisation har organisationsnumret 556012-5790"),
        (["--since", "2026-13-01"], "2026-13-01 är inget datum. Skriv det som ÅÅÅÅ-MM-DD"),
        (["--since", "igår"], "igår är inget datum"),
        (["--chunk-size", "0"], "--chunk-size måste vara minst 1"),
    ],
)
def test_invalid_arguments_get_a_clear_message(
    scenario: Scenario, tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "ocds.json"
    path.write_text("previous", encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        call_command("export_ocds", "--output", str(path), *args)
    assert path.read_text(encoding="utf-8") == "previous"


def test_a_missing_folder_is_refused(scenario: Scenario, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Mappen .* finns inte"):
        call_command("export_ocds", "--output", str(tmp_path / "nej" / "ocds.json"))


def test_output_is_required() -> None:
    with pytest.raises(CommandError, match="--output"):
        call_command("export_ocds")


def test_dash_writes_to_standard_output(scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("export_ocds", "--output", "-")

    assert len(json.loads(capsys.readouterr().out)["releases"]) == 2


def test_the_summary_says_how_many_releases_were_written(scenario: Scenario, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("export_ocds", "--output", str(tmp_path / "ocds.json"), stdout=out)

    assert "Skrev 2 releaser till" in out.getvalue()


def test_an_empty_export_warns_that_it_has_no_releases(world: Any, tmp_path: Path) -> None:
    err = io.StringIO()
    call_command("export_ocds", "--output", str(tmp_path / "ocds.json"), stdout=io.StringIO(), stderr=err)

    assert "inga releaser" in err.getvalue()
    assert json.loads((tmp_path / "ocds.json").read_text(encoding="utf-8"))["releases"] == []
