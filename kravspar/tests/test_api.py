"""The REST API: documented, token-authenticated, one error shape everywhere."""

import pytest

from kravspar.accounts.services import api_token_create
from kravspar.audit.models import AuditEvent
from kravspar.testing.factories import OrganisationFactory


@pytest.fixture
def admin_api(world, client):
    _token, raw = api_token_create(actor=None, user=world.admin, name="test")

    def call(method, url, data=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return call


def assert_error_shape(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_openapi_document_is_public_and_lists_the_endpoints(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Kravspår API"
    for path in ("/api/v1/organisations", "/api/v1/organisations/{key}", "/api/v1/units/{key}"):
        assert path in doc["paths"]
    assert "BearerToken" in doc["components"]["securitySchemes"]


def test_unauthenticated_requests_get_the_error_shape(client, db):
    assert_error_shape(client.get("/api/v1/organisations"), 401, "unauthorized")


def test_admin_creates_reads_and_changes_an_organisation(admin_api, world):
    created = admin_api(
        "post",
        "/api/v1/organisations",
        {
            "kind": "company",
            "name": "Sörmlands Hamn AB",
            "org_number": "556677-8899",
            "parent": str(world.sormland.uuid),
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["peppol_scheme"] == "0007" and body["peppol_value"] == "5566778899"
    assert body["parent"] == str(world.sormland.uuid)
    url = f"/api/v1/organisations/{body['uuid']}"
    assert admin_api("get", url).json()["name"] == "Sörmlands Hamn AB"
    changed = admin_api("patch", url, {"city": "Nyköping", "version": body["version"]})
    assert changed.status_code == 200
    assert changed.json()["city"] == "Nyköping" and changed.json()["version"] == body["version"] + 1
    actions = AuditEvent.objects.filter(object_id=body["uuid"]).values_list("action", flat=True)
    assert set(actions) == {"organisation.created", "organisation.updated"}


def test_stale_version_is_a_409(admin_api, world):
    url = f"/api/v1/organisations/{world.vastmanland.uuid}"
    version = admin_api("get", url).json()["version"]
    assert admin_api("patch", url, {"city": "A", "version": version}).status_code == 200
    assert_error_shape(admin_api("patch", url, {"city": "B", "version": version}), 409, "concurrent_edit")
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.city == "A"


def test_stale_version_guards_deactivation_too(admin_api, world):
    url = f"/api/v1/organisations/{world.vastmanland.uuid}"
    version = admin_api("get", url).json()["version"]
    assert admin_api("patch", url, {"city": "A", "version": version}).status_code == 200
    assert_error_shape(admin_api("patch", url, {"is_active": False, "version": version}), 409, "concurrent_edit")
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.is_active is True
    current = admin_api("get", url).json()["version"]
    assert admin_api("patch", url, {"is_active": False, "version": current}).json()["is_active"] is False


def test_stale_version_guards_a_units_deactivation(admin_api, world):
    url = f"/api/v1/units/{world.unit_vm.uuid}"
    version = admin_api("get", url).json()["version"]
    assert admin_api("patch", url, {"name": "Ortopeden", "version": version}).status_code == 200
    assert_error_shape(admin_api("patch", url, {"is_active": False, "version": version}), 409, "concurrent_edit")
    world.unit_vm.refresh_from_db()
    assert world.unit_vm.is_active is True


def test_wrong_check_digit_is_a_400_naming_the_field(admin_api):
    response = admin_api("post", "/api/v1/organisations", {"kind": "region", "name": "X", "org_number": "2321000033"})
    body = assert_error_shape(response, 400, "invalid")
    assert list(body["details"]["fields"]) == ["org_number"]


def test_malformed_body_is_a_422(admin_api):
    body = assert_error_shape(admin_api("post", "/api/v1/organisations", {"name": 5}), 422, "invalid_request")
    assert body["details"]["errors"]


def test_not_json_at_all_is_a_client_error(world, client):
    _token, raw = api_token_create(actor=None, user=world.admin, name="x")
    response = client.post(
        "/api/v1/organisations", data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"code", "message", "details"}


def test_unknown_object_is_a_404(admin_api):
    assert_error_shape(admin_api("get", "/api/v1/organisations/00000000-0000-0000-0000-000000000000"), 404, "not_found")


def test_units_create_list_and_deactivate(admin_api, world):
    url = f"/api/v1/organisations/{world.vastmanland.uuid}/units"
    created = admin_api("post", url, {"name": "Kost", "kind": "ordering", "serves": [str(world.sormland.uuid)]})
    assert created.status_code == 201
    assert created.json()["serves"] == [str(world.sormland.uuid)]
    listed = admin_api("get", url).json()
    assert listed["count"] == 2
    unit_url = f"/api/v1/units/{created.json()['uuid']}"
    assert admin_api("patch", unit_url, {"is_active": False}).json()["is_active"] is False


def test_list_is_paginated_filtered_and_bounded(admin_api, world, django_assert_max_num_queries):
    for _ in range(30):
        OrganisationFactory()
    with django_assert_max_num_queries(6):
        page = admin_api("get", "/api/v1/organisations?limit=10&offset=0").json()
    assert page["count"] == 32 and len(page["items"]) == 10
    found = admin_api("get", "/api/v1/organisations?q=V%C3%A4stmanland").json()
    assert [o["name"] for o in found["items"]] == ["Region Västmanland"]


def test_unit_list_query_count_is_bounded(admin_api, world, django_assert_max_num_queries):
    from kravspar.testing.factories import UnitFactory

    for _ in range(20):
        UnitFactory(organisation=world.vastmanland).serves.set([world.sormland])
    with django_assert_max_num_queries(8):
        page = admin_api("get", f"/api/v1/organisations/{world.vastmanland.uuid}/units?limit=100").json()
    assert page["count"] == 21


def test_session_auth_needs_csrf_for_changes(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    assert client.get("/api/v1/organisations").status_code == 200
    response = client.patch(
        f"/api/v1/organisations/{world.vastmanland.uuid}", {"city": "X"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.city == ""


def test_api_limit_is_capped(admin_api, world):
    """No client fetches a whole table in one request: a limit above 500 is refused."""
    assert_error_shape(admin_api("get", "/api/v1/organisations?limit=100000"), 422, "invalid_request")
    assert admin_api("get", "/api/v1/organisations?limit=500").status_code == 200
