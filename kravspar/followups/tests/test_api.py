"""The follow-up API: lists, changes, transitions, evidence and re-planning."""

import json

from kravspar.followups.models import Activity

BASE = "/api/v1"


def test_list_mine_and_overdue(world, client_for, planned):
    client = client_for(world.orderer_vm)
    items = client.get(f"{BASE}/activities", {"mine": "true"}).json()["items"]
    assert {i["requirement_title"] for i in items} == {"Städkvalitet"}
    items = client_for(world.officer).get(f"{BASE}/activities", {"contract": str(planned.uuid)}).json()["items"]
    assert len(items) == 4
    assert client_for(world.orderer_sl).get(f"{BASE}/activities").json()["count"] == 0


def test_transitions_and_conflicts(world, client_for, quality_activity):
    client = client_for(world.orderer_vm)
    url = f"{BASE}/activities/{quality_activity.uuid}"
    r = client.post(f"{url}/transitions", json.dumps({"to": "in_progress"}), content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    r = client.post(f"{url}/transitions", json.dumps({"to": "done"}), content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    r = client.post(f"{url}/transitions", json.dumps({"to": "planned"}), content_type="application/json")
    assert r.status_code == 409
    r = client.patch(url, json.dumps({"notes": "Checked", "version": 1}), content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "concurrent_edit"
    r = client.patch(url, json.dumps({"notes": "Checked", "version": 2}), content_type="application/json")
    assert r.json()["notes"] == "Checked"
    assert client.get(f"{url}/evidence").json() == []


def test_outsiders(world, client_for, quality_activity):
    url = f"{BASE}/activities/{quality_activity.uuid}"
    assert client_for(world.orderer_sl).get(url).status_code == 404
    r = client_for(world.reader).post(
        f"{url}/transitions", json.dumps({"to": "in_progress"}), content_type="application/json"
    )
    assert r.status_code == 403


def test_replan_needs_manage_contracts(world, client_for, planned):
    url = f"{BASE}/contracts/{planned.uuid}/plan"
    assert client_for(world.orderer_vm).post(url).status_code == 403
    r = client_for(world.officer).post(url)
    assert r.status_code == 200
    assert r.json()["unchanged"] == 4
    assert Activity.objects.filter(contract=planned).count() == 4
