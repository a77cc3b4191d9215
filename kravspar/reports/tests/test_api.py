"""The dashboard's figures over the API: the same numbers and the same access rules."""

from __future__ import annotations

from typing import Any

from kravspar.reports.tests.conftest import period

URL = "/api/v1/reports/dashboard"


def test_the_figures_as_json(world: Any, data: Any, client_for: Any) -> None:
    response = client_for(world.orderer_vm).get(URL, period())
    assert response.status_code == 200
    body = response.json()
    assert body["followups"] == {"due": 4, "on_time": 1, "late": 1, "overdue": 1, "upcoming": 1, "cancelled": 0}
    assert body["strategy_gate"] == {
        "part": 1,
        "whole": 1,
        "percent": 100,
        "retrofitted": 0,
        "missing": 0,
        "unknown": 0,
        "unknown_retrofitted": 0,
    }
    assert body["deviations_total"] == 1
    assert {r["key"]: r["counts"]["n"] for r in body["suppliers_by_status"]} == {"green": 0, "yellow": 1, "red": 0}
    assert body["local_business"]["local"]["part"] == 1
    assert body["working_conditions"]["followed"] == {"part": 1, "whole": 1, "percent": 100}
    aim4 = next(a for a in body["aims"] if a["key"] == "4")
    assert aim4["counts"]["procurements"] == 1 and list(aim4["requirement_types"].values()) == [1]
    # The labour deviation (no requirement: by its kind); no sanction in Västmanland.
    assert (aim4["counts"]["deviations"], aim4["counts"]["sanctions"]) == (1, 0)
    assert body["organisations"] == [str(world.vastmanland.uuid)]


def test_the_same_numbers_as_the_page(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    page = client.get("/rapporter/", period()).context["d"]
    body = client.get(URL, period()).json()
    assert body["followups"] == page.activities_total
    assert body["action_plans_overdue"] == page.plans_overdue
    assert [r["counts"] for r in body["followups_by_method"]] == [r.counts for r in page.by_method]


def test_an_organisation_filter(world: Any, data: Any, client_for: Any) -> None:
    body = client_for(world.officer).get(URL, period() | {"organisation": str(world.sormland.uuid)}).json()
    assert body["followups"]["due"] == 1 and body["deviations_total"] == 1


def test_an_organisation_the_person_does_not_see_is_404(world: Any, data: Any, client_for: Any) -> None:
    response = client_for(world.orderer_vm).get(URL, {"organisation": str(world.sormland.uuid)})
    assert response.status_code == 404
    assert response.json()["code"]


def test_a_supplier_contact_is_refused(world: Any, data: Any, client_for: Any) -> None:
    assert client_for(world.supplier_contact).get(URL).status_code == 403


def test_anonymous_is_refused(client: Any) -> None:
    assert client.get(URL).status_code == 401


def test_a_period_backwards_is_a_clear_error(world: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(URL, {"from": "2026-06-01", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "Till" in response.json()["message"]


def test_a_unit_scope_and_not_both(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    body = client.get(URL, period() | {"unit": str(world.inkop.uuid)}).json()
    assert body["followups"]["due"] == 5
    both = client.get(URL, {"unit": str(world.inkop.uuid), "organisation": str(world.sormland.uuid)})
    assert both.status_code == 400
    assert client_for(world.orderer_vm).get(URL, {"unit": str(world.inkop.uuid)}).status_code == 404


def test_the_endpoint_is_documented(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reports/dashboard" in schema["paths"]
