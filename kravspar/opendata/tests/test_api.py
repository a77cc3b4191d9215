"""GET /api/v1/ocds/releases: public, streamed, the same package as the command."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from kravspar.opendata import validation
from kravspar.opendata.tests.conftest import Scenario

pytestmark = pytest.mark.django_db
URL = "/api/v1/ocds/releases"


def body(response: Any) -> dict[str, Any]:
    assert isinstance(response, StreamingHttpResponse)
    return json.loads(b"".join(response.streaming_content))  # type: ignore[arg-type]


def test_anyone_may_read_the_package_without_logging_in(scenario: Scenario, client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = body(response)
    assert validation.package_errors(package) == []
    assert package["uri"] == "http://testserver/api/v1/ocds/releases"
    assert len(package["releases"]) == 2


def test_a_logged_in_person_gets_exactly_the_public_package(scenario: Scenario, world: Any, client_for: Any) -> None:
    # The outsider's side: being logged in (as a supplier contact, or as an officer who sees
    # more in the app) neither adds nor removes anything.
    anonymous = body(Client().get(URL))
    for person in (world.supplier_contact, world.officer):
        package = body(client_for(person).get(URL))
        assert package["releases"] == anonymous["releases"]


def test_an_organisation_gets_only_its_releases(scenario: Scenario, client: Client) -> None:
    sormland = body(client.get(URL, {"organisation": "232100-0032"}))
    vastmanland = body(client.get(URL, {"organisation": "2321000172"}))

    assert [r["ocid"].split("-", 2)[2] for r in sormland["releases"]] == [str(scenario.procurement.uuid)]
    assert len(vastmanland["releases"]) == 2


def test_since_keeps_only_what_changed(scenario: Scenario, client: Client) -> None:
    assert body(client.get(URL, {"since": "2000-01-01"}))["releases"]
    assert body(client.get(URL, {"since": "2999-01-01"}))["releases"] == []


def test_bad_filters_get_a_clear_message_in_swedish(scenario: Scenario, client: Client) -> None:
    response = client.get(URL, {"organisation": "123"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "är inte ett organisationsnummer" in response.json()["message"]

    response = client.get(URL, {"organisation": "556012-5790"})  # valid, but no such buyer
    assert response.status_code == 400
    assert "Ingen organisation har organisationsnumret" in response.json()["message"]

    response = client.get(URL, {"since": "igår"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_the_package_cannot_be_changed(scenario: Scenario, client: Client) -> None:
    assert client.post(URL, {}).status_code == 405


def test_an_empty_database_gives_an_empty_package(world: Any, client: Client) -> None:
    package = body(client.get(URL))

    assert package["releases"] == []
    assert package["version"] == "1.1"


def test_the_endpoint_is_in_the_openapi_document_without_authentication(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][URL]["get"]
    assert not operation.get("security")
