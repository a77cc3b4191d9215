"""Deviations over the API: the same rules as the pages."""

import datetime

import pytest
from django.utils import timezone

from kravspar.accounts.services import api_token_create
from kravspar.findings import services
from kravspar.findings.models import Deviation
from kravspar.findings.tests.conftest import make_activity

DAY = datetime.timedelta(days=1)


@pytest.fixture
def api_as(client):
    def as_person(person):
        token = api_token_create(actor=None, user=person, name="test")[1]

        def call(method, url, data=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            return getattr(client, method)(f"/api/v1{url}", **kwargs)

        return call

    return as_person


def test_officer_raises_agrees_and_decides(world, api_as, activity, contract):
    api = api_as(world.officer)
    today = timezone.localdate()
    found = str(today - 30 * DAY)
    created = api(
        "post",
        "/deviations",
        {"activity": str(activity.uuid), "severity": "major", "title": "Lön", "raised_on": found},
    )
    assert created.status_code == 201, created.json()
    key = created.json()["uuid"]
    assert created.json()["requirement"] == str(activity.requirement.uuid)
    plan = api(
        "post",
        f"/deviations/{key}/action-plan",
        {
            "deadline": str(today - 2 * DAY),
            "agreed_on": str(today - 20 * DAY),
            "items": [{"text": "Betala ut"}],
            "version": created.json()["version"],
        },
    )
    assert plan.status_code == 201, plan.json()
    status = api("get", f"/contracts/{contract.uuid}/status").json()
    assert status["status"] == "red" and status["decision_needed"] == [key]
    waive = api("post", f"/deviations/{key}/sanctions", {"decision": "waive"})
    assert waive.status_code == 400 and "reason" in waive.json()["details"]["fields"]
    fine = api("post", f"/deviations/{key}/sanctions", {"decision": "apply", "kind": "fine"})
    assert fine.status_code == 201 and fine.json()["amount"] == "5000"
    assert api("get", f"/contracts/{contract.uuid}/status").json()["decision_needed"] == []


def test_stale_version_is_a_409(world, api_as, raise_deviation):
    deviation = raise_deviation()
    api = api_as(world.officer)
    assert (
        api("patch", f"/deviations/{deviation.uuid}", {"version": deviation.version, "title": "A"}).status_code == 200
    )
    conflict = api("patch", f"/deviations/{deviation.uuid}", {"version": deviation.version, "title": "B"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "concurrent_edit"


def test_outsiders(world, api_as, client_for, raise_deviation, sormland_contract, contract):
    visible = raise_deviation()
    hidden = services.deviation_raise(
        actor=world.officer, activity=make_activity(sormland_contract), severity="minor", title="Dold"
    )
    orderer = api_as(world.orderer_vm)
    assert [d["title"] for d in orderer("get", "/deviations").json()["items"]] == [visible.title]
    assert orderer("get", f"/deviations/{hidden.uuid}").status_code == 404
    assert orderer("get", f"/contracts/{sormland_contract.uuid}/status").status_code == 404
    assert orderer("get", f"/deviations/{visible.uuid}").status_code == 200
    assert orderer("patch", f"/deviations/{visible.uuid}", {"title": "x"}).status_code == 403
    decide = orderer("post", f"/deviations/{visible.uuid}/sanctions", {"decision": "waive", "reason": "x"})
    assert decide.status_code == 403
    raise_ = orderer("post", "/deviations", {"activity": str(visible.activity.uuid), "severity": "minor", "title": "x"})
    assert raise_.status_code == 403
    # A supplier contact gets no API token; with the browser's session they see nothing.
    supplier = client_for(world.supplier_contact)
    assert supplier.get("/api/v1/deviations").json()["items"] == []
    assert supplier.get(f"/api/v1/deviations/{visible.uuid}").status_code == 404
    assert supplier.get(f"/api/v1/contracts/{contract.uuid}/status").status_code == 404
    assert Deviation.objects.count() == 2


def test_a_plan_cannot_be_agreed_before_the_deviation_was_found(world, api_as, activity):
    api = api_as(world.officer)
    today = timezone.localdate()
    created = api("post", "/deviations", {"activity": str(activity.uuid), "severity": "major", "title": "Lön"})
    plan = api(
        "post",
        f"/deviations/{created.json()['uuid']}/action-plan",
        {"deadline": str(today + 5 * DAY), "agreed_on": str(today - DAY), "items": [{"text": "Betala ut"}]},
    )
    assert plan.status_code == 400
    assert "agreed_on" in plan.json()["details"]["fields"]
    assert Deviation.objects.get().action_plans.count() == 0


def test_a_deviation_cannot_be_found_in_the_future(world, api_as, activity):
    tomorrow = str(timezone.localdate() + DAY)
    created = api_as(world.officer)(
        "post",
        "/deviations",
        {"activity": str(activity.uuid), "severity": "major", "title": "Lön", "raised_on": tomorrow},
    )
    assert created.status_code == 400
    assert "raised_on" in created.json()["details"]["fields"]
    assert not Deviation.objects.exists()
