"""Verification during the procurement: a requirement verified at evaluation gets a dated
record (who, on what evidence, with what outcome) before the award; the evaluation opens
the records and the award waits until each has an outcome."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kravspar.accounts.roles import Role
from kravspar.audit.models import AuditEvent
from kravspar.procurements import services
from kravspar.procurements.models import ProcurementStatus, Verification, VerificationOutcome
from kravspar.procurements.tests.test_gate import plan_fully
from kravspar.requirements import services as requirement_services
from kravspar.testing.factories import OrganisationFactory, UnitFactory, UserFactory


@pytest.fixture
def evaluating(world, procurement, second_officer):
    """The cleaning procurement with a qualification requirement verified at evaluation, in evaluation."""
    plan_fully(world, procurement)
    iso = requirement_services.requirement_add(
        actor=world.officer,
        procurement=procurement,
        title="Miljöledningssystem",
        type="environment",
        text="Anbudsgivaren ska ha ett certifierat miljöledningssystem.",
        evidence="Certifikat enligt ISO 14001.",
        verified_when="evaluation",
    )
    services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=iso,
        methods=["document_review"],
        timing="at_evaluation",
    )
    services.strategy_submit(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    for status in ("advertised", "evaluation"):
        services.procurement_transition(actor=world.officer, procurement=procurement, to=status)
    procurement.refresh_from_db()
    procurement.iso = iso
    return procurement


def test_the_evaluation_opens_a_record_for_each_requirement_verified_at_evaluation(world, evaluating):
    [verification] = Verification.objects.filter(procurement=evaluating)
    assert verification.requirement == evaluating.iso and verification.outcome == VerificationOutcome.OPEN
    event = AuditEvent.objects.filter(action="procurement.evaluation").latest("id")
    assert event.after["verifications_opened"] == ["Miljöledningssystem"]


def test_the_award_waits_for_every_verification_and_says_which(world, evaluating):
    with translation.override("sv"), pytest.raises(services.VerificationsOpenError) as exc:
        services.procurement_transition(actor=world.officer, procurement=evaluating, to="awarded")
    assert exc.value.missing == ["Kravet ”Miljöledningssystem” är inte verifierat."]
    assert str(exc.value.message).startswith("Upphandlingen kan inte tilldelas")
    evaluating.refresh_from_db()
    assert evaluating.status == ProcurementStatus.EVALUATION
    verification = Verification.objects.get(procurement=evaluating)
    services.verification_record(
        actor=world.officer, verification=verification, outcome="verified", evidence="ISO 14001-certifikat nr 1234."
    )
    services.procurement_transition(actor=world.officer, procurement=evaluating, to="awarded")
    evaluating.refresh_from_db()
    assert evaluating.status == ProcurementStatus.AWARDED


def test_a_record_says_who_when_on_what_evidence_and_why_not(world, evaluating):
    verification = Verification.objects.get(procurement=evaluating)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.verification_record(
            actor=world.officer, verification=verification, outcome="not_verified", evidence=""
        )
    assert set(exc.value.message_dict) == {"evidence", "reason"}
    recorded = services.verification_record(
        actor=world.officer,
        verification=verification,
        outcome="not_verified",
        evidence="Certifikatet i anbudet har gått ut.",
        reason="Giltigt certifikat saknas; anbudet förkastas.",
    )
    assert (recorded.verified_by, recorded.verified_on) == (world.officer, timezone.localdate())
    event = AuditEvent.objects.get(action="procurement.verification_recorded")
    assert event.after["Miljöledningssystem"]["outcome"] == "not_verified"
    # A negative outcome is an outcome: the award may go on (the tender is rejected).
    services.procurement_transition(actor=world.officer, procurement=evaluating, to="awarded")
    with pytest.raises(services.TransitionError):
        services.verification_record(actor=world.officer, verification=verification, outcome="verified", evidence="X")


def test_procurement_without_evaluation_requirements_is_awarded_as_before(world, procurement, second_officer):
    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    for status in ("advertised", "evaluation", "awarded"):
        services.procurement_transition(actor=world.officer, procurement=procurement, to=status)
    assert not Verification.objects.filter(procurement=procurement).exists()


# --- The pages --------------------------------------------------------------------------------


def page(procurement, verification):
    return reverse("procurements:verification", args=[procurement.uuid, verification.uuid])


def test_the_officer_records_a_verification_on_the_procurement_page(world, client_for, evaluating):
    client = client_for(world.officer)
    detail = reverse("procurements:detail", args=[evaluating.uuid])
    refused = client.post(reverse("procurements:transition", args=[evaluating.uuid]), {"to": "awarded"})
    assert refused.status_code == 409
    assert "Kravet ”Miljöledningssystem” är inte verifierat." in refused.content.decode()
    verification = Verification.objects.get(procurement=evaluating)
    url = page(evaluating, verification)
    assert url.encode() in client.get(detail).content
    invalid = client.post(url, {"outcome": "not_verified", "evidence": "Certifikat saknas."})
    assert invalid.status_code == 400
    assert invalid.context["form"].errors["reason"] == ["Skäl: ange varför kravet inte är verifierat."]
    response = client.post(url, {"outcome": "verified", "evidence": "ISO 14001-certifikat nr 1234, DNV."})
    assert response.status_code == 302
    content = client.get(detail).content.decode()
    assert "ISO 14001-certifikat nr 1234, DNV." in content and "Verifierat" in content


def test_outsiders_cannot_see_or_record_verifications(world, client_for, evaluating):
    verification = Verification.objects.get(procurement=evaluating)
    url = page(evaluating, verification)
    body = {"outcome": "verified", "evidence": "Påhittat."}
    # A beställare in a third region sees nothing of the procurement.
    uppsala = OrganisationFactory.create(name="Region Uppsala")
    outsider = UserFactory.create(
        organisation=uppsala, unit=UnitFactory.create(organisation=uppsala), roles=[Role.ORDERER]
    )
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, body).status_code == 404
    assert client_for(world.supplier_contact).post(url, body).status_code in (403, 404)
    # The beställare of a buying region may read the procurement, not record its verifications.
    assert client_for(world.orderer_vm).post(url, body).status_code == 403
    # A verification of another procurement is not reachable through this one.
    assert (
        client_for(world.officer)
        .get(page(evaluating, verification).replace(str(verification.uuid), str(evaluating.uuid)))
        .status_code
        == 404
    )
    verification.refresh_from_db()
    assert verification.outcome == VerificationOutcome.OPEN
