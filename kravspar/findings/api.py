"""Deviations, action plans, sanction decisions and supplier status over the API. The
same services as the UI do the work."""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.contracts.models import ContractRequirement, Subcontractor
from kravspar.findings import policy, selectors, services
from kravspar.findings.models import ActionItem, ActionPlan, Deviation, Sanction
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import MarkKind
from kravspar.suppliers.models import Supplier

router = Router(tags=["deviations"])


class DeviationOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    contract_number: str = Field(..., alias="contract.contract_number")
    activity: UUID | None = Field(None, alias="activity.uuid")
    requirement: UUID | None = Field(None, alias="requirement.uuid")
    supplier: UUID | None = Field(None, alias="supplier.uuid")
    subcontractor: UUID | None = Field(None, alias="subcontractor.uuid")
    severity: str
    title: str
    description: str
    diary_number: str = Field(..., description="The deviation's diary number (diarienummer); empty if not registered.")
    status: str
    raised_on: datetime.date
    deadline: datetime.date | None
    fixed_on: datetime.date | None
    closed_on: datetime.date | None
    awaiting_assessment: bool = Field(..., description="Reported by an orderer; Inköp has not yet set the severity.")
    proposed_severity: str = Field(..., description="The severity the orderer proposed, if reported by one.")
    version: int


class DeviationIn(Schema):
    activity: UUID
    severity: str
    title: str
    description: str = ""
    requirement: UUID | None = Field(None, description="Defaults to the activity's requirement.")
    supplier: UUID | None = Field(None, description="Defaults to the contract's only supplier.")
    subcontractor: UUID | None = None
    raised_on: datetime.date | None = Field(None, description="The day it was found; defaults to today.")
    diary_number: str = Field("", description="In the form of a buying organisation's diary number rule.")


class DeviationPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    severity: str | None = None
    title: str | None = None
    description: str | None = None
    requirement: UUID | None = None
    supplier: UUID | None = None
    subcontractor: UUID | None = None
    diary_number: str | None = None


class ActionItemIn(Schema):
    text: str
    deadline: datetime.date | None = None


class ActionPlanIn(Schema):
    version: int | None = None
    deadline: datetime.date
    agreed_on: datetime.date | None = None
    items: list[ActionItemIn]
    supplier_response: str = ""


class ActionItemOut(Schema):
    id: int = Field(..., description="The action's key in /deviations/{key}/action-items/{item_key}/done.")
    text: str
    deadline: datetime.date | None
    done_on: datetime.date | None


class ActionPlanOut(Schema):
    uuid: UUID
    status: str
    agreed_on: datetime.date
    deadline: datetime.date
    supplier_response: str
    verified_on: datetime.date | None
    verification_note: str
    items: list[ActionItemOut]
    deviation_version: int = Field(
        ..., alias="deviation.version", description="The deviation's version after this change; send it next time."
    )

    @staticmethod
    def resolve_items(obj: ActionPlan) -> list[Any]:
        return list(obj.items.all())


VERSION_HELP = "The deviation's version you read; a 409 tells you someone changed it since."


class ErrorOut(Schema):
    code: str = Field(..., description="e.g. forbidden, not_found, concurrent_edit, invalid_state, invalid")
    message: str
    details: dict[str, Any]


# What the lifecycle steps may answer besides success: 400 invalid data (details.fields),
# 403 visible but not yours to change, 404 not visible to you, 409 a stale version
# (concurrent_edit) or a step the deviation's state refuses (invalid_state).
STEP_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ResponseIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    supplier_response: str = Field(..., description="What the supplier answers or reports about the plan.")


class VerifyIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    fixed: bool = Field(..., description="True: fixed. False: not fixed, or not enough (a note is required).")
    verified_on: datetime.date | None = Field(None, description="Defaults to today.")
    note: str = ""


class CloseIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    note: str = Field("", description="Required unless the deviation is fixed or an observation.")


class ReopenIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    reason: str


class ActionDoneIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    done_on: datetime.date | None = Field(None, description="Defaults to today.")


class ActionDoneOut(ActionItemOut):
    deviation_version: int


class SanctionIn(Schema):
    decision: str = Field(..., description="apply or waive")
    kind: str = Field("", description="remark, fine, price_reduction, set_off or termination")
    clause: str = ""
    reason: str = Field("", description="Required when waiving.")
    amount: Decimal | None = Field(None, description="For price reduction or set-off; a fine is computed.")
    decided_on: datetime.date | None = None


class SanctionOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    decision: str
    kind: str
    clause: str
    weeks: int | None
    amount: Decimal | None
    reason: str
    decided_on: datetime.date


class StatusOut(Schema):
    contract: UUID
    status: str = Field(..., description="green, yellow or red")
    reasons: list[str]
    decision_needed: list[UUID]


class DeviationFilters(Schema):
    severity: str = ""
    status: str = ""
    contract: UUID | None = None
    decision_needed: bool = False
    awaiting_assessment: bool = False


class AssessIn(Schema):
    version: int | None = Field(None, description=VERSION_HELP)
    severity: str = Field(..., description="observation, minor, major or critical: Inköp's decision")
    note: str = ""


def _related(request: HttpRequest, deviation_contract: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn uuids into this contract's objects; an unknown uuid is a field error."""
    lookups: dict[str, tuple[Any, Any]] = {
        "requirement": (ContractRequirement, {"contract": deviation_contract}),
        "subcontractor": (Subcontractor, {"contract": deviation_contract}),
        "supplier": (Supplier, {"contracts": deviation_contract}),
    }
    for name, (model, scope) in lookups.items():
        if data.get(name) is not None:
            obj = model.objects.filter(uuid=data[name], **scope).first()
            if obj is None:
                raise ValidationError({name: [f"{name}: not found on this contract"]})
            data[name] = obj
    return data


def _get(request: HttpRequest, key: UUID, *, change: bool = False) -> Deviation:
    deviation: Deviation = access.deviation_for(request.user, key, change=change)
    # A marked deviation the person may not see is out of reach in the API (404); its
    # existence is shown on the pages and in the register of marks.
    secrecy.require_visible(request.user, MarkKind.DEVIATION, deviation)
    return deviation


@router.get("/deviations", response=list[DeviationOut], summary="List deviations you can see")
@paginate(LimitOffsetPagination)
def list_deviations(request: HttpRequest, filters: Query[DeviationFilters]) -> QuerySet[Deviation]:
    contract = access.contract_for(request.user, filters.contract) if filters.contract else None
    qs = selectors.deviation_list(
        request.user,
        today=timezone.localdate(),
        severity=filters.severity,
        status=filters.status,
        contract=contract,
        decision_needed=filters.decision_needed,
        awaiting_assessment=filters.awaiting_assessment,
    )
    qs = secrecy_access.without_hidden(request.user, MarkKind.DEVIATION, qs)
    return qs.select_related("activity", "subcontractor")


@router.post(
    "/deviations",
    response={201: DeviationOut},
    summary="Raise a deviation from a follow-up activity (Inköp), or report one from your own follow-up",
    description="Whoever carries out the follow-up (e.g. a beställare) may report a deviation found in it: "
    "the severity is then a proposal, the deviation waits for Inköp's assessment, and Inköp is told by e-mail.",
)
def create_deviation(request: HttpRequest, payload: DeviationIn) -> tuple[int, Deviation]:
    activity = access.activity_for(request.user, payload.activity)
    if not access.can_manage_findings(request.user) and not access.can_record_activity(request.user, activity):
        raise PermissionDenied
    data = _related(request, activity.contract, payload.dict(exclude={"activity"}))
    deviation = services.deviation_raise(actor=request.user, activity=activity, **data)  # type: ignore[arg-type]
    return 201, _get(request, deviation.uuid)


@router.get("/deviations/{key}", response=DeviationOut)
def get_deviation(request: HttpRequest, key: UUID) -> Deviation:
    return _get(request, key)


@router.patch("/deviations/{key}", response=DeviationOut, summary="Change a deviation (Inköp)")
def update_deviation(request: HttpRequest, key: UUID, payload: DeviationPatch) -> Deviation:
    deviation = _get(request, key, change=True)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    changes = _related(request, deviation.contract, changes)
    services.deviation_update(actor=request.user, deviation=deviation, expected_version=version, **changes)  # type: ignore[arg-type]
    return _get(request, key)


@router.post(
    "/deviations/{key}/assessment",
    response={200: DeviationOut, **STEP_ERRORS},
    summary="Assess a deviation an orderer reported: decide its severity (Inköp)",
)
def assess_deviation(request: HttpRequest, key: UUID, payload: AssessIn) -> Deviation:
    deviation = _get(request, key, change=True)
    services.deviation_assess(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        severity=payload.severity,
        note=payload.note,
    )
    return _get(request, key)


@router.post(
    "/deviations/{key}/action-plan", response={201: ActionPlanOut}, summary="Agree a corrective action plan (Inköp)"
)
def agree_action_plan(request: HttpRequest, key: UUID, payload: ActionPlanIn) -> tuple[int, ActionPlan]:
    deviation = _get(request, key, change=True)
    plan = services.action_plan_agree(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        deadline=payload.deadline,
        agreed_on=payload.agreed_on,
        items=[(i.text, i.deadline) for i in payload.items],
        supplier_response=payload.supplier_response,
    )
    return 201, plan


@router.post(
    "/deviations/{key}/action-plan/response",
    response={200: ActionPlanOut, **STEP_ERRORS},
    summary="Record the supplier's response to the current action plan (Inköp)",
)
def record_response(request: HttpRequest, key: UUID, payload: ResponseIn) -> ActionPlan:
    deviation = _get(request, key, change=True)
    return services.action_plan_record_response(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        supplier_response=payload.supplier_response,
    )


@router.post(
    "/deviations/{key}/action-plan/verify",
    response={200: ActionPlanOut, **STEP_ERRORS},
    summary="Verify the correction: fixed, or not fixed / not enough (Inköp)",
)
def verify_action_plan(request: HttpRequest, key: UUID, payload: VerifyIn) -> ActionPlan:
    deviation = _get(request, key, change=True)
    return services.action_plan_verify(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        fixed=payload.fixed,
        verified_on=payload.verified_on,
        note=payload.note,
    )


@router.post(
    "/deviations/{key}/action-items/{item_key}/done",
    response={200: ActionDoneOut, **STEP_ERRORS},
    summary="Mark an action of the current action plan as done (Inköp)",
)
def mark_action_done(request: HttpRequest, key: UUID, item_key: int, payload: ActionDoneIn) -> dict[str, Any]:
    deviation = _get(request, key, change=True)
    item = get_object_or_404(ActionItem.objects.select_related("plan"), pk=item_key, plan__deviation=deviation)
    item.plan.deviation = deviation
    services.action_item_mark_done(
        actor=request.user,  # type: ignore[arg-type]
        item=item,
        expected_version=payload.version,
        done_on=payload.done_on or timezone.localdate(),
    )
    return {
        "id": item.pk,
        "text": item.text,
        "deadline": item.deadline,
        "done_on": item.done_on,
        "deviation_version": _get(request, key).version,
    }


@router.post(
    "/deviations/{key}/close",
    response={200: DeviationOut, **STEP_ERRORS},
    summary="Close a deviation (Inköp); a missed deadline needs its sanction decision first",
)
def close_deviation(request: HttpRequest, key: UUID, payload: CloseIn) -> Deviation:
    deviation = _get(request, key, change=True)
    services.deviation_close(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        note=payload.note,
    )
    return _get(request, key)


@router.post(
    "/deviations/{key}/reopen",
    response={200: DeviationOut, **STEP_ERRORS},
    summary="Reopen a fixed, not fixed or closed deviation, with a reason (Inköp)",
)
def reopen_deviation(request: HttpRequest, key: UUID, payload: ReopenIn) -> Deviation:
    deviation = _get(request, key, change=True)
    services.deviation_reopen(
        actor=request.user,  # type: ignore[arg-type]
        deviation=deviation,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _get(request, key)


@router.get("/deviations/{key}/sanctions", response=list[SanctionOut], summary="Sanction decisions on a deviation")
def list_sanctions(request: HttpRequest, key: UUID) -> QuerySet[Sanction]:
    return _get(request, key).sanctions.select_related("contract")


@router.post("/deviations/{key}/sanctions", response={201: SanctionOut}, summary="Apply or waive a sanction (Inköp)")
def decide_sanction(request: HttpRequest, key: UUID, payload: SanctionIn) -> tuple[int, Sanction]:
    deviation = _get(request, key, change=True)
    sanction = services.sanction_decide(
        actor=request.user,  # type: ignore[arg-type]
        contract=deviation.contract,
        deviations=[deviation],
        **payload.dict(),
    )
    return 201, sanction


@router.get(
    "/contracts/{key}/status", response=StatusOut, summary="Supplier status on a contract: green, yellow or red"
)
def contract_status(request: HttpRequest, key: UUID) -> dict[str, Any]:
    contract = access.contract_for(request.user, key)
    today = timezone.localdate()
    status = selectors.contract_status(contract, today)
    return {
        "contract": contract.uuid,
        "status": status.light,
        "reasons": status.reasons,
        "decision_needed": [d.uuid for d in policy.decision_needed(contract, today)],
    }
