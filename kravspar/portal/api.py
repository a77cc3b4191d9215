"""The supplier portal over the API, for supplier contacts only: their own supplier's
contracts, deviations (with the response to the action plan), evidence library and
subcontractor declarations. Buyers get 403; another supplier's objects are 404."""

import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract
from kravspar.findings import services as findings_services
from kravspar.findings.models import Deviation
from kravspar.portal import access, selectors, services
from kravspar.portal.models import SubcontractorDeclaration, SupplierDocument
from kravspar.portal.views import file_response
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import DownloadKind

router = Router(tags=["Supplier portal"])


def _contact(request: HttpRequest) -> User:
    access.supplier_of(request.user)  # 403 for everyone but a supplier contact
    assert isinstance(request.user, User)
    return request.user


class PortalContractOut(Schema):
    uuid: UUID
    contract_number: str
    title: str
    status: str
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date
    buyers: list[str]

    @staticmethod
    def resolve_buyers(obj: Contract) -> list[str]:
        return [b.name for b in obj.buyers.all()]


class PortalPlanOut(Schema):
    status: str
    agreed_on: datetime.date
    deadline: datetime.date
    supplier_response: str
    actions: list[str]

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        return [i.text for i in obj.items.all()]


class PortalDeviationOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    contract_number: str = Field(..., alias="contract.contract_number")
    severity: str
    title: str
    description: str
    status: str
    raised_on: datetime.date
    deadline: datetime.date | None
    version: int = Field(..., description="Send it back with a response; a 409 tells you someone changed it since.")
    action_plan: PortalPlanOut | None = None

    @staticmethod
    def resolve_action_plan(obj: Deviation) -> Any:
        return obj.current_plan()


class ResponseIn(Schema):
    version: int | None = Field(None, description="The deviation's version you read.")
    supplier_response: str


class DocumentOut(Schema):
    uuid: UUID
    kind: str
    title: str
    issuer: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    withdrawn: bool
    expired: bool
    expires_in_days: int | None
    stale: bool
    download_url: str

    @staticmethod
    def resolve_withdrawn(obj: Any) -> bool:
        return obj.withdrawn_at is not None

    @staticmethod
    def resolve_expires_in_days(obj: Any) -> int | None:
        return obj.expires_in

    @staticmethod
    def resolve_download_url(obj: SupplierDocument) -> str:
        return reverse("api:portal_document_file", kwargs={"key": obj.uuid})


class DocumentIn(Schema):
    kind: str = Field(..., description="certificate, governing or other")
    title: str
    issuer: str = ""
    valid_from: datetime.date
    valid_until: datetime.date | None = None


class DeclarationOut(Schema):
    uuid: UUID
    contract: UUID = Field(..., alias="contract.uuid")
    contract_number: str = Field(..., alias="contract.contract_number")
    name: str
    org_number: str
    country: str
    role: str
    collective_agreement: str
    status: str
    review_comment: str


class DeclarationIn(Schema):
    contract: UUID
    name: str
    org_number: str = ""
    country: str = "SE"
    role: str
    collective_agreement: str = ""


@router.get("/portal/contracts", response=list[PortalContractOut], summary="Your supplier's contracts")
@paginate(LimitOffsetPagination)
def list_contracts(request: HttpRequest) -> QuerySet[Contract]:
    user = _contact(request)
    return access.contracts_of_supplier(user).prefetch_related("buyers").order_by("-signed_on", "contract_number")


def _deviations(user: User) -> QuerySet[Deviation]:
    return (
        access.deviations_of_supplier(user)
        .select_related("contract")
        .prefetch_related("action_plans__items")
        .order_by("-raised_on", "-id")
    )


@router.get("/portal/deviations", response=list[PortalDeviationOut], summary="Deviations that concern your supplier")
@paginate(LimitOffsetPagination)
def list_deviations(request: HttpRequest) -> QuerySet[Deviation]:
    return _deviations(_contact(request))


@router.get("/portal/deviations/{key}", response=PortalDeviationOut)
def get_deviation(request: HttpRequest, key: UUID) -> Deviation:
    user = _contact(request)
    access.deviation_for_supplier(user, key)
    return _deviations(user).get(uuid=key)


@router.post(
    "/portal/deviations/{key}/response",
    response=PortalDeviationOut,
    summary="Send your response to the current action plan",
)
def respond(request: HttpRequest, key: UUID, payload: ResponseIn) -> Deviation:
    user = _contact(request)
    deviation = access.deviation_for_supplier(user, key)
    findings_services.action_plan_record_response(
        actor=user, deviation=deviation, expected_version=payload.version, supplier_response=payload.supplier_response
    )
    return _deviations(user).get(pk=deviation.pk)


@router.get("/portal/documents", response=list[DocumentOut], summary="Your supplier's evidence library")
def list_documents(request: HttpRequest) -> list[Any]:
    user = _contact(request)
    return list(selectors.library_with_flags(access.documents_of_supplier(user), include_withdrawn=True))


@router.post("/portal/documents", response={201: DocumentOut}, summary="Upload a document to the library (multipart)")
def upload_document(request: HttpRequest, payload: Form[DocumentIn], file: File[UploadedFile]) -> tuple[int, Any]:
    user = _contact(request)
    document = services.document_add(actor=user, upload=file, **payload.dict())
    flagged = next(iter(selectors.library_with_flags(SupplierDocument.objects.filter(pk=document.pk))))
    return 201, flagged


@router.get("/portal/documents/{key}/file", url_name="portal_document_file", summary="Download a library file")
def download_document(request: HttpRequest, key: UUID) -> FileResponse:
    user = _contact(request)
    document = access.document_for(user, key)
    secrecy.download_logged(
        user=user, kind=DownloadKind.SUPPLIER_DOCUMENT, item=document, file_name=document.original_name
    )
    return file_response(document)


@router.get(
    "/portal/subcontractor-declarations", response=list[DeclarationOut], summary="Your subcontractor declarations"
)
@paginate(LimitOffsetPagination)
def list_declarations(request: HttpRequest) -> QuerySet[SubcontractorDeclaration]:
    user = _contact(request)
    return access.declarations_of_supplier(user).select_related("contract").order_by("-created_at", "-id")


@router.post(
    "/portal/subcontractor-declarations",
    response={201: DeclarationOut},
    summary="Declare a subcontractor on one of your contracts",
)
def declare(request: HttpRequest, payload: DeclarationIn) -> tuple[int, SubcontractorDeclaration]:
    user = _contact(request)
    contract = access.contract_for_supplier(user, payload.contract)
    data = payload.dict()
    data.pop("contract")
    declaration = services.declaration_submit(actor=user, contract=contract, **data)
    return 201, declaration
