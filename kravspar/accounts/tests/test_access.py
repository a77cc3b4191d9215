"""Who sees what. Every rule is tested from the outsider's side: what a person may
not see is a 404 (it does not exist for them), what they see but may not change is a 403."""

import pytest
from django.urls import reverse

from kravspar.accounts import access
from kravspar.accounts.services import api_token_create


def ids(qs):
    return set(qs.values_list("name", flat=True))


def test_scopes_per_role(world, company_of_vastmanland):
    assert ids(access.organisations_visible_to(world.admin)) == {
        "Region Sörmland",
        "Region Västmanland",
        "Västmanlands Fastighets AB",
    }
    # Inköp serves both regions and, through them, their companies.
    assert ids(access.organisations_visible_to(world.officer)) == ids(access.organisations_visible_to(world.admin))
    assert ids(access.organisations_visible_to(world.reader)) == ids(access.organisations_visible_to(world.admin))
    # A beställare sees its own organisation only.
    assert ids(access.organisations_visible_to(world.orderer_vm)) == {"Region Västmanland"}
    assert ids(access.organisations_visible_to(world.orderer_sl)) == {"Region Sörmland"}
    # An environment specialist sees the region with its companies.
    assert ids(access.organisations_visible_to(world.env_vm)) == {"Region Västmanland", "Västmanlands Fastighets AB"}
    # Supplier contacts see no buyer organisation, whatever else they hold.
    assert ids(access.organisations_visible_to(world.supplier_contact)) == set()


def test_person_without_role_sees_nothing(world):
    world.orderer_vm.groups.clear()
    fresh = type(world.orderer_vm).objects.get(pk=world.orderer_vm.pk)
    assert not access.organisations_visible_to(fresh).exists()
    assert not access.people_visible_to(fresh).exists()


def test_supplier_contact_with_a_buyer_group_still_sees_nothing(world):
    from django.contrib.auth.models import Group

    world.supplier_contact.groups.add(Group.objects.get(name="administrator"))
    fresh = type(world.supplier_contact).objects.get(pk=world.supplier_contact.pk)
    assert access.roles_of(fresh) == frozenset({"leverantor"})
    assert not access.organisations_visible_to(fresh).exists()


def test_deactivated_person_has_no_roles(world):
    world.admin.is_active = False
    assert access.roles_of(world.admin) == frozenset()


# --- Through the UI ---------------------------------------------------------------------


def test_orderer_in_vastmanland_cannot_see_sormland_in_the_ui(world, client_for):
    client = client_for(world.orderer_vm)
    for url in (
        reverse("organisations:detail", args=[world.sormland.uuid]),
        reverse("organisations:edit", args=[world.sormland.uuid]),
        reverse("organisations:set_active", args=[world.sormland.uuid]),
        reverse("organisations:unit_create", args=[world.sormland.uuid]),
        reverse("organisations:unit_detail", args=[world.unit_sl.uuid]),
        reverse("organisations:unit_edit", args=[world.unit_sl.uuid]),
        reverse("organisations:unit_set_active", args=[world.unit_sl.uuid]),
        reverse("accounts:person_detail", args=[world.orderer_sl.uuid]),
        reverse("accounts:person_edit", args=[world.orderer_sl.uuid]),
        reverse("accounts:person_set_active", args=[world.orderer_sl.uuid]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Hackat", "city": "Hackat"}).status_code == 404, url
    world.unit_sl.refresh_from_db()
    assert world.unit_sl.name == "Kirurgkliniken"
    listing = client.get(reverse("organisations:list"), {"status": "all"}).content.decode()
    assert str(world.vastmanland.uuid) in listing
    assert str(world.sormland.uuid) not in listing
    people = client.get(reverse("accounts:person_list"), {"status": "all"}).content.decode()
    assert "orderer_vm@example.se" in people
    assert "orderer_sl@example.se" not in people
    assert "admin@example.se" not in people


def test_orderer_sees_but_cannot_change_own_region(world, client_for):
    client = client_for(world.orderer_vm)
    assert client.get(reverse("organisations:detail", args=[world.vastmanland.uuid])).status_code == 200
    assert client.get(reverse("organisations:unit_detail", args=[world.unit_vm.uuid])).status_code == 200
    for url in (
        reverse("organisations:edit", args=[world.vastmanland.uuid]),
        reverse("organisations:set_active", args=[world.vastmanland.uuid]),
        reverse("organisations:unit_create", args=[world.vastmanland.uuid]),
        reverse("organisations:unit_edit", args=[world.unit_vm.uuid]),
        reverse("organisations:unit_set_active", args=[world.unit_vm.uuid]),
        reverse("organisations:create"),
        reverse("accounts:person_create"),
        reverse("accounts:person_edit", args=[world.env_vm.uuid]),
        reverse("accounts:person_set_active", args=[world.env_vm.uuid]),
        reverse("audit:search"),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Hackat"}).status_code == 403, url
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.is_active


@pytest.mark.parametrize("persona", ["officer", "reader", "env_vm"])
def test_other_buyer_roles_cannot_change_organisations_or_people(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.post(reverse("organisations:set_active", args=[world.vastmanland.uuid])).status_code == 403
    assert client.post(reverse("accounts:person_set_active", args=[world.orderer_vm.uuid])).status_code == 403
    assert client.get(reverse("audit:search")).status_code == 403


def test_supplier_contact_sees_no_buyer_pages(world, client_for):
    client = client_for(world.supplier_contact)
    assert client.get(reverse("organisations:list")).status_code == 403
    assert client.get(reverse("accounts:person_list")).status_code == 403
    assert client.get(reverse("organisations:detail", args=[world.vastmanland.uuid])).status_code == 404
    assert client.get(reverse("accounts:person_detail", args=[world.orderer_vm.uuid])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(world, client):
    for url in (
        reverse("core:home"),
        reverse("organisations:list"),
        reverse("organisations:detail", args=[world.sormland.uuid]),
        reverse("accounts:person_list"),
        reverse("audit:search"),
        reverse("accounts:account"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_malformed_uuid_is_a_404_not_a_crash(world, client_for):
    client = client_for(world.admin)
    assert client.get("/organisationer/not-a-uuid/").status_code == 404
    assert client.get("/personer/123/").status_code == 404


# --- Through the API --------------------------------------------------------------------


def bearer(person):
    _token, raw = api_token_create(actor=None, user=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_orderer_in_vastmanland_cannot_see_or_change_sormland_through_the_api(world, client):
    headers = bearer(world.orderer_vm)
    listed = client.get("/api/v1/organisations", **headers).json()
    assert [o["name"] for o in listed["items"]] == ["Region Västmanland"]
    for url in (f"/api/v1/organisations/{world.sormland.uuid}", f"/api/v1/units/{world.unit_sl.uuid}"):
        response = client.get(url, **headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        response = client.patch(url, {"name": "Hackat"}, content_type="application/json", **headers)
        assert response.status_code == 404
    response = client.get(f"/api/v1/organisations/{world.sormland.uuid}/units", **headers)
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/organisations/{world.sormland.uuid}/units",
        {"name": "Smuggel", "kind": "ordering"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    world.unit_sl.refresh_from_db()
    assert world.unit_sl.name == "Kirurgkliniken"


def test_orderer_cannot_change_own_region_through_the_api(world, client):
    headers = bearer(world.orderer_vm)
    response = client.patch(
        f"/api/v1/organisations/{world.vastmanland.uuid}", {"city": "X"}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    response = client.patch(
        f"/api/v1/units/{world.unit_vm.uuid}", {"name": "X"}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/organisations",
        {"kind": "region", "name": "Ny", "org_number": "5566778899"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.city == ""


def test_api_cannot_serve_units_from_invisible_organisations(world, client):
    """An administrator may create units, but a unit cannot be made to serve an
    organisation that does not exist for the caller."""
    headers = bearer(world.admin)
    response = client.post(
        f"/api/v1/organisations/{world.vastmanland.uuid}/units",
        {"name": "Ny enhet", "serves": ["00000000-0000-0000-0000-000000000000"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
