"""Deviations, action plans, sanction decisions and supplier status over the API. The
same services as the UI do the work."""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.contracts.models import ContractRequirement, Subcontractor
from kravspar.findings import policy, selectors, services
from kravspar.findings.models import ActionPlan, Deviation, Sanction
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
    status: str
    raised_on: datetime.date
    deadline: datetime.date | None
    fixed_on: datetime.date | None
    closed_on: datetime.date | None
    version: int


class DeviationIn(Schema):
    activity: UUID
    severity: str
    title: str
    description: str = ""
    requirement: UUID | None = Field(None, description="Defaults to the activity's requirement.")
    supplier: UUID | None = Field(None, description="Defaults to the contract's only supplier.")
    subcontractor: UUID | None = None


class DeviationPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    severity: str | None = None
    title: str | None = None
    description: str | None = None
    requirement: UUID | None = None
    supplier: UUID | None = None
    subcontractor: UUID | None = None


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

    @staticmethod
    def resolve_items(obj: ActionPlan) -> list[Any]:
        return list(obj.items.all())


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
    )
    return qs.select_related("activity", "subcontractor")


@router.post("/deviations", response={201: DeviationOut}, summary="Raise a deviation from a follow-up activity (Inköp)")
def create_deviation(request: HttpRequest, payload: DeviationIn) -> tuple[int, Deviation]:
    activity = access.activity_for(request.user, payload.activity)
    if not access.can_manage_findings(request.user):
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
