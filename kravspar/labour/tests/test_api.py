"""The needs assessments and the agreements over the API: read by whoever sees the
procurement, never by its outsiders."""

from __future__ import annotations

from typing import Any

from kravspar.labour.tests.conftest import Cast


def test_the_officer_reads_the_assessment_with_its_three_conditions(world: Any, cast: Cast, client_for: Any) -> None:
    client = client_for(world.officer)
    body = client.get(f"/api/v1/procurements/{cast.procurement.uuid}/labour-assessment").json()
    assert body["registry_number"] == "RV-2026-0900"
    assert body["decision"] == "needed" and body["above_threshold"] is True
    assert body["agreement"]["name"] == "Serviceentreprenadavtalet"
    assert sorted(c["condition"] for c in body["conditions"]) == ["holiday", "wages", "working_hours"]
    listed = client.get("/api/v1/labour/assessments?decision=needed").json()
    assert [a["registry_number"] for a in listed["items"]] == ["RV-2026-0900"]
    assert client.get("/api/v1/labour/assessments?decision=not_needed").json()["count"] == 0
    agreements = client.get("/api/v1/labour/agreements").json()
    assert "Byggavtalet" in {a["name"] for a in agreements}


def test_an_orderer_of_the_region_reads_it_one_of_the_other_region_does_not(
    world: Any, cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    url = f"/api/v1/procurements/{cast.procurement.uuid}/labour-assessment"
    assert client_for(world.orderer_vm).get(url).status_code == 200
    outsider = client_for(world.orderer_sl)
    assert outsider.get(url).status_code == 404
    with django_assert_max_num_queries(12):
        assert outsider.get("/api/v1/labour/assessments").json()["count"] == 0


def test_a_supplier_contact_and_an_anonymous_caller_get_nothing(
    world: Any, cast: Cast, client: Any, client_for: Any
) -> None:
    url = f"/api/v1/procurements/{cast.procurement.uuid}/labour-assessment"
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/labour/agreements").status_code == 401
    supplier = client_for(cast.contact)
    assert supplier.get(url).status_code == 403
    assert supplier.get("/api/v1/labour/assessments").status_code == 403
    assert supplier.get("/api/v1/labour/agreements").status_code == 403
