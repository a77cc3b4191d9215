"""Requirements of a procurement and the requirement library over the API."""

import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.access import AnyUser
from kravspar.accounts.roles import Perm
from kravspar.procurements.api import KEEP, In, actor
from kravspar.requirements import services
from kravspar.requirements.models import Level, Requirement, RequirementTemplate, RequirementType, VerifiedWhen

router = Router(tags=["requirements"])

AIMS: Any = Field(None, description="Numbers 1–6 of the policy's aims the requirement serves")


class RequirementOut(Schema):
    uuid: UUID
    procurement: UUID = Field(..., alias="procurement.uuid")
    title: str
    type: str
    text: str
    level: str
    criterion_ref: str
    criterion_version: str
    evidence: str
    verified_when: str
    binds_subcontractors: bool
    aims: list[int]
    template: UUID | None = Field(None, alias="template.uuid")
    position: int
    removed: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RequirementFieldsIn(In):
    """Fields left out stay as they are (or come from the template)."""

    title: str = KEEP
    type: RequirementType = KEEP
    text: str = KEEP
    level: Level | Literal[""] = KEEP
    criterion_ref: str = KEEP
    criterion_version: str = KEEP
    evidence: str = KEEP
    verified_when: VerifiedWhen = KEEP
    binds_subcontractors: bool = KEEP
    aims: list[int] = AIMS


class RequirementIn(RequirementFieldsIn):
    """Typed in, or copied from the library with ``template``; fields given override the template's."""

    template: UUID | None = Field(None, description="A requirement template of the library to copy")


class RequirementPatch(RequirementFieldsIn):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")


class RequirementFilters(Schema):
    type: RequirementType | None = None
    include_removed: bool = False


def templates_visible_to(user: AnyUser) -> QuerySet[RequirementTemplate]:
    """The library is shared by every buyer organisation."""
    if not access.has_perm(user, Perm.VIEW_PROCUREMENTS):
        return RequirementTemplate.objects.none()
    return RequirementTemplate.objects.all()


def template_for(user: AnyUser, key: UUID) -> RequirementTemplate:
    template = templates_visible_to(user).filter(uuid=key).first()
    if template is None:
        raise Http404
    return template


def requirement_for(user: AnyUser, key: UUID, *, change: bool = False) -> Requirement:
    """A requirement is visible with its procurement (else 404); changing it needs the
    right to change the procurement (else 403)."""
    requirement = (
        Requirement.objects.filter(uuid=key, procurement__in=access.procurements_visible_to(user))
        .select_related("procurement", "template")
        .first()
    )
    if requirement is None:
        raise Http404
    if change and not access.can_change_procurement(user, requirement.procurement):
        raise PermissionDenied
    return requirement


@router.get("/procurements/{key}/requirements", response=list[RequirementOut], summary="Requirements of a procurement")
@paginate(LimitOffsetPagination)
def list_requirements(request: HttpRequest, key: UUID, filters: Query[RequirementFilters]) -> QuerySet[Requirement]:
    procurement = access.procurement_for(request.user, key)
    qs = procurement.requirements.select_related("procurement", "template").order_by("position", "id")
    if not filters.include_removed:
        qs = qs.filter(removed=False)
    if filters.type:
        qs = qs.filter(type=filters.type)
    return qs


@router.post(
    "/procurements/{key}/requirements",
    response={201: RequirementOut},
    summary="Add a requirement, typed in or from the library",
)
def create_requirement(request: HttpRequest, key: UUID, payload: RequirementIn) -> tuple[int, Requirement]:
    procurement = access.procurement_for(request.user, key, change=True)
    fields: dict[str, Any] = payload.dict(exclude_unset=True)
    template_key = fields.pop("template", None)
    template = template_for(request.user, template_key) if template_key else None
    requirement = services.requirement_add(actor=actor(request), procurement=procurement, template=template, **fields)
    return 201, requirement_for(request.user, requirement.uuid)


@router.get("/requirements/{key}", response=RequirementOut)
def get_requirement(request: HttpRequest, key: UUID) -> Requirement:
    return requirement_for(request.user, key)


@router.patch("/requirements/{key}", response=RequirementOut, summary="Change a requirement")
def update_requirement(request: HttpRequest, key: UUID, payload: RequirementPatch) -> Requirement:
    requirement = requirement_for(request.user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    if changes:
        services.requirement_update(actor=actor(request), requirement=requirement, expected_version=version, **changes)
    return requirement_for(request.user, key)


@router.delete(
    "/requirements/{key}",
    response=RequirementOut,
    summary="Remove a requirement",
    description="The requirement stays readable (removed: true) in the strategy versions that mention it.",
)
def remove_requirement(request: HttpRequest, key: UUID) -> Requirement:
    requirement = requirement_for(request.user, key, change=True)
    services.requirement_remove(actor=actor(request), requirement=requirement)
    return requirement_for(request.user, key)


# --- Library ----------------------------------------------------------------------------


class TemplateOut(Schema):
    uuid: UUID
    title: str
    type: str
    text: str
    level: str
    criterion_ref: str
    criterion_version: str
    evidence: str
    verified_when: str
    binds_subcontractors: bool
    aims: list[int]
    source: str
    is_active: bool
    version: int


class TemplateIn(In):
    title: str
    type: RequirementType
    text: str
    level: Level | Literal[""] = ""
    criterion_ref: str = ""
    criterion_version: str = ""
    evidence: str = ""
    verified_when: VerifiedWhen = VerifiedWhen.AFTER_CONTRACT
    binds_subcontractors: bool = False
    aims: list[int] = AIMS
    source: str = ""


class TemplatePatch(In):
    """Fields left out stay as they are. Requirements already copied keep their text."""

    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    title: str = KEEP
    type: RequirementType = KEEP
    text: str = KEEP
    level: Level | Literal[""] = KEEP
    criterion_ref: str = KEEP
    criterion_version: str = KEEP
    evidence: str = KEEP
    verified_when: VerifiedWhen = KEEP
    binds_subcontractors: bool = KEEP
    aims: list[int] = AIMS
    source: str = KEEP
    is_active: bool = KEEP


class TemplateFilters(Schema):
    q: str = Field("", description="Search title and text")
    type: RequirementType | None = None
    include_inactive: bool = False


@router.get("/requirement-templates", response=list[TemplateOut], summary="The requirement library")
@paginate(LimitOffsetPagination)
def list_templates(request: HttpRequest, filters: Query[TemplateFilters]) -> QuerySet[RequirementTemplate]:
    qs = templates_visible_to(request.user).order_by("type", "title")
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(text__icontains=filters.q))
    if filters.type:
        qs = qs.filter(type=filters.type)
    if not filters.include_inactive:
        qs = qs.filter(is_active=True)
    return qs


@router.post(
    "/requirement-templates", response={201: TemplateOut}, summary="Add a template to the library (library keepers)"
)
def create_template(request: HttpRequest, payload: TemplateIn) -> tuple[int, RequirementTemplate]:
    data = payload.dict()
    data["aims"] = data["aims"] or []
    return 201, services.template_create(actor=actor(request), **data)


@router.get("/requirement-templates/{key}", response=TemplateOut)
def get_template(request: HttpRequest, key: UUID) -> RequirementTemplate:
    return template_for(request.user, key)


@router.patch(
    "/requirement-templates/{key}", response=TemplateOut, summary="Change a library template (library keepers)"
)
def update_template(request: HttpRequest, key: UUID, payload: TemplatePatch) -> RequirementTemplate:
    template = template_for(request.user, key)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    if changes:
        template = services.template_update(
            actor=actor(request), template=template, expected_version=version, **changes
        )
    return template
