"""Contracts, subcontractors and suppliers over the API, with the outsiders' side."""

import pytest

from kravspar.contracts.models import Contract

pytestmark = pytest.mark.django_db

BODY = {
    "contract_number": "AVT-2026-900",
    "title": "Städtjänster",
    "signed_on": "2026-01-15",
    "starts_on": "2026-02-01",
    "ends_on": "2028-01-31",
    "extension_options": 1,
    "extension_months": 12,
    "value": "1000000",
}


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code


def test_the_officer_registers_extends_and_adds_a_subcontractor(world, api_as, awarded, cleaner):
    officer = api_as(world.officer)
    body = BODY | {
        "procurement": str(awarded.uuid),
        "suppliers": [str(cleaner.uuid)],
        "buyers": [str(world.sormland.uuid), str(world.vastmanland.uuid)],
    }
    created = officer("post", "/contracts", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["strategy_missing"] is False and len(data["requirements"]) == 2
    key = data["uuid"]
    extended = officer("post", f"/contracts/{key}/extensions", {"decided_on": "2027-10-01"})
    assert extended.status_code == 201 and extended.json()["effective_end"] == "2029-01-31"
    assert_error(officer("post", f"/contracts/{key}/extensions", {"decided_on": "2028-10-01"}), 409, "contract_error")
    sub = officer(
        "post",
        f"/contracts/{key}/subcontractors",
        {"supplier": str(cleaner.uuid), "name": "Kemtvätt Öst AB", "org_number": "5560360793", "role": "Mattvätt"},
    )
    assert sub.status_code == 201, sub.content
    patched = officer("patch", f"/subcontractors/{sub.json()['uuid']}", {"is_active": False})
    assert patched.json()["is_active"] is False
    assert officer("get", f"/contracts/{key}/subcontractors").json()["count"] == 1


def test_validation_errors_name_the_field(world, api_as, cleaner):
    officer = api_as(world.officer)
    body = BODY | {"suppliers": [str(cleaner.uuid)], "buyers": [str(world.sormland.uuid)], "ends_on": "2025-01-01"}
    response = officer("post", "/contracts", body)
    assert_error(response, 400, "invalid")
    assert "ends_on" in response.json()["details"]["fields"]


def test_the_diary_number_is_read_and_written_under_the_buyers_rule(world, api_as, cleaner, sormland_contract):
    from kravspar.secrecy.models import DiaryNumberRule

    DiaryNumberRule.objects.create(organisation=world.sormland, pattern=r"RS-\d{4}-\d{4}", example="RS-2026-0142")
    officer = api_as(world.officer)
    body = BODY | {"suppliers": [str(cleaner.uuid)], "buyers": [str(world.sormland.uuid)]}
    wrong = officer("post", "/contracts", body | {"diary_number": "2026/142"})
    assert_error(wrong, 400, "invalid")
    assert "RS-2026-0142" in str(wrong.json()["details"]["fields"]["diary_number"])
    assert not Contract.objects.filter(contract_number=BODY["contract_number"]).exists()
    created = officer("post", "/contracts", body | {"diary_number": "RS-2026-0007"})
    assert created.status_code == 201, created.content
    assert created.json()["diary_number"] == "RS-2026-0007"
    key = sormland_contract.uuid
    assert officer("get", f"/contracts/{key}").json()["diary_number"] == ""
    assert_error(officer("patch", f"/contracts/{key}", {"diary_number": "fel"}), 400, "invalid")
    changed = officer("patch", f"/contracts/{key}", {"diary_number": "RS-2025-0099"})
    assert changed.status_code == 200 and changed.json()["diary_number"] == "RS-2025-0099"
    listed = {c["contract_number"]: c["diary_number"] for c in officer("get", "/contracts").json()["items"]}
    assert listed == {"AVT-2026-900": "RS-2026-0007", "SL-2020-17": "RS-2025-0099"}


def test_a_diary_number_is_checked_against_the_buyers_a_change_gives(world, api_as, sormland_contract):
    from kravspar.secrecy.models import DiaryNumberRule

    DiaryNumberRule.objects.create(organisation=world.sormland, pattern=r"RS-\d{4}-\d{4}", example="RS-2026-0142")
    DiaryNumberRule.objects.create(organisation=world.vastmanland, pattern=r"RV \d{4}/\d+", example="RV 2026/17")
    officer = api_as(world.officer)
    key = sormland_contract.uuid
    assert officer("patch", f"/contracts/{key}", {"diary_number": "RS-2026-0001"}).status_code == 200
    moved = officer("patch", f"/contracts/{key}", {"buyers": [str(world.vastmanland.uuid)]})
    assert_error(moved, 400, "invalid")
    assert "RV 2026/17" in str(moved.json()["details"]["fields"]["diary_number"])
    both = {"buyers": [str(world.vastmanland.uuid)], "diary_number": "RV 2026/9"}
    answer = officer("patch", f"/contracts/{key}", both)
    assert answer.status_code == 200, answer.content
    assert answer.json()["diary_number"] == "RV 2026/9"
    assert [b["name"] for b in answer.json()["buyers"]] == [world.vastmanland.name]


def test_a_stale_version_is_a_conflict(world, api_as, joint_contract):
    officer = api_as(world.officer)
    key = joint_contract.uuid
    assert officer("patch", f"/contracts/{key}", {"version": 1, "title": "Ny titel"}).status_code == 200
    assert_error(officer("patch", f"/contracts/{key}", {"version": 1, "title": "Gammal"}), 409, "concurrent_edit")
    assert Contract.objects.get(pk=joint_contract.pk).title == "Ny titel"


def test_vastmanland_does_not_see_a_contract_of_sormland_alone(world, api_as, sormland_contract):
    orderer = api_as(world.orderer_vm)
    key = sormland_contract.uuid
    assert_error(orderer("get", f"/contracts/{key}"), 404, "not_found")
    assert_error(orderer("patch", f"/contracts/{key}", {"title": "X"}), 404, "not_found")
    assert_error(orderer("get", f"/contracts/{key}/subcontractors"), 404, "not_found")
    assert orderer("get", "/contracts").json()["count"] == 0


def test_an_orderer_cannot_change_a_visible_contract(world, api_as, joint_contract, cleaner):
    orderer = api_as(world.orderer_vm)
    key = joint_contract.uuid
    assert orderer("get", f"/contracts/{key}").status_code == 200
    assert_error(orderer("patch", f"/contracts/{key}", {"title": "X"}), 403, "forbidden")
    assert_error(orderer("post", f"/contracts/{key}/extensions", {"decided_on": "2027-01-01"}), 403, "forbidden")
    assert_error(
        orderer("post", f"/contracts/{key}/subcontractors", {"supplier": str(cleaner.uuid), "name": "X", "role": "Y"}),
        403,
        "forbidden",
    )
    assert_error(orderer("patch", f"/suppliers/{cleaner.uuid}", {"municipality": "X"}), 403, "forbidden")


def test_a_supplier_contact_sees_nothing(world, client_for, joint_contract, cleaner):
    # A supplier contact cannot hold an API token; the browser session is what they have.
    session = client_for(world.supplier_contact)

    def contact(method, url):
        return getattr(session, method)(f"/api/v1{url}")

    assert contact("get", "/contracts").json()["count"] == 0
    assert_error(contact("get", f"/contracts/{joint_contract.uuid}"), 404, "not_found")
    assert_error(contact("get", f"/suppliers/{cleaner.uuid}"), 404, "not_found")
    assert_error(contact("get", "/suppliers"), 403, "forbidden")


def test_the_supplier_registry(world, api_as):
    officer = api_as(world.officer)
    created = officer("post", "/suppliers", {"name": "Puhdas Oy", "country": "FI", "foreign_id": "1234567-8"})
    assert created.status_code == 201, created.content
    wrong = officer("post", "/suppliers", {"name": "Fel AB", "org_number": "556054-1888"})
    assert_error(wrong, 400, "invalid")
    assert "org_number" in wrong.json()["details"]["fields"]
    reader = api_as(world.orderer_vm)
    assert reader("get", "/suppliers?q=puhdas").json()["count"] == 1
    key = created.json()["uuid"]
    assert officer("patch", f"/suppliers/{key}", {"version": 1, "size_class": "small"}).json()["version"] == 2


def test_the_list_query_count_does_not_grow(world, api_as, django_assert_num_queries):
    from kravspar.contracts.tests.test_views import make_contracts

    officer = api_as(world.officer)
    make_contracts(world, 2, 0)
    officer("get", "/contracts")
    with django_assert_num_queries(9):
        assert officer("get", "/contracts?limit=50").json()["count"] == 2
    make_contracts(world, 10, 100)
    with django_assert_num_queries(9):
        assert officer("get", "/contracts?limit=50").json()["count"] == 12
