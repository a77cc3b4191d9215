"""Procurements, their aims and goals, follow-up strategies and lifecycle over the API.

The same services as the UI do the work, so the API meets the same gate: a refused
transition answers 409 ``strategy_incomplete`` with ``details.missing``.
"""

import datetime
from typing import Any, Literal, cast
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.cpv import codes
from kravspar.cpv.models import CpvCode
from kravspar.procurements import policy, services
from kravspar.procurements.models import (
    AgreementType,
    Aim,
    Method,
    Procedure,
    Procurement,
    ProcurementKind,
    ProcurementStatus,
    Responsible,
    Strategy,
    StrategyEntry,
    Tier,
    Timing,
)

router = Router(tags=["procurements"])

LIST_PREFETCH = ("buyers", "ordering_units", "cpv_additional")


def actor(request: HttpRequest) -> User:
    """The person making the request; both authenticators put a logged-in User there."""
    return cast(User, request.user)


class In(Schema):
    """Request bodies hand plain strings, not enum members, to the services."""

    model_config = ConfigDict(use_enum_values=True)


# The default of a field that a PATCH may leave out. Typed as a value, so that an
# explicit null is refused (422) where the field may not be empty.
KEEP: Any = None


# --- Procurements -----------------------------------------------------------------------


class ProcurementOut(Schema):
    uuid: UUID
    registry_number: str
    title: str
    description: str
    buyers: list[UUID]
    officer: str | None = Field(None, alias="officer.username")
    ordering_units: list[UUID]
    cpv_main: str | None = Field(None, alias="cpv_main_id")
    cpv_additional: list[str]
    kind: str
    procedure: str
    agreement_type: str
    estimated_value: int | None = Field(None, description="SEK")
    duration_months: int | None
    status: str
    cancel_reason: str
    criticality: int | None
    supply_risk: int | None
    tier: str | None = Field(None, description="The follow-up tier: set by hand, else computed by the policy")
    kraljic: str | None
    tier_override: str
    tier_override_reason: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_buyers(obj: Procurement) -> list[UUID]:
        return [b.uuid for b in obj.buyers.all()]

    @staticmethod
    def resolve_ordering_units(obj: Procurement) -> list[UUID]:
        return [u.uuid for u in obj.ordering_units.all()]

    @staticmethod
    def resolve_cpv_additional(obj: Procurement) -> list[str]:
        return [c.code for c in obj.cpv_additional.all()]

    @staticmethod
    def resolve_estimated_value(obj: Procurement) -> int | None:
        return None if obj.estimated_value is None else int(obj.estimated_value)

    @staticmethod
    def resolve_tier(obj: Procurement) -> str | None:
        found = policy.tier(obj)
        return found.value if found else None

    @staticmethod
    def resolve_kraljic(obj: Procurement) -> str | None:
        found = policy.kraljic(obj)
        return found.value if found else None


class ProcurementDetail(ProcurementOut):
    gate_missing: list[str] = Field(
        ..., description="What stops the procurement from leaving planning or being advertised; empty when open"
    )
    allowed_transitions: list[str]

    @staticmethod
    def resolve_gate_missing(obj: Procurement) -> list[str]:
        return policy.strategy_gate_missing(obj)

    @staticmethod
    def resolve_allowed_transitions(obj: Procurement) -> list[str]:
        return services.allowed_transitions(obj)


LEVEL = Field(None, ge=1, le=3, description="1 low, 2 medium, 3 high")


class ProcurementIn(In):
    registry_number: str = Field(..., description="The case's diarienummer, e.g. RS-2026-0142")
    title: str
    description: str = ""
    buyers: list[UUID] = Field(..., description="One organisation, or several for a joint procurement")
    officer: str | None = Field(None, description="Username of the responsible procurement officer")
    ordering_units: list[UUID] = []
    cpv_main: str | None = Field(None, description="e.g. 90910000 (a check digit is accepted)")
    cpv_additional: list[str] = []
    kind: ProcurementKind
    procedure: Procedure | Literal[""] = ""
    agreement_type: AgreementType = AgreementType.CONTRACT
    estimated_value: int | None = Field(None, description="SEK")
    duration_months: int | None = Field(None, ge=0)
    criticality: int | None = LEVEL
    supply_risk: int | None = LEVEL
    tier_override: Tier | Literal[""] = ""
    tier_override_reason: str = ""


class ProcurementPatch(In):
    """Fields left out stay as they are; null is accepted only where a field may be empty."""

    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    registry_number: str = KEEP
    title: str = KEEP
    description: str = KEEP
    buyers: list[UUID] = KEEP
    officer: str | None = None
    ordering_units: list[UUID] = KEEP
    cpv_main: str | None = None
    cpv_additional: list[str] = KEEP
    kind: ProcurementKind = KEEP
    procedure: Procedure | Literal[""] = KEEP
    agreement_type: AgreementType = KEEP
    estimated_value: int | None = None
    duration_months: int | None = Field(None, ge=0)
    criticality: int | None = LEVEL
    supply_risk: int | None = LEVEL
    tier_override: Tier | Literal[""] = KEEP
    tier_override_reason: str = KEEP


class ProcurementFilters(Schema):
    q: str = Field("", description="Search registry number or title")
    status: ProcurementStatus | None = None
    organisation: UUID | None = Field(None, description="A buying organisation")
    cpv: str = Field("", description="The first digits of the main or an additional CPV code, e.g. 9091")
    officer: str = Field("", description="Username of the responsible procurement officer")


def _officer(request: HttpRequest, username: str | None) -> User | None:
    if not username:
        return None
    person = access.people_visible_to(request.user).filter(username=username).first()
    if person is None:
        raise ValidationError({"officer": [_("Officer: there is no person %(username)s.") % {"username": username}]})
    return person


def _cpv_codes(written: list[str], field: str) -> list[CpvCode]:
    wanted = [codes.code_prefix(w) or w for w in written]
    found = CpvCode.objects.in_bulk(wanted)
    unknown = [w for w, code in zip(written, wanted, strict=True) if code not in found]
    if unknown:
        raise ValidationError({field: [_("CPV: unknown code %(codes)s.") % {"codes": ", ".join(unknown)}]})
    return [found[code] for code in wanted]


def _references(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the uuids, usernames and codes of a body into objects. Organisations and
    units the person does not see do not exist for them (404)."""
    if "buyers" in data:
        data["buyers"] = [access.organisation_for(request.user, k) for k in data["buyers"]]
    if "ordering_units" in data:
        data["ordering_units"] = [access.unit_for(request.user, k) for k in data["ordering_units"]]
    if "officer" in data:
        data["officer"] = _officer(request, data["officer"])
    if "cpv_main" in data:
        data["cpv_main"] = _cpv_codes([data["cpv_main"]], "cpv_main")[0] if data["cpv_main"] else None
    if "cpv_additional" in data:
        data["cpv_additional"] = _cpv_codes(data["cpv_additional"], "cpv_additional")
    return data


def procurement_detail(request: HttpRequest, key: UUID) -> Procurement:
    procurement = access.procurement_for(request.user, key)
    prefetch_related_objects([procurement], *LIST_PREFETCH)
    return procurement


@router.get("/procurements", response=list[ProcurementOut], summary="List procurements you can see")
@paginate(LimitOffsetPagination)
def list_procurements(request: HttpRequest, filters: Query[ProcurementFilters]) -> QuerySet[Procurement]:
    qs = (
        access.procurements_visible_to(request.user)
        .select_related("officer")
        .prefetch_related(*LIST_PREFETCH)
        .order_by("-created_at", "-id")
    )
    if filters.q:
        qs = qs.filter(Q(registry_number__icontains=filters.q) | Q(title__icontains=filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.organisation:
        qs = qs.filter(
            pk__in=Procurement.buyers.through.objects.filter(organisation__uuid=filters.organisation).values(
                "procurement_id"
            )
        )
    if filters.cpv:
        prefix = codes.code_prefix(filters.cpv) or filters.cpv
        qs = qs.filter(
            Q(cpv_main__code__startswith=prefix)
            | Q(
                pk__in=Procurement.cpv_additional.through.objects.filter(cpvcode__code__startswith=prefix).values(
                    "procurement_id"
                )
            )
        )
    if filters.officer:
        qs = qs.filter(officer__username=filters.officer)
    return qs


@router.post("/procurements", response={201: ProcurementDetail}, summary="Start planning a procurement")
def create_procurement(request: HttpRequest, payload: ProcurementIn) -> tuple[int, Procurement]:
    access.require_perm(request.user, Perm.MANAGE_PROCUREMENTS)
    data = _references(request, payload.dict())
    procurement = services.procurement_create(actor=actor(request), **data)
    return 201, procurement_detail(request, procurement.uuid)


@router.get("/procurements/{key}", response=ProcurementDetail)
def get_procurement(request: HttpRequest, key: UUID) -> Procurement:
    return procurement_detail(request, key)


@router.patch("/procurements/{key}", response=ProcurementDetail, summary="Change a procurement")
def update_procurement(request: HttpRequest, key: UUID, payload: ProcurementPatch) -> Procurement:
    procurement = access.procurement_for(request.user, key, change=True)
    changes = _references(request, payload.dict(exclude_unset=True))
    version = changes.pop("version", None)
    if changes:
        services.procurement_update(actor=actor(request), procurement=procurement, expected_version=version, **changes)
    return procurement_detail(request, key)


class TransitionIn(In):
    to: ProcurementStatus
    reason: str = Field("", description="Needed to cancel")


@router.post(
    "/procurements/{key}/transitions",
    response=ProcurementDetail,
    summary="Move a procurement along its lifecycle",
    description="Leaving planning and advertising need an approved follow-up strategy. A refusal answers 409 "
    'with code "strategy_incomplete" and details.missing, the list of what is missing; a transition the '
    'lifecycle does not have answers 409 "invalid_transition".',
)
def transition_procurement(request: HttpRequest, key: UUID, payload: TransitionIn) -> Procurement:
    procurement = access.procurement_for(request.user, key, change=True)
    services.procurement_transition(actor=actor(request), procurement=procurement, to=payload.to, reason=payload.reason)
    return procurement_detail(request, key)


# --- Aims and environmental goals -------------------------------------------------------


class AimOut(Schema):
    aim: int
    label: str
    assessed: bool
    relevant: bool | None
    how: str


class AimIn(Schema):
    relevant: bool
    how: str = Field(..., description="How the procurement serves the aim, or why it is not relevant")


def _aims(procurement: Procurement) -> list[dict[str, Any]]:
    assessed = {a.aim: a for a in procurement.aim_assessments.all()}
    return [
        {
            "aim": aim.value,
            "label": str(aim.label),
            "assessed": aim.value in assessed,
            "relevant": assessed[aim.value].relevant if aim.value in assessed else None,
            "how": assessed[aim.value].how if aim.value in assessed else "",
        }
        for aim in Aim
    ]


@router.get("/procurements/{key}/aims", response=list[AimOut], summary="The six aims of the purchasing policy")
def list_aims(request: HttpRequest, key: UUID) -> list[dict[str, Any]]:
    return _aims(access.procurement_for(request.user, key))


@router.put("/procurements/{key}/aims/{aim}", response=AimOut, summary="Assess one of the six aims (1–6)")
def assess_aim(request: HttpRequest, key: UUID, aim: int, payload: AimIn) -> dict[str, Any]:
    procurement = access.procurement_for(request.user, key, change=True)
    services.aim_assess(
        actor=actor(request), procurement=procurement, aim=aim, relevant=payload.relevant, how=payload.how
    )
    return next(a for a in _aims(procurement) if a["aim"] == aim)


class GoalOut(Schema):
    uuid: UUID
    organisation: UUID
    programme: str
    code: str
    title: str
    description: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    assessed: bool
    addressed: bool | None
    how: str


class GoalIn(Schema):
    addressed: bool
    how: str = Field(..., description="How the goal is addressed, or why it is not")


def _goals(procurement: Procurement) -> list[dict[str, Any]]:
    assessed = {a.goal_id: a for a in procurement.goal_assessments.all()}
    return [
        {
            "uuid": goal.uuid,
            "organisation": goal.organisation.uuid,
            "programme": goal.programme,
            "code": goal.code,
            "title": goal.title,
            "description": goal.description,
            "valid_from": goal.valid_from,
            "valid_to": goal.valid_to,
            "assessed": goal.id in assessed,
            "addressed": assessed[goal.id].addressed if goal.id in assessed else None,
            "how": assessed[goal.id].how if goal.id in assessed else "",
        }
        for goal in policy.goals_for(procurement)
    ]


@router.get(
    "/procurements/{key}/goals",
    response=list[GoalOut],
    summary="The environmental-programme goals of the buying regions, valid today",
)
def list_goals(request: HttpRequest, key: UUID) -> list[dict[str, Any]]:
    return _goals(access.procurement_for(request.user, key))


@router.put("/procurements/{key}/goals/{goal_key}", response=GoalOut, summary="Consider an environmental goal")
def assess_goal(request: HttpRequest, key: UUID, goal_key: UUID, payload: GoalIn) -> dict[str, Any]:
    procurement = access.procurement_for(request.user, key, change=True)
    goal = next((g for g in policy.goals_for(procurement) if g.uuid == goal_key), None)
    if goal is None:
        raise Http404
    services.goal_assess(
        actor=actor(request), procurement=procurement, goal=goal, addressed=payload.addressed, how=payload.how
    )
    return next(g for g in _goals(procurement) if g["uuid"] == goal_key)


# --- Follow-up strategy -------------------------------------------------------------------


class EntryOut(Schema):
    requirement: UUID = Field(..., alias="requirement.uuid")
    requirement_title: str = Field(..., alias="requirement.title")
    requirement_type: str = Field(..., alias="requirement.type")
    methods: list[str]
    timing: str
    interval_months: int | None
    at_months: list[int]
    responsible: str
    policy_responsible: str = Field(..., description="Who the purchasing policy makes responsible")
    responsible_unit: UUID | None = Field(None, alias="responsible_unit.uuid")
    environment_specialist: bool
    override_reason: str
    proposed_methods: list[str] = Field(..., description="What the risk tier proposed")
    proposed_timing: str
    proposed_interval_months: int | None
    method_change_reason: str = Field(..., description="Why the methods or frequency differ from the proposal")
    problems: list[str] = Field(..., description="What is incomplete in this entry")

    @staticmethod
    def resolve_policy_responsible(obj: StrategyEntry) -> str:
        return policy.responsible_for(obj.requirement.type)

    @staticmethod
    def resolve_problems(obj: StrategyEntry) -> list[str]:
        return policy.entry_problems(obj)


class StrategySummary(Schema):
    number: int
    status: str
    created_by: str | None = Field(None, alias="created_by.username")
    submitted_by: str | None = Field(None, alias="submitted_by.username")
    submitted_at: datetime.datetime | None
    approved_by: str | None = Field(None, alias="approved_by.username")
    approved_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class StrategyOut(StrategySummary):
    kickoff_meeting: bool
    supplier_must_participate: bool
    during_procurement: str
    notes: str
    entries: list[EntryOut]


class StrategyPatch(Schema):
    """Fields left out stay as they are. Changing a frozen version starts a new draft."""

    kickoff_meeting: bool = KEEP
    supplier_must_participate: bool = KEEP
    during_procurement: str = KEEP
    notes: str = KEEP


class EntryIn(In):
    methods: list[Method]
    timing: Timing
    interval_months: int | None = Field(None, description="With timing recurring")
    at_months: list[int] = Field([], description="With timing at_months, e.g. [3, 12]")
    responsible: Responsible | None = Field(None, description="Left out: the one the purchasing policy assigns")
    responsible_unit: UUID | None = Field(None, description="Left out: the unit the purchasing policy points at")
    override_reason: str = Field("", description="Needed when the responsible differs from the policy's")
    change_reason: str = Field("", description="Needed when methods or frequency differ from the risk tier's proposal")
    environment_specialist: bool | None = Field(None, description="Left out: required in environment-priority areas")


class ReturnIn(Schema):
    comment: str = Field(..., description="What needs to change")


def _strategies(procurement: Procurement) -> QuerySet[Strategy]:
    entries = StrategyEntry.objects.select_related("requirement", "responsible_unit").order_by(
        "requirement__position", "requirement__id"
    )
    return procurement.strategies.select_related("created_by", "submitted_by", "approved_by").prefetch_related(
        Prefetch("entries", queryset=entries)
    )


def _current_strategy(procurement: Procurement) -> Strategy:
    current = policy.current_strategy(procurement)
    if current is None:
        raise Http404
    return _strategies(procurement).get(pk=current.pk)


@router.get(
    "/procurements/{key}/strategy",
    response=StrategyOut,
    summary="The current version of the follow-up strategy",
    description="404 while no requirement has a follow-up entry yet.",
)
def get_strategy(request: HttpRequest, key: UUID) -> Strategy:
    return _current_strategy(access.procurement_for(request.user, key))


@router.patch("/procurements/{key}/strategy", response=StrategyOut, summary="Change the strategy's general part")
def update_strategy(request: HttpRequest, key: UUID, payload: StrategyPatch) -> Strategy:
    procurement = access.procurement_for(request.user, key, change=True)
    current = policy.current_strategy(procurement)
    values: dict[str, Any] = {
        "kickoff_meeting": current.kickoff_meeting if current else True,
        "supplier_must_participate": current.supplier_must_participate if current else True,
        "during_procurement": current.during_procurement if current else "",
        "notes": current.notes if current else "",
    }
    values.update(payload.dict(exclude_unset=True))
    services.strategy_update(actor=actor(request), procurement=procurement, **values)
    return _current_strategy(procurement)


@router.get("/procurements/{key}/strategy/versions", response=list[StrategySummary], summary="Every strategy version")
@paginate(LimitOffsetPagination)
def list_strategy_versions(request: HttpRequest, key: UUID) -> QuerySet[Strategy]:
    procurement = access.procurement_for(request.user, key)
    return procurement.strategies.select_related("created_by", "submitted_by", "approved_by").order_by("-number")


@router.get("/procurements/{key}/strategy/versions/{number}", response=StrategyOut, summary="One strategy version")
def get_strategy_version(request: HttpRequest, key: UUID, number: int) -> Strategy:
    strategy = _strategies(access.procurement_for(request.user, key)).filter(number=number).first()
    if strategy is None:
        raise Http404
    return strategy


@router.put(
    "/procurements/{key}/strategy/entries/{requirement_key}",
    response=EntryOut,
    summary="Say how, when and by whom a requirement is followed up",
    description="A submitted or approved version is never changed: the change goes into a new draft version.",
)
def set_strategy_entry(request: HttpRequest, key: UUID, requirement_key: UUID, payload: EntryIn) -> StrategyEntry:
    procurement = access.procurement_for(request.user, key, change=True)
    requirement = procurement.requirements.filter(uuid=requirement_key, removed=False).first()
    if requirement is None:
        raise Http404
    data = payload.dict()
    unit_key = data.pop("responsible_unit")
    entry = services.strategy_entry_set(
        actor=actor(request),
        procurement=procurement,
        requirement=requirement,
        responsible_unit=access.unit_for(request.user, unit_key) if unit_key else None,
        **data,
    )
    return StrategyEntry.objects.select_related("requirement", "responsible_unit").get(pk=entry.pk)


@router.post(
    "/procurements/{key}/strategy/submit",
    response=StrategyOut,
    summary="Send the draft for approval",
    description="Everything but the approval must be in place; "
    'otherwise 409 "strategy_incomplete" with details.missing.',
)
def submit_strategy(request: HttpRequest, key: UUID) -> Strategy:
    procurement = access.procurement_for(request.user, key, change=True)
    services.strategy_submit(actor=actor(request), procurement=procurement)
    return _current_strategy(procurement)


@router.post(
    "/procurements/{key}/strategy/approve",
    response=StrategyOut,
    summary="Approve the submitted strategy (a second person)",
    description="Four eyes: the person who submitted the strategy cannot approve it (403).",
)
def approve_strategy(request: HttpRequest, key: UUID) -> Strategy:
    # The service checks the right to approve strategies, which is not the right to plan.
    procurement = access.procurement_for(request.user, key)
    services.strategy_approve(actor=actor(request), procurement=procurement)
    return _current_strategy(procurement)


@router.post("/procurements/{key}/strategy/return", response=StrategyOut, summary="Send the strategy back to draft")
def return_strategy(request: HttpRequest, key: UUID, payload: ReturnIn) -> Strategy:
    procurement = access.procurement_for(request.user, key)
    services.strategy_return(actor=actor(request), procurement=procurement, comment=payload.comment)
    return _current_strategy(procurement)
