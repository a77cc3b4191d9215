"""Organisations and units over the API. The same services as the UI do the work."""

import datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.organisations import services
from kravspar.organisations.models import Organisation, Unit

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    uuid: UUID
    kind: str
    name: str
    org_number: str
    parent: UUID | None = Field(None, alias="parent.uuid")
    peppol_scheme: str
    peppol_value: str
    vat_number: str
    street_address: str
    postal_code: str
    city: str
    county: str
    is_active: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OrganisationIn(Schema):
    kind: str
    name: str
    org_number: str
    parent: UUID | None = None
    peppol_scheme: str = "0007"
    peppol_value: str = ""
    vat_number: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    county: str = ""


class OrganisationPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    kind: str | None = None
    name: str | None = None
    org_number: str | None = None
    parent: UUID | None = None
    peppol_scheme: str | None = None
    peppol_value: str | None = None
    vat_number: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    county: str | None = None
    is_active: bool | None = None


class UnitOut(Schema):
    uuid: UUID
    organisation: UUID = Field(..., alias="organisation.uuid")
    name: str
    kind: str
    description: str
    serves: list[UUID]
    is_active: bool
    version: int

    @staticmethod
    def resolve_serves(obj: Unit) -> list[UUID]:
        return [o.uuid for o in obj.serves.all()]


class UnitIn(Schema):
    name: str
    kind: str = "ordering"
    description: str = ""
    serves: list[UUID] = []


class UnitPatch(Schema):
    version: int | None = None
    name: str | None = None
    kind: str | None = None
    description: str | None = None
    serves: list[UUID] | None = None
    is_active: bool | None = None


class OrganisationFilters(Schema):
    q: str = Field("", description="Search name, city or organisation number")
    kind: str = ""
    county: str = ""
    active: bool | None = None


def _parent(request: HttpRequest, key: UUID | None) -> Organisation | None:
    return access.organisation_for(request.user, key) if key else None


def _organisations(request: HttpRequest, keys: list[UUID]) -> list[Organisation]:
    return [access.organisation_for(request.user, k) for k in keys]


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations you can see")
@paginate(LimitOffsetPagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> QuerySet[Organisation]:
    qs = access.organisations_visible_to(request.user).select_related("parent").order_by("name")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(city__icontains=filters.q)
            | Q(org_number__startswith=filters.q.replace("-", ""))
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.county:
        qs = qs.filter(county=filters.county)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs


@router.post("/organisations", response={201: OrganisationOut}, summary="Register an organisation (administrators)")
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> tuple[int, Organisation]:
    data = payload.dict()
    data["parent"] = _parent(request, data.pop("parent"))
    return 201, services.organisation_create(actor=request.user, **data)  # type: ignore[arg-type]


@router.get("/organisations/{key}", response=OrganisationOut)
def get_organisation(request: HttpRequest, key: UUID) -> Organisation:
    return access.organisation_for(request.user, key)


@router.patch("/organisations/{key}", response=OrganisationOut, summary="Change an organisation (administrators)")
def update_organisation(request: HttpRequest, key: UUID, payload: OrganisationPatch) -> Organisation:
    org = access.organisation_for(request.user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    active = changes.pop("is_active", None)
    if "parent" in changes:
        changes["parent"] = _parent(request, changes["parent"])
    if changes:
        org = services.organisation_update(actor=request.user, organisation=org, expected_version=version, **changes)  # type: ignore[arg-type]
    if active is not None:
        # The version the client sent guards the switch too, unless the fields' change just
        # used it (and bumped it) in this same request.
        org = services.organisation_set_active(
            actor=request.user,  # type: ignore[arg-type]
            organisation=org,
            active=active,
            expected_version=None if changes else version,
        )
    return access.organisation_for(request.user, key)


@router.get("/organisations/{key}/units", response=list[UnitOut], summary="Units of an organisation")
@paginate(LimitOffsetPagination)
def list_units(request: HttpRequest, key: UUID) -> QuerySet[Unit]:
    org = access.organisation_for(request.user, key)
    return org.units.select_related("organisation").prefetch_related("serves").order_by("name")


@router.post("/organisations/{key}/units", response={201: UnitOut}, summary="Create a unit (administrators)")
def create_unit(request: HttpRequest, key: UUID, payload: UnitIn) -> tuple[int, Unit]:
    org = access.organisation_for(request.user, key, change=True)
    unit = services.unit_create(
        actor=request.user,  # type: ignore[arg-type]
        organisation=org,
        name=payload.name,
        kind=payload.kind,
        description=payload.description,
        serves=_organisations(request, payload.serves),
    )
    return 201, unit


@router.get("/units/{key}", response=UnitOut)
def get_unit(request: HttpRequest, key: UUID) -> Unit:
    return access.unit_for(request.user, key)


@router.patch("/units/{key}", response=UnitOut, summary="Change a unit (administrators)")
def update_unit(request: HttpRequest, key: UUID, payload: UnitPatch) -> Unit:
    unit = access.unit_for(request.user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    active = changes.pop("is_active", None)
    serves = changes.pop("serves", None)
    if changes or serves is not None:
        services.unit_update(
            actor=request.user,  # type: ignore[arg-type]
            unit=unit,
            expected_version=version,
            serves=_organisations(request, serves) if serves is not None else None,
            **changes,
        )
    if active is not None:
        services.unit_set_active(
            actor=request.user,  # type: ignore[arg-type]
            unit=unit,
            active=active,
            expected_version=None if (changes or serves is not None) else version,
        )
    return access.unit_for(request.user, key)
