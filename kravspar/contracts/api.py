"""Contracts and subcontractors over the API. The same services as the UI do the work."""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.contracts import selectors, services
from kravspar.contracts.api_json import contract_page_json
from kravspar.contracts.models import Contract, ContractExtension, ContractRequirement, Subcontractor
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier
from kravspar.suppliers.selectors import supplier_for

router = Router(tags=["contracts"])


class PartyOut(Schema):
    uuid: UUID
    name: str


class ExtensionOut(Schema):
    number: int
    months: int
    decided_on: datetime.date


class RequirementOut(Schema):
    uuid: UUID
    title: str
    type: str
    text: str
    level: str
    binds_subcontractors: bool
    aims: list[int]
    methods: list[str]
    timing: str
    interval_months: int | None
    at_months: list[int]
    responsible: str
    responsible_unit: UUID | None = Field(None, alias="responsible_unit.uuid")
    environment_specialist: bool


class ContractOut(Schema):
    uuid: UUID
    contract_number: str
    title: str
    diary_number: str
    procurement: UUID | None = Field(None, alias="procurement.uuid")
    suppliers: list[PartyOut]
    buyers: list[PartyOut]
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date
    effective_end: datetime.date
    extension_options: int
    extension_months: int
    extensions_used: int
    value: Decimal | None
    fine_per_week: Decimal | None
    fine_cap_weeks: int | None
    termination_grounds: str
    status: str
    ended_on: datetime.date | None
    end_reason: str
    strategy_missing: bool
    strategy_version: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_suppliers(obj: Contract) -> list[Supplier]:
        return list(obj.suppliers.all())

    @staticmethod
    def resolve_buyers(obj: Contract) -> list[Organisation]:
        return list(obj.buyers.all())

    @staticmethod
    def resolve_effective_end(obj: Contract) -> datetime.date:
        return selectors.effective_end(obj)

    @staticmethod
    def resolve_extensions_used(obj: Contract) -> int:
        return selectors.extensions_used(obj)


class ContractDetailOut(ContractOut):
    extensions: list[ExtensionOut]
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_extensions(obj: Contract) -> list[ContractExtension]:
        return list(obj.extensions.all())

    @staticmethod
    def resolve_requirements(obj: Contract) -> list[ContractRequirement]:
        return list(obj.requirements.all())


class ContractIn(Schema):
    procurement: UUID | None = Field(None, description="Empty to register a contract directly (strategy missing).")
    contract_number: str
    title: str
    diary_number: str = Field("", description="The region's case management number; checked against the buyers' rule.")
    suppliers: list[UUID]
    buyers: list[UUID]
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date
    extension_options: int = 0
    extension_months: int = 0
    value: Decimal | None = None
    fine_per_week: Decimal | None = None
    fine_cap_weeks: int | None = None
    termination_grounds: str = ""


class ContractPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    contract_number: str | None = None
    title: str | None = None
    diary_number: str | None = None
    suppliers: list[UUID] | None = None
    buyers: list[UUID] | None = None
    signed_on: datetime.date | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    extension_options: int | None = None
    extension_months: int | None = None
    value: Decimal | None = None
    fine_per_week: Decimal | None = None
    fine_cap_weeks: int | None = None
    termination_grounds: str | None = None
    status: str | None = Field(None, description="expired or terminated (with status_reason)")
    status_reason: str = ""


class ExtensionIn(Schema):
    decided_on: datetime.date
    version: int | None = None


class VersionIn(Schema):
    version: int | None = None


class LinkProcurementIn(Schema):
    procurement: UUID
    version: int | None = None


class SubcontractorOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    supplier: UUID = Field(..., alias="supplier.uuid")
    name: str
    org_number: str
    country: str
    role: str
    collective_agreement: str
    is_active: bool
    version: int


class SubcontractorIn(Schema):
    supplier: UUID
    name: str
    org_number: str = ""
    country: str = "SE"
    role: str
    collective_agreement: str = ""


class SubcontractorPatch(Schema):
    version: int | None = None
    name: str | None = None
    org_number: str | None = None
    country: str | None = None
    role: str | None = None
    collective_agreement: str | None = None
    is_active: bool | None = None


class ContractFilters(Schema):
    q: str = Field("", description="Search contract number, title or supplier name")
    organisation: UUID | None = None
    supplier: UUID | None = None
    status: str = ""
    strategy_missing: bool = False


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every call
    return user


def _suppliers(request: HttpRequest, keys: list[UUID]) -> list[Supplier]:
    return [supplier_for(request.user, k) for k in keys]


def _buyers(request: HttpRequest, keys: list[UUID]) -> list[Organisation]:
    return [access.organisation_for(request.user, k) for k in keys]


def _detail(request: HttpRequest, key: UUID) -> Contract:
    return selectors.contract_detail_queryset(access.contract_for(request.user, key))


# The list's page, declared as ninja's @paginate(LimitOffsetPagination) declares it (the same
# name, fields, parameters and so the same OpenAPI document, which a test pins), so that the
# view can serialise rows itself: validating a hundred model instances through pydantic took
# eight times the list's SQL (issue 15).
PagedContractOut = type(
    "PagedContractOut", (LimitOffsetPagination.Output,), {"__annotations__": {"items": list[ContractOut]}}
)


@router.get("/contracts", response=PagedContractOut, summary="List contracts you can see")
def list_contracts(
    request: HttpRequest, filters: Query[ContractFilters], pagination: Query[LimitOffsetPagination.Input]
) -> HttpResponse:
    qs = selectors.contract_list(
        request.user,
        q=filters.q,
        organisation=access.organisation_for(request.user, filters.organisation) if filters.organisation else None,
        supplier=supplier_for(request.user, filters.supplier) if filters.supplier else None,
        status=filters.status,
        strategy_missing=filters.strategy_missing,
    ).prefetch_related(None)
    from kravspar.api import api  # the API imports this module's router

    # Rows straight to JSON bytes: ContractOut's keys and order (``api_json``).
    body = contract_page_json(qs, pagination.offset, pagination.limit)
    return HttpResponse(body, status=200, content_type=api.get_content_type())


@router.post("/contracts", response={201: ContractDetailOut}, summary="Register a contract (Inköp)")
def create_contract(request: HttpRequest, payload: ContractIn) -> tuple[int, Contract]:
    user = _user(request)
    data = payload.dict()
    procurement_key = data.pop("procurement")
    data["suppliers"] = _suppliers(request, data["suppliers"])
    data["buyers"] = _buyers(request, data["buyers"])
    if procurement_key:
        procurement = access.procurement_for(user, procurement_key)
        contract = services.contract_create_from_procurement(actor=user, procurement=procurement, **data)
    else:
        contract = services.contract_register_direct(actor=user, **data)
    return 201, _detail(request, contract.uuid)


@router.get("/contracts/{key}", response=ContractDetailOut)
def get_contract(request: HttpRequest, key: UUID) -> Contract:
    return _detail(request, key)


@router.patch("/contracts/{key}", response=ContractDetailOut, summary="Change a contract (Inköp)")
def update_contract(request: HttpRequest, key: UUID, payload: ContractPatch) -> Contract:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    status = changes.pop("status", None)
    reason = changes.pop("status_reason", "")
    if "suppliers" in changes:
        changes["suppliers"] = _suppliers(request, changes["suppliers"] or [])
    if "buyers" in changes:
        changes["buyers"] = _buyers(request, changes["buyers"] or [])
    if changes:
        contract = services.contract_update(actor=user, contract=contract, expected_version=version, **changes)
        version = None
    if status is not None and status != contract.status:
        services.contract_set_status(actor=user, contract=contract, to=status, reason=reason, expected_version=version)
    return _detail(request, key)


@router.post(
    "/contracts/{key}/extensions", response={201: ContractDetailOut}, summary="Use the next extension option (Inköp)"
)
def use_extension(request: HttpRequest, key: UUID, payload: ExtensionIn) -> tuple[int, Contract]:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    services.contract_use_extension(
        actor=user, contract=contract, decided_on=payload.decided_on, expected_version=payload.version
    )
    return 201, _detail(request, key)


@router.post(
    "/contracts/{key}/adopt-strategy",
    response=ContractDetailOut,
    summary="Adopt the procurement's approved strategy and make the plan (a contract flagged strategy missing)",
)
def adopt_strategy(request: HttpRequest, key: UUID, payload: VersionIn) -> Contract:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    services.contract_adopt_strategy(actor=user, contract=contract, expected_version=payload.version)
    return _detail(request, key)


@router.post(
    "/contracts/{key}/procurement",
    response=ContractDetailOut,
    summary="Tie a directly registered contract to its awarded or concluded procurement",
)
def link_procurement(request: HttpRequest, key: UUID, payload: LinkProcurementIn) -> Contract:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    procurement = access.procurement_for(user, payload.procurement)
    services.contract_link_procurement(
        actor=user, contract=contract, procurement=procurement, expected_version=payload.version
    )
    return _detail(request, key)


@router.get(
    "/contracts/{key}/subcontractors",
    response=list[SubcontractorOut],
    summary="Subcontractors of a contract (confidential: buyer staff who see the contract)",
)
@paginate(LimitOffsetPagination)
def list_subcontractors(request: HttpRequest, key: UUID) -> QuerySet[Subcontractor]:
    contract = access.contract_for(request.user, key)
    return contract.subcontractors.select_related("contract", "supplier").order_by("name")


@router.post("/contracts/{key}/subcontractors", response={201: SubcontractorOut}, summary="Add a subcontractor")
def create_subcontractor(request: HttpRequest, key: UUID, payload: SubcontractorIn) -> tuple[int, Subcontractor]:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    data = payload.dict()
    supplier = supplier_for(user, data.pop("supplier"))
    return 201, services.subcontractor_add(actor=user, contract=contract, supplier=supplier, **data)


@router.patch("/subcontractors/{key}", response=SubcontractorOut, summary="Change or deactivate a subcontractor")
def update_subcontractor(request: HttpRequest, key: UUID, payload: SubcontractorPatch) -> Subcontractor:
    user = _user(request)
    sub = selectors.subcontractor_for(user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    active = changes.pop("is_active", None)
    if changes:
        sub = services.subcontractor_update(actor=user, subcontractor=sub, expected_version=version, **changes)
    if active is not None:
        sub = services.subcontractor_set_active(actor=user, subcontractor=sub, active=active)
    return selectors.subcontractor_for(user, key)
