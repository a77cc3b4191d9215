"""The orderer reports what a follow-up found (issue 11).

A beställare who carries out a follow-up reports the deviations found in it; each goes to
Inköp's queue with an e-mail, and Inköp decides the severity and the action plan. A
follow-up done with "deviations found" has a deviation recorded on it, or says why not.
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kravspar.accounts.services import api_token_create
from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.findings import policy, services
from kravspar.findings.errors import StateConflictError
from kravspar.findings.models import Deviation, Severity
from kravspar.findings.tests.conftest import make_activity
from kravspar.followups import services as followups
from kravspar.followups.models import Activity, ActivityStatus, Outcome

DAY = datetime.timedelta(days=1)


def own(activity: Activity, unit) -> Activity:
    """The follow-up is given to the orderer's unit."""
    Activity.objects.filter(pk=activity.pk).update(responsible="ordering_unit", responsible_unit=unit)
    activity.refresh_from_db()
    return activity


@pytest.fixture
def vm_followup(world, contract):
    """A quality spot check on the joint contract, carried out by Ortopedkliniken (orderer_vm's unit)."""
    activity = own(make_activity(contract, title="Städkvalitet"), world.unit_vm)
    return followups.activity_start(actor=world.orderer_vm, activity=activity)


def report(world, activity, **kw):
    fields = {"severity": Severity.MAJOR, "title": "Två vårdrum ostädade"} | kw
    return services.deviation_raise(actor=world.orderer_vm, activity=activity, **fields)


# --- Reporting -------------------------------------------------------------------------


def test_the_orderer_reports_a_deviation_which_waits_for_inkop(world, vm_followup, django_capture_on_commit_callbacks):
    world.officer.email = "officer@example.se"
    world.officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        deviation = report(world, vm_followup)
    assert deviation.awaiting_assessment
    assert deviation.proposed_severity == Severity.MAJOR
    assert deviation.raised_by == world.orderer_vm
    # Inköp is told by e-mail, and the report is in the history with who was told.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.se"]
    assert "Två vårdrum ostädade" in mail.outbox[0].body
    actions = set(AuditEvent.objects.filter(object_id=str(deviation.uuid)).values_list("action", flat=True))
    assert {"deviation.reported", "deviation.inkop_notified"} <= actions
    # It is in Inköp's queue, and the proposed severity asks for nothing yet.
    queue = services_queue(world)
    assert [d.pk for d in queue] == [deviation.pk]
    assert not policy.needs_decision(deviation, timezone.localdate() + 400 * DAY, decided=False)


def services_queue(world):
    from kravspar.findings import selectors

    return list(selectors.deviation_list(world.officer, today=timezone.localdate(), awaiting_assessment=True))


def test_a_deviation_inkop_raises_is_not_in_the_queue(world, raise_deviation):
    deviation = raise_deviation()
    assert not deviation.awaiting_assessment and deviation.proposed_severity == ""
    assert services_queue(world) == []


def test_the_orderer_may_not_set_the_action_plan_or_sanctions(world, vm_followup):
    deviation = report(world, vm_followup)
    with pytest.raises(NotAllowedError):
        services.action_plan_agree(
            actor=world.orderer_vm,
            deviation=deviation,
            expected_version=None,
            deadline=timezone.localdate() + 30 * DAY,
            items=[("Städa om", None)],
        )
    with pytest.raises(NotAllowedError):
        services.deviation_assess(
            actor=world.orderer_vm, deviation=deviation, expected_version=None, severity=Severity.MINOR
        )
    with pytest.raises(NotAllowedError):
        services.sanction_decide(
            actor=world.orderer_vm, contract=deviation.contract, deviations=[deviation], decision="apply", kind="remark"
        )


def test_inkop_assesses_then_agrees_the_plan(world, vm_followup):
    deviation = report(world, vm_followup, severity=Severity.CRITICAL)
    with pytest.raises(StateConflictError):  # the severity is still only proposed
        services.action_plan_agree(
            actor=world.officer,
            deviation=deviation,
            expected_version=None,
            deadline=timezone.localdate() + 30 * DAY,
            items=[("Städa om", None)],
        )
    assessed = services.deviation_assess(
        actor=world.officer, deviation=deviation, expected_version=deviation.version, severity=Severity.MINOR
    )
    assert (assessed.severity, assessed.proposed_severity, assessed.awaiting_assessment) == (
        Severity.MINOR,
        Severity.CRITICAL,
        False,
    )
    event = AuditEvent.objects.get(action="deviation.assessed", object_id=str(deviation.uuid))
    assert event.before["severity"] == Severity.CRITICAL and event.after["severity"] == Severity.MINOR
    services.action_plan_agree(
        actor=world.officer,
        deviation=assessed,
        expected_version=assessed.version,
        deadline=timezone.localdate() + 30 * DAY,
        items=[("Städa om", None)],
    )
    assert services_queue(world) == []
    with pytest.raises(StateConflictError):
        services.deviation_assess(actor=world.officer, deviation=assessed, expected_version=None, severity="major")


def test_outsiders_may_not_report(world, contract, sormland_contract):
    # Someone else's follow-up: orderer_sl sees the joint contract but the follow-up is Ortopedkliniken's.
    vm_activity = own(make_activity(contract), world.unit_vm)
    with pytest.raises(NotAllowedError):
        services.deviation_raise(actor=world.orderer_sl, activity=vm_activity, severity="minor", title="x")
    # Another region's contract: orderer_vm does not see Sörmland's contract, even if named on the activity.
    sl_activity = own(make_activity(sormland_contract), world.unit_vm)
    with pytest.raises(NotAllowedError):
        services.deviation_raise(actor=world.orderer_vm, activity=sl_activity, severity="minor", title="x")
    # A reader records no follow-ups.
    with pytest.raises(NotAllowedError):
        services.deviation_raise(actor=world.reader, activity=vm_activity, severity="minor", title="x")
    assert not Deviation.objects.exists()


# --- Through the pages -----------------------------------------------------------------


def test_the_orderer_reports_through_the_pages(world, client_for, vm_followup):
    client = client_for(world.orderer_vm)
    page = client.get(reverse("followups:detail", args=[vm_followup.uuid]))
    assert reverse("findings:raise", args=[vm_followup.uuid]).encode() in page.content
    form = client.get(reverse("findings:raise", args=[vm_followup.uuid]))
    assert form.status_code == 200 and form.context["reported"]
    response = client.post(
        reverse("findings:raise", args=[vm_followup.uuid]),
        {"severity": Severity.MAJOR, "title": "Två vårdrum ostädade", "description": ""},
    )
    deviation = Deviation.objects.get()
    assert response.status_code == 302 and deviation.awaiting_assessment
    # The orderer sees it, but gets no way to assess it or agree a plan.
    detail = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert detail.status_code == 200
    assert reverse("findings:plan", args=[deviation.uuid]).encode() not in detail.content
    assert client.post(reverse("findings:assess", args=[deviation.uuid]), {"severity": "minor"}).status_code == 403
    # Inköp finds it in its queue and assesses it.
    inkop = client_for(world.officer)
    listing = inkop.get(reverse("findings:list"), {"awaiting_assessment": "on"})
    assert [row["deviation"] for row in listing.context["rows"]] == [deviation]
    assert listing.context["awaiting_count"] == 1
    assessed = inkop.post(
        reverse("findings:assess", args=[deviation.uuid]), {"version": deviation.version, "severity": "major"}
    )
    assert assessed.status_code == 302
    assert not Deviation.objects.get().awaiting_assessment


def test_outsiders_get_no_report_page(world, client_for, contract, sormland_contract):
    vm_activity = own(make_activity(contract), world.unit_vm)
    post = {"severity": "minor", "title": "x"}
    client = client_for(world.orderer_sl)
    assert client.get(reverse("findings:raise", args=[vm_activity.uuid])).status_code == 403
    assert client.post(reverse("findings:raise", args=[vm_activity.uuid]), post).status_code == 403
    sl_activity = own(make_activity(sormland_contract), world.unit_vm)
    client = client_for(world.orderer_vm)
    assert client.post(reverse("findings:raise", args=[sl_activity.uuid]), post).status_code == 404
    assert not Deviation.objects.exists()


# --- Over the API ----------------------------------------------------------------------


def api(client, person, method, url, data=None):
    token = api_token_create(actor=None, user=person, name="test")[1]
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if data is not None:
        kwargs.update(data=data, content_type="application/json")
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


def test_the_orderer_reports_over_the_api(world, client, vm_followup):
    created = api(
        client,
        world.orderer_vm,
        "post",
        "/deviations",
        {"activity": str(vm_followup.uuid), "severity": "major", "title": "Ostädat"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["awaiting_assessment"] and body["proposed_severity"] == "major"
    queue = api(client, world.officer, "get", "/deviations?awaiting_assessment=true").json()
    assert [row["uuid"] for row in queue["items"]] == [body["uuid"]]
    refused = api(client, world.orderer_vm, "post", f"/deviations/{body['uuid']}/assessment", {"severity": "minor"})
    assert refused.status_code == 403
    assessed = api(client, world.officer, "post", f"/deviations/{body['uuid']}/assessment", {"severity": "minor"})
    assert assessed.status_code == 200 and assessed.json()["severity"] == "minor"
    assert not assessed.json()["awaiting_assessment"]


def test_outsiders_may_not_report_over_the_api(world, client, contract, sormland_contract):
    vm_activity = own(make_activity(contract), world.unit_vm)
    sl_activity = own(make_activity(sormland_contract), world.unit_vm)
    payload = {"severity": "minor", "title": "x"}
    other = api(client, world.orderer_sl, "post", "/deviations", {"activity": str(vm_activity.uuid)} | payload)
    assert other.status_code == 403
    region = api(client, world.orderer_vm, "post", "/deviations", {"activity": str(sl_activity.uuid)} | payload)
    assert region.status_code == 404
    assert not Deviation.objects.exists()


# --- Completing the follow-up ----------------------------------------------------------


def test_deviations_found_needs_a_deviation_or_a_reason(world, vm_followup):
    with translation.override("sv"):
        with pytest.raises(ValidationError) as exc:
            followups.activity_complete(
                actor=world.orderer_vm, activity=vm_followup, outcome=Outcome.DEVIATIONS, note="Två rum ostädade."
            )
        assert "ingen avvikelse är rapporterad" in str(exc.value.message_dict["no_deviation_reason"][0])
    vm_followup.refresh_from_db()
    assert vm_followup.status == ActivityStatus.IN_PROGRESS


def test_deviations_found_with_a_reported_deviation_is_done(world, vm_followup):
    report(world, vm_followup)
    done = followups.activity_complete(
        actor=world.orderer_vm, activity=vm_followup, outcome=Outcome.DEVIATIONS, note="Två rum ostädade."
    )
    assert done.status == ActivityStatus.DONE and done.no_deviation_reason == ""


def test_deviations_found_with_a_reason_keeps_the_reason(world, vm_followup):
    done = followups.activity_complete(
        actor=world.orderer_vm,
        activity=vm_followup,
        outcome=Outcome.DEVIATIONS,
        note="Två rum ostädade.",
        no_deviation_reason="Inköp hanterar det under avvikelsen från förra stickprovet.",
    )
    assert done.no_deviation_reason == "Inköp hanterar det under avvikelsen från förra stickprovet."
    event = AuditEvent.objects.get(action="activity.completed", object_id=str(done.uuid))
    assert event.after["no_deviation_reason"] == done.no_deviation_reason


def test_the_completion_form_asks_for_the_reason_and_the_page_shows_it(world, client_for, vm_followup):
    client = client_for(world.orderer_vm)
    url = reverse("followups:transition", args=[vm_followup.uuid, "complete"])
    refused = client.post(url, {"version": vm_followup.version, "outcome": "deviations", "note": "Ostädat."})
    assert refused.status_code == 400
    assert "no_deviation_reason" in refused.context["complete_form"].errors
    done = client.post(
        url,
        {
            "version": vm_followup.version,
            "outcome": "deviations",
            "note": "Ostädat.",
            "no_deviation_reason": "Redan rapporterat av Inköp.",
        },
    )
    assert done.status_code == 302
    page = client.get(reverse("followups:detail", args=[vm_followup.uuid]))
    assert "Redan rapporterat av Inköp." in page.content.decode()


def test_closing_a_reported_deviation_takes_it_out_of_the_queue(world, vm_followup):
    deviation = report(world, vm_followup)
    services.deviation_close(
        actor=world.officer, deviation=deviation, expected_version=None, note="Inte en avvikelse: rummen var avstängda."
    )
    assert services_queue(world) == []
    event = AuditEvent.objects.get(action="deviation.closed", object_id=str(deviation.uuid))
    assert event.after["closed_unassessed"] is True


def test_the_supplier_sees_a_reported_deviation_only_once_inkop_has_assessed_it(world, vm_followup, supplier):
    from kravspar.portal import access as portal_access

    world.supplier_contact.supplier = supplier
    world.supplier_contact.save()
    deviation = report(world, vm_followup)
    # Only proposed by the orderer: not in the supplier's portal, not answerable.
    assert deviation not in portal_access.deviations_of_supplier(world.supplier_contact)
    assert not portal_access.deviation_concerns(world.supplier_contact, deviation)
    assessed = services.deviation_assess(
        actor=world.officer, deviation=deviation, expected_version=deviation.version, severity=Severity.MINOR
    )
    assert list(portal_access.deviations_of_supplier(world.supplier_contact)) == [assessed]
    assert portal_access.deviation_concerns(world.supplier_contact, assessed)
