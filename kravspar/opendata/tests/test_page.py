"""The public page /oppna-data/ and the schema it links to."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kravspar.opendata.tests.conftest import Scenario

pytestmark = pytest.mark.django_db


def test_anyone_can_read_what_is_published_in_swedish(
    scenario: Scenario, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        response = client.get(reverse("opendata:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Öppna data</h1>" in html
    assert "Vad som publiceras" in html and "Vad som inte publiceras" in html
    assert "Underleverantörers namn." in html
    assert 'href="http://testserver/api/v1/ocds/releases"' in html
    assert f'href="{reverse("opendata:release_schema")}"' in html
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/"' in html
    assert "Just nu är 1 upphandling publicerad, och 1 avtal som registrerats utan upphandling." in html
    assert "<code>ocds-xxxxxx</code>" in html


def test_the_page_says_what_to_expect_when_nothing_is_published(world: Any, client: Client) -> None:
    html = client.get(reverse("opendata:index")).content.decode()

    assert "Ingenting är publicerat ännu" in html


def test_another_licence_is_shown_as_a_link(world: Any, client: Client, settings: Any) -> None:
    settings.KRAVSPAR_OCDS_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

    html = client.get(reverse("opendata:index")).content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "CC0" not in html


def test_the_page_is_read_only(world: Any, client: Client) -> None:
    assert client.post(reverse("opendata:index")).status_code == 405


def test_the_schema_is_the_release_schema_with_the_sustainability_extension(client: Client) -> None:
    response = client.get(reverse("opendata:release_schema"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = response.json()
    assert schema["id"].endswith("/1__1__5/release-schema.json")
    assert "sustainability" in schema["definitions"]["Tender"]["properties"]
