"""The demos' way from a planned procurement to a signed contract, through the services, with
the dates of a story told from another day: the strategy submitted and approved by a second
officer before the notice, advertised, evaluated and awarded, then each contract registered
from the award and the procurement concluded. Shared by ``followups/demo_year.py`` (the
simulated year) and ``labour/demo.py`` (the labour-law stories)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from kravspar.accounts.models import User
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement, ProcurementStatus, Strategy, StrategyStatus

NOON = datetime.time(12)


def assess_aims_and_goals(
    procurement: Procurement,
    *,
    relevant: Iterable[Aim],
    how: str,
    not_relevant: str,
    goals_addressed: bool,
    goals_how: str,
) -> None:
    """Every aim of the policy and every environmental goal assessed, as the gate asks."""
    relevant = set(relevant)
    procurement_services.assessments_record(
        actor=None,
        procurement=procurement,
        aims=[(aim, aim in relevant, how if aim in relevant else not_relevant) for aim in Aim],
        every_goal=(goals_addressed, goals_how),
    )


def approve_and_award(
    procurement: Procurement,
    *,
    officer: User,
    approver: User,
    approved_at: datetime.datetime,
    submitted_before: datetime.timedelta,
    advertised: datetime.date,
) -> Procurement:
    """Submit the strategy (``officer``), approve it (``approver``, the four eyes), then
    advertise, evaluate and award. The services stamp the real time; the approval and the
    notice are dated back to when they happened in the story."""
    procurement_services.strategy_submit(actor=officer, procurement=procurement)
    procurement_services.strategy_approve(actor=approver, procurement=procurement)
    Strategy.objects.filter(procurement=procurement, status=StrategyStatus.APPROVED).update(
        submitted_at=approved_at - submitted_before, approved_at=approved_at
    )
    Procurement.objects.filter(pk=procurement.pk).update(advertised_on=advertised)
    for status in ("advertised", "evaluation", "awarded"):
        procurement = procurement_services.procurement_transition(actor=None, procurement=procurement, to=status)
    return procurement


def contract_from_award(procurement: Procurement, **fields: Any) -> tuple[Contract, Procurement]:
    """Register a contract from the awarded procurement (``fields`` as
    ``contract_create_from_procurement`` takes them); the first one concludes the
    procurement. Returns the contract and the procurement as it now is."""
    contract = contract_services.contract_create_from_procurement(actor=None, procurement=procurement, **fields)
    if procurement.status == ProcurementStatus.AWARDED:
        procurement = procurement_services.procurement_transition(
            actor=None, procurement=procurement, to=ProcurementStatus.CONCLUDED
        )
    return contract, procurement
