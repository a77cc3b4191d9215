"""The matcher raises its economy deviations in bulk (issue 15): the same deviations, tied to
the same economy requirements (added where a contract has none), numbered in the same order,
with the same history events in the same order, as raising them one by one through
``economy_requirement_for`` and ``deviation_raise_on_contract`` gives."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract, ContractRequirement
from kravspar.findings.models import Deviation
from kravspar.findings.services import deviation_raise_on_contract
from kravspar.procurements.models import Aim, Method
from kravspar.requirements.models import RequirementType
from kravspar.spend import policy
from kravspar.spend.matching import Matcher
from kravspar.spend.models import Check, EconomyFinding
from kravspar.spend.requirements import economy_requirement_for
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _one_by_one(matcher: Matcher, items: list[Any]) -> list[int]:
    """What the matcher did before issue 15's fourth pass, for each item in turn."""
    ids = []
    for (contract_id, doc_id, check), number, lines, ctx in items:
        contract = Contract.objects.get(pk=contract_id)
        with translation.override(settings.LANGUAGE_CODE):
            title, description = matcher._describe(check, number, matcher.contracts[contract_id], lines, ctx)
            requirement = economy_requirement_for(contract=contract)
            deviation = deviation_raise_on_contract(
                actor=None,
                contract=contract,
                kind="economy",
                severity=policy.SEVERITY[check],
                title=title,
                description=description,
                requirement=requirement,
            )
        EconomyFinding.objects.create(
            contract_id=contract_id, document_id=doc_id, check_type=check, deviation=deviation
        )
        ids.append(deviation.pk)
    return ids


def _state(since: dict[str, int]) -> dict[str, Any]:
    """Everything the raising wrote after ``since`` (the last ids before), without ids,
    uuids and times: objects are named by contract number or by their place in the order."""
    deviations = list(Deviation.objects.filter(pk__gt=since["deviation"]).order_by("pk"))
    place = {str(d.uuid): n for n, d in enumerate(deviations)}
    by_pk = {d.pk: n for n, d in enumerate(deviations)}
    contracts = {str(c.uuid): c.contract_number for c in Contract.objects.all()}
    requirements = list(ContractRequirement.objects.filter(pk__gt=since["requirement"]).order_by("pk"))
    return {
        "deviations": [
            (
                d.contract.contract_number,
                d.activity_id,
                d.kind,
                d.severity,
                d.title,
                d.description,
                (d.requirement.contract.contract_number, d.requirement.title, d.requirement.position)
                if d.requirement
                else None,
                d.supplier.name if d.supplier else None,
                d.subcontractor_id,
                d.raised_by_id,
                d.raised_on,
                d.status,
                d.awaiting_assessment,
                d.version,
            )
            for d in deviations
        ],
        "requirements": [
            (
                r.contract.contract_number,
                r.type,
                r.title,
                r.text,
                r.evidence,
                r.verified_when,
                r.aims,
                r.position,
                r.methods,
                r.timing,
                r.responsible,
            )
            for r in requirements
        ],
        "history": [
            (
                e.action,
                e.object_type,
                place.get(e.object_id, contracts.get(e.object_id)),
                e.object_repr,
                e.organisation_id,
                e.before,
                e.after,
                e.actor_label,
            )
            for e in AuditEvent.objects.filter(pk__gt=since["event"]).order_by("pk")
        ],
        "findings": [
            (f.contract.contract_number, f.document_id, f.check_type, by_pk[f.deviation_id])
            for f in EconomyFinding.objects.filter(pk__gt=since["finding"]).order_by("pk")
        ],
    }


def _last_ids() -> dict[str, int]:
    def last(model: Any) -> int:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    return {
        "deviation": last(Deviation),
        "requirement": last(ContractRequirement),
        "event": last(AuditEvent),
        "finding": last(EconomyFinding),
    }


def _raised(run: Any) -> tuple[dict[str, Any], int]:
    """Run ``run`` in a savepoint, take what it wrote, and roll it back."""
    since = _last_ids()
    found: dict[str, Any] = {}
    with pytest.raises(_Undo), transaction.atomic():
        ids = run()
        found = _state(since)
        found["increasing"] = ids == sorted(ids) and len(set(ids)) == len(ids)
        raise _Undo
    return found, len(ids)


def test_bulk_raising_equals_one_by_one(world: Any, supplier: Any, other_supplier: Any, contract: Contract) -> None:
    # A contract with an economy requirement of its own (and two suppliers: no supplier on
    # its deviations), one with another requirement but none for economy, one with no buyer.
    has_one = Contract.objects.create(
        contract_number="RV-2025-0300",
        title="Labbtjänster",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    has_one.buyers.set([world.vastmanland, world.sormland])
    has_one.suppliers.set([supplier, other_supplier])
    ContractRequirement.objects.create(
        contract=has_one,
        type=RequirementType.ECONOMY,
        title="E-faktura via Peppol",
        aims=[Aim.ECONOMY.value],
        methods=[Method.INVOICE_CHECK.value],
        position=4,
    )
    no_buyer = Contract.objects.create(
        contract_number="RV-2025-0400",
        title="Transporter",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2025, 12, 31),
        value=Decimal(5000),
    )
    no_buyer.suppliers.set([other_supplier])
    ContractRequirement.objects.create(contract=contract, type=RequirementType.QUALITY, title="Kvalitet", position=7)
    docs = [
        make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}]) for _ in range(4)
    ]
    line = docs[0].lines.get().pk
    matcher = Matcher(tolerance=Decimal(2))
    evidence = [(line, Decimal("10.00"), Decimal("3.50"))]
    items = [
        ((contract.pk, docs[0].pk, Check.OVER_PRICE), docs[0].number, evidence, {"converted": True}),
        ((has_one.pk, docs[1].pk, Check.NOT_ON_CONTRACT), docs[1].number, evidence, {}),
        ((contract.pk, docs[0].pk, Check.UNIT_DIFFERS), docs[0].number, evidence, {"units": {("KGM", "XBX")}}),
        ((no_buyer.pk, docs[2].pk, Check.OVER_VALUE), docs[2].number, evidence, {}),
        (
            (contract.pk, docs[3].pk, Check.CURRENCY_DIFFERS),
            docs[3].number,
            evidence,
            {"agreed": {"SEK"}, "currency": "EUR"},
        ),
        ((no_buyer.pk, docs[3].pk, Check.AFTER_END), docs[3].number, evidence, {"periods": []}),
    ]

    in_bulk, raised = _raised(lambda: matcher._new_deviations(items))
    one_by_one, raised_before = _raised(lambda: _one_by_one(matcher, items))

    assert raised == raised_before == len(items)
    assert in_bulk == one_by_one
    assert in_bulk["increasing"]
    # What was compared is not empty: two requirements added, each with its event just
    # before its contract's first deviation's; the contract with one keeps it.
    assert [r[0] for r in in_bulk["requirements"]] == ["RV-2025-0107", "RV-2025-0400"]
    assert [(e[0], e[2]) for e in in_bulk["history"]] == [
        ("contract.economy_requirement_added", "RV-2025-0107"),
        ("deviation.raised", 0),
        ("deviation.raised", 1),
        ("deviation.raised", 2),
        ("contract.economy_requirement_added", "RV-2025-0400"),
        ("deviation.raised", 3),
        ("deviation.raised", 4),
        ("deviation.raised", 5),
    ]
    assert in_bulk["deviations"][1][6] == ("RV-2025-0300", "E-faktura via Peppol", 4)
    assert in_bulk["deviations"][1][7] is None  # two suppliers: none named
    assert in_bulk["deviations"][0][7] == supplier.name
    assert in_bulk["history"][0][4] == world.vastmanland.pk
    assert in_bulk["history"][4][4] is None  # no buyer
    assert in_bulk["requirements"][0][7] == 8  # after the contract's quality requirement


def test_bulk_raising_takes_a_fixed_number_of_queries(
    world: Any, supplier: Any, contract: Contract, django_assert_max_num_queries: Any
) -> None:
    docs = [
        make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}]) for _ in range(6)
    ]
    line = docs[0].lines.get().pk
    matcher = Matcher(tolerance=Decimal(2))
    items = [((contract.pk, doc.pk, Check.NOT_ON_CONTRACT), doc.number, [(line, None, Decimal(0))], {}) for doc in docs]
    # Nine statements (the contracts, the lock, their requirements, the requirement added,
    # its buyer, the suppliers, the deviations, the history, the findings) and the two
    # services' savepoints; one by one this took about ten per deviation.
    with django_assert_max_num_queries(13):
        ids = matcher._new_deviations(items)
    assert len(ids) == 6
    assert Deviation.objects.filter(contract=contract).count() == 6
