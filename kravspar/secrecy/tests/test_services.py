"""Marking, unmarking, disclosure decisions and the provision list, through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.secrecy import services
from kravspar.secrecy.models import DisclosureOutcome, MarkKind, Provision
from kravspar.secrecy.services import SecrecyStateError

TODAY = datetime.date.today()


def test_the_list_of_provisions_is_seeded_with_the_usual_four(db: Any) -> None:
    codes = set(Provision.objects.values_list("code", flat=True))
    assert {"OSL 19 kap. 3 §", "OSL 31 kap. 16 §", "OSL 21 kap. 7 §", "OSL 39 kap. 3 §"} <= codes
    default = Provision.objects.get(code="OSL 31 kap. 16 §")
    assert default.officers_on_contract and default.concerned_supplier and default.roles == []


def test_a_mark_records_who_when_why_and_snapshots_the_existence(world: Any, cast: Any) -> None:
    mark = services.mark_set(
        actor=world.officer, kind=MarkKind.DEVIATION, item=cast.deviation, provision=cast.provision, reason="Lön."
    )
    assert (mark.title, mark.item_date, mark.contract, mark.marked_by) == (
        cast.deviation.title,
        cast.deviation.raised_on,
        cast.deviation.contract,
        world.officer,
    )
    assert mark.supplier == cast.deviation.contract.suppliers.get()
    event = AuditEvent.objects.get(action="secrecy.marked")
    assert event.after == {"kind": "deviation", "provision": "OSL 39 kap. 3 §", "reason": "Lön."}


def test_a_mark_needs_a_provision_and_a_reason_in_swedish(world: Any, cast: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.mark_set(actor=world.officer, kind=MarkKind.EVIDENCE, item=cast.evidence, provision=None, reason=" ")
    assert exc.value.message_dict == {
        "provision": ["Bestämmelse: välj en bestämmelse i listan."],
        "reason": ["Skäl: ange varför handlingen markeras."],
    }


def test_an_item_is_marked_once_and_a_removed_mark_can_be_set_again(world: Any, cast: Any) -> None:
    args = {"kind": MarkKind.EVIDENCE, "item": cast.evidence, "provision": cast.provision, "reason": "Lön."}
    mark = services.mark_set(actor=world.officer, **args)
    with pytest.raises(SecrecyStateError):
        services.mark_set(actor=world.officer, **args)
    with pytest.raises(ValidationError):
        services.mark_remove(actor=world.officer, mark=mark, reason="")
    services.mark_remove(actor=world.officer, mark=mark, reason="Uppgifterna är maskerade i filen.")
    with pytest.raises(SecrecyStateError):
        services.mark_remove(actor=world.officer, mark=mark, reason="Igen.")
    assert services.mark_set(actor=world.officer, **args).active
    assert AuditEvent.objects.filter(action="secrecy.unmarked").count() == 1


@pytest.mark.parametrize("persona", ["reader", "orderer_vm", "env_vm", "supplier_contact"])
def test_only_inkop_and_administrators_mark(world: Any, cast: Any, persona: str) -> None:
    with pytest.raises(NotAllowedError):
        services.mark_set(
            actor=getattr(world, persona),
            kind=MarkKind.EVIDENCE,
            item=cast.evidence,
            provision=cast.provision,
            reason="x",
        )


def test_a_disclosure_decision_is_a_step_of_its_own(world: Any, cast: Any, marked: Any) -> None:
    mark = marked[MarkKind.EVIDENCE]
    decide = {
        "actor": world.officer,
        "mark": mark,
        "requested_on": TODAY,
        "requester": "Journalist på Eskilstuna-Kuriren",
        "reason": "",
        "decided_on": TODAY,
    }
    with pytest.raises(ValidationError) as exc:
        services.disclosure_record(outcome=DisclosureOutcome.PARTLY, masked="", provision=None, **decide)
    assert exc.value.message_dict == {
        "masked": ["Vad som maskerades: ange vad som inte lämnades ut."],
        "provision": ["Bestämmelse: ett avslag eller en maskering måste ange bestämmelsen."],
    }
    with pytest.raises(ValidationError):
        services.disclosure_record(outcome=DisclosureOutcome.REFUSED, masked="", provision=None, **decide)
    decision = services.disclosure_record(
        outcome=DisclosureOutcome.PARTLY, masked="Namn och personnummer", provision=cast.provision, **decide
    )
    assert mark.decisions.get() == decision
    event = AuditEvent.objects.get(action="secrecy.disclosure_decided")
    assert event.after["outcome"] == "partly" and event.after["masked"] == "Namn och personnummer"
    assert event.after["provision"] == "OSL 39 kap. 3 §"
    # The mark is a prior assessment: the decision does not remove it.
    mark.refresh_from_db()
    assert mark.active


def test_a_decision_cannot_be_dated_before_the_request_or_in_the_future(world: Any, cast: Any, marked: Any) -> None:
    for requested, decided in (
        (TODAY, TODAY - datetime.timedelta(days=1)),
        (TODAY, TODAY + datetime.timedelta(days=1)),
    ):
        with pytest.raises(ValidationError) as exc:
            services.disclosure_record(
                actor=world.officer,
                mark=marked[MarkKind.EVIDENCE],
                requested_on=requested,
                requester="",
                outcome=DisclosureOutcome.DISCLOSED,
                masked="",
                provision=None,
                reason="",
                decided_on=decided,
            )
        assert list(exc.value.message_dict) == ["decided_on"]


def test_administrators_keep_the_provisions(world: Any) -> None:
    fields = {"code": "OSL 30 kap. 23 §", "title": "Tillsyn", "roles": ["administrator"], "active": True}
    with pytest.raises(NotAllowedError):
        services.provision_save(actor=world.officer, **fields)
    with pytest.raises(ValidationError) as exc:
        services.provision_save(actor=world.admin, **{**fields, "code": "30:23 OSL"})
    assert exc.value.message_dict["code"] == ["Bestämmelse: skriv den som ”OSL 31 kap. 16 §”."]
    provision = services.provision_save(actor=world.admin, **fields)
    assert provision.roles == ["administrator"]
    with pytest.raises(ValidationError):
        services.provision_save(actor=world.admin, **{**fields, "roles": ["leverantor"]})
    services.provision_save(actor=world.admin, provision=provision, **{**fields, "title": "Tillsyn och revision"})
    assert AuditEvent.objects.filter(action="secrecy.provision_saved").count() == 2
