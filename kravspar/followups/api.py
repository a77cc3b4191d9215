"""Follow-up activities and plans over the API. The same services as the UI do the work."""

import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.followups import selectors, services
from kravspar.followups.models import Activity, Evidence
from kravspar.followups.planning import contract_replan
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy.models import MarkKind

router = Router(tags=["follow-ups"])


class ActivityOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    contract_number: str = Field(..., alias="contract.contract_number")
    requirement: UUID = Field(..., alias="requirement.uuid")
    requirement_title: str = Field(..., alias="requirement.title")
    occurrence: int
    method: str
    due_on: datetime.date
    responsible: str
    responsible_unit: UUID | None = None
    responsible_person: UUID | None = None
    status: str
    outcome: str
    notes: str
    cancel_reason: str
    no_deviation_reason: str
    completed_on: datetime.date | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_responsible_unit(obj: Activity) -> UUID | None:
        return obj.responsible_unit.uuid if obj.responsible_unit else None

    @staticmethod
    def resolve_responsible_person(obj: Activity) -> UUID | None:
        return obj.responsible_person.uuid if obj.responsible_person else None


class ActivityFilters(Schema):
    mine: bool = Field(False, description="Only those named to me, or to my unit with nobody named")
    overdue: bool = Field(False, description="Only open activities past their due date")
    contract: UUID | None = None
    status: str = ""


class ActivityPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    notes: str | None = None
    responsible_person: UUID | None = Field(
        None, description="A person's uuid; send null to make the whole unit responsible."
    )


class TransitionIn(Schema):
    to: str = Field(..., description="in_progress, awaiting_supplier, under_review, done or cancelled")
    outcome: str = Field("", description="For done: compliant, deviations or not_assessed")
    note: str = Field("", description="For done: what was found (required with deviations)")
    no_deviation_reason: str = Field(
        "",
        description="For done with deviations: why no deviation is recorded on the activity "
        "(required unless one is; report one with POST /deviations first)",
    )
    reason: str = Field("", description="For cancelled: why")
    version: int | None = None


class EvidenceOut(Schema):
    uuid: UUID
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Evidence) -> str:
        return reverse("followups:evidence_download", args=[obj.activity.uuid, obj.uuid])


class PlanResultOut(Schema):
    created: int
    moved: int
    cancelled: int
    replanned: int
    unchanged: int
    kept: int
    skipped_requirements: int
    overdue: int


RELATED = ("contract", "requirement", "responsible_unit", "responsible_person")


@router.get("/activities", response=list[ActivityOut], summary="List follow-up activities you can see")
@paginate(LimitOffsetPagination)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> QuerySet[Activity]:
    qs = selectors.my_activities(request.user) if filters.mine else access.activities_visible_to(request.user)
    if filters.overdue:
        qs = qs.filter(selectors.view_q("overdue", timezone.localdate()))
    if filters.contract:
        qs = qs.filter(contract__uuid=filters.contract)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.select_related(*RELATED).order_by("due_on", "id")


@router.get("/activities/{key}", response=ActivityOut)
def get_activity(request: HttpRequest, key: UUID) -> Activity:
    return access.activity_for(request.user, key)


@router.patch("/activities/{key}", response=ActivityOut, summary="Change the notes or the responsible person")
def update_activity(request: HttpRequest, key: UUID, payload: ActivityPatch) -> Activity:
    activity = access.activity_for(request.user, key, change=True)
    user: User = request.user  # type: ignore[assignment]
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    if "notes" in changes:
        activity = services.activity_update_notes(
            actor=user, activity=activity, notes=changes["notes"] or "", expected_version=version
        )
        version = activity.version
    if "responsible_person" in changes:
        person_key = changes["responsible_person"]
        person = access.person_for(user, person_key) if person_key else None
        services.activity_assign(actor=user, activity=activity, person=person, expected_version=version)
    return access.activity_for(request.user, key)


@router.post("/activities/{key}/transitions", response=ActivityOut, summary="Move an activity along its lifecycle")
def transition_activity(request: HttpRequest, key: UUID, payload: TransitionIn) -> Activity:
    activity = access.activity_for(request.user, key, change=True)
    services.activity_transition(
        actor=request.user,  # type: ignore[arg-type]
        activity=activity,
        to=payload.to,
        outcome=payload.outcome,
        note=payload.note,
        reason=payload.reason,
        no_deviation_reason=payload.no_deviation_reason,
        expected_version=payload.version,
    )
    return access.activity_for(request.user, key)


@router.get("/activities/{key}/evidence", response=list[EvidenceOut], summary="Evidence files of an activity")
def list_evidence(request: HttpRequest, key: UUID) -> QuerySet[Evidence]:
    activity = access.activity_for(request.user, key)
    # A secrecy-marked file outside the person's circle is out of reach in the API (issue 14).
    return secrecy_access.without_hidden(request.user, MarkKind.EVIDENCE, activity.evidence.select_related("activity"))


@router.post(
    "/contracts/{key}/plan",
    response=PlanResultOut,
    summary="Re-plan a contract's follow-ups (409 no_plan for a contract without a plan)",
)
def plan(request: HttpRequest, key: UUID) -> dict[str, int]:
    contract = access.contract_for(request.user, key, change=True)
    return contract_replan(actor=request.user, contract=contract).as_dict()  # type: ignore[arg-type]
