"""Demo: the regions' imported 2021 contracts get the follow-up they lacked.

They were registered "strategy missing" (they predate the rule). Here Inköp does what the
product asks of them: requirements from the library are written on each concluded
procurement, every aim and goal is assessed, a strategy is drawn up and submitted by
``inkopare`` and approved by ``inkopare2`` — whereupon each contract adopts it and gets its
plan. Past follow-ups are then recorded: most compliant, some with deviations and action
plans (some verified and closed, some still open). Everything goes through the services,
so the history shows who did what. Idempotent: a contract that already follows a
strategy is left alone."""

from __future__ import annotations

import datetime
import zlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from kravspar.accounts.models import User
from kravspar.contracts.demo import IMPORTED_SOURCE
from kravspar.contracts.models import Contract
from kravspar.findings import services as finding_services
from kravspar.followups import services as followup_services
from kravspar.followups.models import Activity, ActivityStatus, Outcome
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement
from kravspar.requirements import services as requirement_services
from kravspar.requirements.models import RequirementTemplate

# Per kind of procurement: (library template title, methods, timing, timing details).
PLANS: dict[str, list[tuple[str, list[str], str, dict[str, Any]]]] = {
    "services": [
        ("Leveransprecision", ["supplier_meeting", "spot_check"], "recurring", {"interval_months": 12}),
        (
            "Lön, semester och arbetstid enligt kollektivavtal",
            ["self_assessment", "desk_audit"],
            "at_months",
            {"at_months": [6]},
        ),
    ],
    "goods": [
        ("Leveransprecision", ["spot_check"], "recurring", {"interval_months": 12}),
        ("Uppförandekod för leverantörer", ["self_assessment"], "at_months", {"at_months": [6]}),
    ],
    "works": [
        (
            "Lön, semester och arbetstid enligt kollektivavtal",
            ["self_assessment", "desk_audit"],
            "at_months",
            {"at_months": [6]},
        ),
        ("Vite när leverantören inte medverkar i uppföljning", ["supplier_meeting"], "at_start", {}),
    ],
}
AIMS_SERVED = {
    "services": {Aim.ECONOMY, Aim.WORKING_CONDITIONS},
    "goods": {Aim.ECONOMY, Aim.WORKING_CONDITIONS},
    "works": {Aim.ECONOMY, Aim.WORKING_CONDITIONS},
}


def _aims(procurement: Procurement, kind: str) -> None:
    served = AIMS_SERVED.get(kind, set())
    procurement_services.assessments_record(
        actor=None,
        procurement=procurement,
        aims=[
            (
                aim,
                aim in served,
                "Följs upp genom de krav som lagts in i efterhand för det löpande avtalet."
                if aim in served
                else "Bedömt i efterhand: avtalet tecknades 2021 utan krav för detta syfte.",
            )
            for aim in Aim
        ],
        every_goal=(False, "Avtalet tecknades 2021, före miljöprogrammet; målet beaktas i nästa upphandling."),
    )


def _retrofit(procurement: Procurement, templates: dict[str, RequirementTemplate], ingrid: User, ingvar: User) -> bool:
    plan = PLANS.get(procurement.kind)
    if not plan:
        return False
    _aims(procurement, procurement.kind)
    for title, methods, timing, extra in plan:
        template = templates.get(title)
        if template is None:
            return False
        requirement = requirement_services.requirement_add(actor=None, procurement=procurement, template=template)
        procurement_services.strategy_entry_set(
            actor=None,
            procurement=procurement,
            requirement=requirement,
            methods=methods,
            timing=timing,
            change_reason="Anpassat efter avtalets risker och beställarens resurser.",
            **extra,
        )
    try:
        # Submission checks the gate (everything but the approval) and refuses what misses.
        procurement_services.strategy_submit(actor=ingrid, procurement=procurement)
    except procurement_services.StrategyIncompleteError:
        return False
    # Approval makes the contract adopt the strategy and plans it.
    procurement_services.strategy_approve(actor=ingvar, procurement=procurement)
    return True


def _record(contract: Contract, ingrid: User, today: datetime.date) -> None:
    """Record the contract's past follow-ups. One contract in seven had a deviation; every
    other one of those was fixed and closed, the rest still have an open action plan."""
    spread = zlib.crc32(contract.contract_number.encode())
    with_deviation = spread % 7 == 0
    past = list(
        Activity.objects.filter(contract=contract, due_on__lt=today, status=ActivityStatus.PLANNED)
        .select_related("requirement", "contract")
        .order_by("due_on", "id")
    )
    for index, activity in enumerate(past):
        activity = followup_services.activity_start(actor=ingrid, activity=activity)
        if with_deviation and index == 0:
            raised = min(activity.due_on + datetime.timedelta(days=5), today)
            deviation = finding_services.deviation_raise(
                actor=ingrid,
                activity=activity,
                severity="minor" if spread % 2 else "major",
                title="Underlag saknades vid uppföljningen",
                description="Leverantören kunde inte visa underlag för kravet vid uppföljningstillfället.",
                raised_on=raised,
            )
            activity = followup_services.activity_complete(
                actor=ingrid, activity=activity, outcome=Outcome.DEVIATIONS, note="Brister i leverantörens underlag."
            )
            finding_services.action_plan_agree(
                actor=ingrid,
                deviation=deviation,
                expected_version=None,
                deadline=raised + datetime.timedelta(days=30),
                items=[("Lämna saknat underlag", raised + datetime.timedelta(days=30))],
                agreed_on=raised,
            )
            if spread % 2:
                deviation.refresh_from_db()
                finding_services.action_plan_record_response(
                    actor=ingrid,
                    deviation=deviation,
                    expected_version=None,
                    supplier_response="Underlaget skickades in inom tidsfristen.",
                )
                deviation.refresh_from_db()
                finding_services.action_plan_verify(
                    actor=ingrid,
                    deviation=deviation,
                    expected_version=None,
                    fixed=True,
                    note="Underlaget är komplett.",
                    verified_on=raised + datetime.timedelta(days=20),
                )
                deviation.refresh_from_db()
                finding_services.deviation_close(
                    actor=ingrid, deviation=deviation, expected_version=None, note="Åtgärdad i tid."
                )
        else:
            followup_services.activity_complete(actor=ingrid, activity=activity, outcome=Outcome.COMPLIANT, note="")


def seed_imported(*, today: datetime.date | None = None, limit: int | None = None) -> int:
    """Retrofit strategies on the imported contracts. Returns how many were done."""
    today = today or timezone.localdate()
    ingrid = User.objects.filter(username="inkopare").first()
    ingvar = User.objects.filter(username="inkopare2").first()
    if ingrid is None or ingvar is None:
        return 0
    titles = {title for plan in PLANS.values() for title, *_rest in plan}
    templates = {t.title: t for t in RequirementTemplate.objects.filter(title__in=titles, is_active=True)}
    contracts = (
        Contract.objects.filter(strategy_missing=True, procurement__source__startswith=IMPORTED_SOURCE)
        .select_related("procurement")
        .order_by("contract_number")
    )
    done = 0
    for contract in contracts[:limit] if limit else contracts:
        procurement = contract.procurement
        assert procurement is not None
        if procurement.requirements.exists():
            continue  # someone already started on it by hand: leave it to them
        with transaction.atomic():
            if not _retrofit(procurement, templates, ingrid, ingvar):
                transaction.set_rollback(True)
                continue
            contract.refresh_from_db()
            _record(contract, ingrid, today)
        done += 1
    return done
