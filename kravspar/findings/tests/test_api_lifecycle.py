"""The lifecycle steps over the API: supplier response, actions done, verification,
close and reopen. The same error shape as the rest: 404 for what you may not see, 403
for what you may see but not change, 409 for a stale version or a step the state refuses."""

import datetime

import pytest
from django.utils import timezone

from kravspar.accounts.services import api_token_create
from kravspar.audit.models import AuditEvent
from kravspar.findings import services
from kravspar.findings.models import ActionItem, Deviation, DeviationStatus, PlanStatus, Severity
from kravspar.findings.tests.conftest import make_activity

DAY = datetime.timedelta(days=1)

STEPS = {
    "/deviations/{key}/action-plan/response": {"supplier_response": "Vi betalar ut i april."},
    "/deviations/{key}/action-plan/verify": {"fixed": True},
    "/deviations/{key}/action-items/{item}/done": {},
    "/deviations/{key}/close": {"note": "Klart"},
    "/deviations/{key}/reopen": {"reason": "Igen"},
}


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


@pytest.fixture
def planned(raise_deviation, with_plan):
    """A minor deviation with an agreed plan of one action, due in ten days."""
    return with_plan(raise_deviation(severity=Severity.MINOR), timezone.localdate() + 10 * DAY)


def _item(deviation):
    return ActionItem.objects.get(plan__deviation=deviation)


def test_openapi_documents_the_steps_and_their_errors(world, client_for):
    schema = client_for(world.officer).get("/api/v1/openapi.json").json()
    for path in STEPS:
        operation = schema["paths"]["/api/v1" + path.replace("{item}", "{item_key}")]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"]), path
        assert operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert operation["summary"]


def test_officer_takes_a_deviation_through_its_lifecycle(world, api_as, planned):
    api = api_as(world.officer)
    key = planned.uuid
    response = api(
        "post",
        f"/deviations/{key}/action-plan/response",
        {"version": planned.version, "supplier_response": " Vi betalar ut i april. "},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["supplier_response"] == "Vi betalar ut i april."
    assert body["deviation_version"] == planned.version + 1
    item_id = body["items"][0]["id"]

    done = api("post", f"/deviations/{key}/action-items/{item_id}/done", {"version": body["deviation_version"]})
    assert done.status_code == 200, done.json()
    assert done.json()["done_on"] == str(timezone.localdate())
    assert done.json()["deviation_version"] == body["deviation_version"] + 1

    verified = api(
        "post", f"/deviations/{key}/action-plan/verify", {"version": done.json()["deviation_version"], "fixed": True}
    )
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == PlanStatus.VERIFIED

    closed = api("post", f"/deviations/{key}/close", {"version": verified.json()["deviation_version"]})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == DeviationStatus.CLOSED and closed.json()["closed_on"]

    reopened = api("post", f"/deviations/{key}/reopen", {"version": closed.json()["version"], "reason": "Igen"})
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["status"] == DeviationStatus.REOPENED and reopened.json()["closed_on"] is None

    actions = set(AuditEvent.objects.filter(action__startswith="deviation.").values_list("action", flat=True))
    assert {
        "deviation.supplier_response_recorded",
        "deviation.action_done",
        "deviation.verified_fixed",
        "deviation.closed",
        "deviation.reopened",
    } <= actions


def test_verify_not_fixed_needs_a_note(world, api_as, planned):
    api = api_as(world.officer)
    refused = api("post", f"/deviations/{planned.uuid}/action-plan/verify", {"fixed": False})
    assert refused.status_code == 400 and "note" in refused.json()["details"]["fields"]
    ok = api("post", f"/deviations/{planned.uuid}/action-plan/verify", {"fixed": False, "note": "Saknas"})
    assert ok.status_code == 200 and ok.json()["status"] == PlanStatus.NOT_ENOUGH
    assert Deviation.objects.get(pk=planned.pk).status == DeviationStatus.NOT_FIXED


@pytest.mark.parametrize("path", list(STEPS))
def test_a_stale_version_is_a_409(world, api_as, planned, path):
    stale = planned.version
    services.deviation_update(actor=world.officer, deviation=planned, expected_version=None, title="Någon annan")
    url = path.format(key=planned.uuid, item=_item(planned).pk)
    response = api_as(world.officer)("post", url, {**STEPS[path], "version": stale})
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "concurrent_edit"
    assert set(response.json()) == {"code", "message", "details"}


def test_steps_the_state_refuses_are_409(world, api_as, raise_deviation, with_plan):
    api = api_as(world.officer)
    open_ = raise_deviation(severity=Severity.MINOR, title="Ingen plan")
    for path, data in [
        (f"/deviations/{open_.uuid}/action-plan/response", {"supplier_response": "x"}),
        (f"/deviations/{open_.uuid}/action-plan/verify", {"fixed": True}),
        (f"/deviations/{open_.uuid}/reopen", {"reason": "x"}),
    ]:
        response = api("post", path, data)
        assert response.status_code == 409, (path, response.json())
        assert response.json()["code"] == "invalid_state"
    assert api("post", f"/deviations/{open_.uuid}/close", {"note": "Dubblett"}).status_code == 200
    again = api("post", f"/deviations/{open_.uuid}/close", {"note": "Igen"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"

    # An action of a superseded plan can no longer be marked done.
    today = timezone.localdate()
    deviation = with_plan(raise_deviation(severity=Severity.MINOR, title="Två planer"), today + 5 * DAY)
    old_item = _item(deviation)
    services.action_plan_verify(actor=world.officer, deviation=deviation, expected_version=None, fixed=False, note="x")
    with_plan(Deviation.objects.get(pk=deviation.pk), today + 20 * DAY, agreed_on=today)
    stale_plan = api("post", f"/deviations/{deviation.uuid}/action-items/{old_item.pk}/done", {})
    assert stale_plan.status_code == 409 and stale_plan.json()["code"] == "invalid_state"
    assert ActionItem.objects.get(pk=old_item.pk).done_on is None


def test_a_missed_deadline_needs_the_sanction_decision_before_closing(world, api_as, raise_deviation, with_plan):
    today = timezone.localdate()
    late = with_plan(raise_deviation(severity=Severity.MAJOR), today - DAY, agreed_on=today - 20 * DAY)
    response = api_as(world.officer)("post", f"/deviations/{late.uuid}/close", {"note": "Stängs"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert Deviation.objects.get(pk=late.pk).status == DeviationStatus.ACTION_PLAN_AGREED


@pytest.mark.parametrize("path", list(STEPS))
def test_outsiders_get_404_and_lookers_403(world, api_as, planned, sormland_contract, with_plan, path):
    hidden = with_plan(
        services.deviation_raise(
            actor=world.officer, activity=make_activity(sormland_contract), severity="minor", title="Dold"
        ),
        timezone.localdate() + 10 * DAY,
    )
    orderer = api_as(world.orderer_vm)
    visible_url = path.format(key=planned.uuid, item=_item(planned).pk)
    hidden_url = path.format(key=hidden.uuid, item=_item(hidden).pk)
    forbidden = orderer("post", visible_url, STEPS[path])
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    missing = orderer("post", hidden_url, STEPS[path])
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert Deviation.objects.get(pk=planned.pk).version == planned.version
    assert Deviation.objects.get(pk=hidden.pk).version == hidden.version


def test_an_action_of_another_deviation_is_404(world, api_as, planned, raise_deviation, with_plan):
    other = with_plan(raise_deviation(title="Annan"), timezone.localdate() + 3 * DAY)
    api = api_as(world.officer)
    assert api("post", f"/deviations/{planned.uuid}/action-items/{_item(other).pk}/done", {}).status_code == 404
    assert api("post", f"/deviations/{planned.uuid}/action-items/999999/done", {}).status_code == 404
    assert _item(other).done_on is None
