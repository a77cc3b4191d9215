"""The supplier registry over the API. The same services as the UI do the work."""

import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.errors import NotAllowedError
from kravspar.suppliers import selectors, services
from kravspar.suppliers.models import Supplier

router = Router(tags=["suppliers"])


class SupplierOut(Schema):
    uuid: UUID
    name: str
    org_number: str
    foreign_id: str
    country: str
    vat_number: str
    peppol_scheme: str
    peppol_value: str
    street_address: str
    postal_code: str
    city: str
    county: str
    municipality: str
    size_class: str
    sector: str
    collective_agreement: str
    collective_agreement_name: str
    f_tax: bool | None
    source: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SupplierIn(Schema):
    name: str
    org_number: str = ""
    foreign_id: str = ""
    country: str = "SE"
    vat_number: str = ""
    peppol_scheme: str = ""
    peppol_value: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    county: str = ""
    municipality: str = ""
    size_class: str = ""
    sector: str = ""
    collective_agreement: str = ""
    collective_agreement_name: str = ""
    f_tax: bool | None = None


class SupplierPatch(Schema):
    version: int | None = Field(None, description="The version you read; a 409 tells you someone changed it since.")
    name: str | None = None
    org_number: str | None = None
    foreign_id: str | None = None
    country: str | None = None
    vat_number: str | None = None
    peppol_scheme: str | None = None
    peppol_value: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    county: str | None = None
    municipality: str | None = None
    size_class: str | None = None
    sector: str | None = None
    collective_agreement: str | None = None
    collective_agreement_name: str | None = None
    f_tax: bool | None = None


class SupplierFilters(Schema):
    q: str = Field("", description="Search name or organisation number")
    size_class: str = ""
    county: str = ""
    collective_agreement: str = ""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every call
    return user


@router.get("/suppliers", response=list[SupplierOut], summary="The supplier registry")
@paginate(LimitOffsetPagination)
def list_suppliers(request: HttpRequest, filters: Query[SupplierFilters]) -> QuerySet[Supplier]:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    return selectors.supplier_search(selectors.suppliers_visible_to(request.user), **filters.dict())


@router.post("/suppliers", response={201: SupplierOut}, summary="Register a supplier (Inköp)")
def create_supplier(request: HttpRequest, payload: SupplierIn) -> tuple[int, Supplier]:
    user = _user(request)
    if not access.has_perm(user, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()
    return 201, services.supplier_create(actor=user, **payload.dict())


@router.get("/suppliers/{key}", response=SupplierOut)
def get_supplier(request: HttpRequest, key: UUID) -> Supplier:
    return selectors.supplier_for(request.user, key)


@router.patch("/suppliers/{key}", response=SupplierOut, summary="Change a supplier (Inköp)")
def update_supplier(request: HttpRequest, key: UUID, payload: SupplierPatch) -> Supplier:
    user = _user(request)
    supplier = selectors.supplier_for(user, key, change=True)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    for name, value in list(changes.items()):
        if value is None and name != "f_tax":
            changes[name] = ""
    return services.supplier_update(actor=user, supplier=supplier, expected_version=version, **changes)
