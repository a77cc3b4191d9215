"""Carrying out a follow-up: one transition per arrow, with refusals, optimistic locking,
permissions and history."""

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.followups import services
from kravspar.followups.models import ActivityStatus, Outcome
from kravspar.followups.services import TransitionError

S = ActivityStatus


def test_the_whole_lifecycle_is_recorded(world, quality_activity):
    a = services.activity_start(actor=world.orderer_vm, activity=quality_activity)
    a = services.activity_await_supplier(actor=world.orderer_vm, activity=a)
    a = services.activity_review(actor=world.orderer_vm, activity=a)
    a = services.activity_complete(
        actor=world.orderer_vm,
        activity=a,
        outcome=Outcome.DEVIATIONS,
        note="Two rooms not cleaned.",
        no_deviation_reason="Reported by phone; Inköp records it.",
    )
    assert a.status == S.DONE
    assert a.outcome == Outcome.DEVIATIONS
    assert "Two rooms not cleaned." in a.notes
    assert a.completed_on is not None
    actions = list(AuditEvent.objects.filter(object_id=str(a.uuid)).order_by("id").values_list("action", flat=True))
    assert actions == [
        "activity.started",
        "activity.awaiting_supplier",
        "activity.under_review",
        "activity.completed",
    ]


def test_a_planned_activity_cannot_be_completed_or_reviewed(world, quality_activity):
    with pytest.raises(TransitionError):
        services.activity_complete(actor=world.orderer_vm, activity=quality_activity, outcome=Outcome.COMPLIANT)
    with pytest.raises(TransitionError):
        services.activity_review(actor=world.orderer_vm, activity=quality_activity)


def test_done_is_final(world, quality_activity):
    a = services.activity_start(actor=world.orderer_vm, activity=quality_activity)
    a = services.activity_complete(actor=world.orderer_vm, activity=a, outcome=Outcome.COMPLIANT)
    with pytest.raises(TransitionError):
        services.activity_cancel(actor=world.officer, activity=a, reason="Changed my mind")
    with pytest.raises(TransitionError):
        services.activity_start(actor=world.orderer_vm, activity=a)


def test_completing_needs_an_outcome_and_deviations_need_a_note(world, quality_activity):
    a = services.activity_start(actor=world.orderer_vm, activity=quality_activity)
    with pytest.raises(ValidationError) as exc:
        services.activity_complete(actor=world.orderer_vm, activity=a, outcome="")
    assert "outcome" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.activity_complete(actor=world.orderer_vm, activity=a, outcome=Outcome.DEVIATIONS, note=" ")
    assert "note" in exc.value.error_dict


def test_cancelling_needs_a_reason(world, quality_activity):
    with pytest.raises(ValidationError):
        services.activity_cancel(actor=world.officer, activity=quality_activity, reason="")
    a = services.activity_cancel(actor=world.officer, activity=quality_activity, reason="The unit closed")
    assert (a.status, a.cancel_reason) == (S.CANCELLED, "The unit closed")


def test_a_stale_version_is_refused(world, quality_activity):
    version = quality_activity.version
    services.activity_update_notes(
        actor=world.officer, activity=quality_activity, notes="First", expected_version=version
    )
    with pytest.raises(ConcurrentEditError):
        services.activity_update_notes(
            actor=world.orderer_vm, activity=quality_activity, notes="Second", expected_version=version
        )


def test_who_may_record(world, quality_activity):
    # The responsible unit's orderer and Inköp may; an orderer of another unit and a reader may not.
    services.activity_update_notes(actor=world.orderer_vm, activity=quality_activity, notes="ok")
    services.activity_update_notes(actor=world.officer, activity=quality_activity, notes="ok too")
    for outsider in (world.orderer_sl, world.reader):
        with pytest.raises(NotAllowedError):
            services.activity_start(actor=outsider, activity=quality_activity)


def test_assign_a_person_of_the_unit(world, quality_activity):
    a = services.activity_assign(actor=world.officer, activity=quality_activity, person=world.orderer_vm)
    assert a.responsible_person == world.orderer_vm
    # Someone who does not see the contract cannot be made responsible.
    with pytest.raises(ValidationError):
        services.activity_assign(actor=world.officer, activity=a, person=world.orderer_sl)
    a = services.activity_assign(actor=world.officer, activity=a, person=None)
    assert a.responsible_person is None
