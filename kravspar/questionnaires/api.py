"""Requests to suppliers and questionnaire templates over the API, mounted at /api/v1/.

Buyers (who may record the follow-up) create, send, accept and send back requests; supplier
contacts list their own supplier's requests, save a draft and submit. Answers are keyed by
the question's uuid; validation errors are keyed by ``q_<question uuid hex>``. A file answer
is uploaded on its own (multipart) to /requests/{key}/files/{question}; saving a draft keeps
the saved files unless their answer is sent empty."""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.questionnaires import selectors, services
from kravspar.questionnaires.models import Question, Questionnaire, QuestionType, Submission, SupplierRequest
from kravspar.suppliers.models import Supplier

router = Router(tags=["Requests to suppliers"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class QuestionOut(Schema):
    uuid: UUID
    position: int
    text: str
    help_text: str
    type: str
    required: bool
    options: list[str]
    show_if_question: UUID | None = Field(None, alias="show_if_question.uuid")
    show_if_value: str


class QuestionnaireOut(Schema):
    uuid: UUID
    title: str
    requirement_type: str
    description: str
    active: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Questionnaire) -> list[Question]:
        return list(obj.questions.all())


class SubmissionOut(Schema):
    number: int
    answers: dict[str, Any]
    submitted_at: datetime.datetime
    decision: str
    comment: str
    reviewed_at: datetime.datetime | None


class RequestOut(Schema):
    uuid: UUID
    title: str
    kind: str
    status: str
    deadline: datetime.date
    message: str
    contract: UUID = Field(..., alias="contract.uuid")
    contract_number: str = Field(..., alias="contract.contract_number")
    supplier: UUID = Field(..., alias="supplier.uuid")
    supplier_name: str = Field(..., alias="supplier.name")
    sent_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    cancel_reason: str
    version: int


class RequestDetailOut(RequestOut):
    activity: UUID | None = Field(None, description="The follow-up activity (buyers only).")
    questionnaire: QuestionnaireOut
    answers: dict[str, Any] = Field(..., description="The saved draft answers, by question uuid.")
    response_version: int = Field(..., description="Send it back when saving or submitting the answers.")
    submissions: list[SubmissionOut]

    @staticmethod
    def resolve_activity(obj: SupplierRequest, context: Any) -> UUID | None:
        if selectors.is_supplier_contact(context["request"].user):
            return None
        return obj.activity.uuid

    @staticmethod
    def resolve_answers(obj: SupplierRequest) -> dict[str, Any]:
        answers: dict[str, Any] = obj.response.answers
        return answers

    @staticmethod
    def resolve_response_version(obj: SupplierRequest) -> int:
        return obj.response.version

    @staticmethod
    def resolve_submissions(obj: SupplierRequest) -> list[Submission]:
        return list(obj.submissions.order_by("number"))


class RequestIn(Schema):
    activity: UUID
    kind: str = Field(..., description="self_assessment, documents, subcontractors or action_plan")
    title: str
    deadline: datetime.date
    supplier: UUID | None = Field(None, description="Defaults to the contract's only supplier.")
    template: UUID | None = Field(None, description="A questionnaire template to copy.")
    message: str = ""


class VersionIn(Schema):
    version: int | None = Field(None, description="The request's version you read; 409 if it changed since.")


class AcceptIn(VersionIn):
    comment: str = ""
    complete_activity: bool = Field(True, description="Also mark the follow-up done as compliant.")


class CompletionIn(VersionIn):
    comment: str
    deadline: datetime.date | None = None


class DraftIn(Schema):
    version: int | None = Field(None, description="The response_version you read; 409 if it changed since.")
    answers: dict[str, Any] = Field(..., description="By question uuid. A file answer omitted keeps the saved file.")


class SubmitIn(Schema):
    version: int | None = Field(None, description="The response_version you read.")


class RequestFilters(Schema):
    status: str = ""
    overdue: bool = False
    contract: UUID | None = None
    supplier: UUID | None = None
    q: str = ""


def _detail(request: HttpRequest, supplier_request: SupplierRequest) -> SupplierRequest:
    """The request, read again after a change, for RequestDetailOut."""
    return _get(request, supplier_request.uuid)


def _get(request: HttpRequest, key: UUID, *, change: bool = False) -> SupplierRequest:
    if selectors.is_supplier_contact(request.user):
        if change:
            raise PermissionDenied
        return selectors.request_for_supplier(request.user, key)
    return selectors.request_for_buyer(request.user, key, change=change)


def _supplier_get(request: HttpRequest, key: UUID) -> SupplierRequest:
    if not selectors.is_supplier_contact(request.user):
        # Buyers see the request but never answer for the supplier.
        selectors.request_for_buyer(request.user, key)
        raise PermissionDenied
    return selectors.request_for_supplier(request.user, key)


@router.get("/requests", response=list[RequestOut], summary="List the requests you can see")
@paginate(LimitOffsetPagination)
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> QuerySet[SupplierRequest]:
    contract_id = None
    if filters.contract and not selectors.is_supplier_contact(request.user):
        contract_id = access.contract_for(request.user, filters.contract).pk
    supplier = None
    if filters.supplier:
        supplier = Supplier.objects.filter(uuid=filters.supplier).first()
    qs = selectors.request_list(
        request.user,
        today=timezone.localdate(),
        status=filters.status,
        overdue=filters.overdue,
        supplier=supplier,
        contract_id=contract_id,
        q=filters.q,
    )
    if filters.supplier and supplier is None:
        return qs.none()
    return qs


@router.post("/requests", response={201: RequestDetailOut, **ERRORS}, summary="Create a draft request from a follow-up")
def create_request(request: HttpRequest, payload: RequestIn) -> tuple[int, SupplierRequest]:
    if selectors.is_supplier_contact(request.user):
        raise PermissionDenied
    activity = access.activity_for(request.user, payload.activity, change=True)
    supplier = None
    if payload.supplier:
        supplier = activity.contract.suppliers.filter(uuid=payload.supplier).first()
        if supplier is None:
            raise ValidationError({"supplier": [_("Choose one of the contract's suppliers.")]})
    template = None
    if payload.template:
        template = Questionnaire.objects.filter(uuid=payload.template, is_template=True).first()
    created = services.request_create(
        actor=request.user,  # type: ignore[arg-type]
        activity=activity,
        kind=payload.kind,
        title=payload.title,
        deadline=payload.deadline,
        supplier=supplier,
        template=template,
        message=payload.message,
    )
    return 201, _detail(request, created)


@router.get(
    "/requests/{key}", response={200: RequestDetailOut, **ERRORS}, summary="A request with its questions and answers"
)
def get_request(request: HttpRequest, key: UUID) -> SupplierRequest:
    return _get(request, key)


@router.post("/requests/{key}/send", response={200: RequestDetailOut, **ERRORS}, summary="Send a draft to the supplier")
def send_request(request: HttpRequest, key: UUID, payload: VersionIn) -> SupplierRequest:
    supplier_request = _get(request, key, change=True)
    services.request_send(actor=request.user, supplier_request=supplier_request, expected_version=payload.version)  # type: ignore[arg-type]
    return _get(request, key)


@router.post("/requests/{key}/accept", response={200: RequestDetailOut, **ERRORS}, summary="Accept the latest answers")
def accept_request(request: HttpRequest, key: UUID, payload: AcceptIn) -> SupplierRequest:
    supplier_request = _get(request, key, change=True)
    services.request_accept(
        actor=request.user,  # type: ignore[arg-type]
        supplier_request=supplier_request,
        comment=payload.comment,
        complete_activity=payload.complete_activity,
        expected_version=payload.version,
    )
    return _get(request, key)


@router.post(
    "/requests/{key}/ask-completion", response={200: RequestDetailOut, **ERRORS}, summary="Send the answers back"
)
def ask_completion(request: HttpRequest, key: UUID, payload: CompletionIn) -> SupplierRequest:
    supplier_request = _get(request, key, change=True)
    services.request_ask_completion(
        actor=request.user,  # type: ignore[arg-type]
        supplier_request=supplier_request,
        comment=payload.comment,
        deadline=payload.deadline,
        expected_version=payload.version,
    )
    return _get(request, key)


@router.put(
    "/requests/{key}/draft", response={200: RequestDetailOut, **ERRORS}, summary="Save draft answers (supplier)"
)
def save_draft(request: HttpRequest, key: UUID, payload: DraftIn) -> SupplierRequest:
    supplier_request = _supplier_get(request, key)
    services.response_save(
        actor=request.user,  # type: ignore[arg-type]
        supplier_request=supplier_request,
        answers=payload.answers,
        expected_version=payload.version,
    )
    return _get(request, key)


@router.post("/requests/{key}/submit", response={200: RequestDetailOut, **ERRORS}, summary="Submit the saved answers")
def submit(request: HttpRequest, key: UUID, payload: SubmitIn) -> SupplierRequest:
    supplier_request = _supplier_get(request, key)
    services.request_submit(
        actor=request.user,  # type: ignore[arg-type]
        supplier_request=supplier_request,
        expected_version=payload.version,
    )
    return _get(request, key)


@router.post(
    "/requests/{key}/files/{question_key}",
    response={200: RequestDetailOut, **ERRORS},
    summary="Upload the file answering a file question (supplier; multipart)",
)
def upload_file(
    request: HttpRequest,
    key: UUID,
    question_key: UUID,
    file: File[UploadedFile],
    version: Form[int | None] = None,
) -> SupplierRequest:
    supplier_request = _supplier_get(request, key)
    question = supplier_request.questionnaire.questions.filter(uuid=question_key, type=QuestionType.FILE).first()
    if question is None:
        raise ValidationError({"question": [_("Choose a file question of this request.")]})
    saved = supplier_request.response.answers
    others = {k: v for k, v in saved.items() if not isinstance(v, dict)}
    services.response_save(
        actor=request.user,  # type: ignore[arg-type]
        supplier_request=supplier_request,
        answers=others,
        files={str(question.uuid): file},
        expected_version=version,
    )
    return _get(request, key)


def _require_templates(request: HttpRequest) -> None:
    if selectors.is_supplier_contact(request.user) or not access.has_perm(request.user, Perm.VIEW_CONTRACTS):
        raise PermissionDenied


@router.get("/questionnaire-templates", response=list[QuestionnaireOut], summary="Questionnaire templates")
@paginate(LimitOffsetPagination)
def list_templates(request: HttpRequest, requirement_type: str = "", active: bool = False) -> QuerySet[Questionnaire]:
    _require_templates(request)
    return selectors.templates_for(requirement_type=requirement_type, active_only=active).prefetch_related(
        "questions__show_if_question"
    )


@router.get("/questionnaire-templates/{key}", response={200: QuestionnaireOut, **ERRORS})
def get_template(request: HttpRequest, key: UUID) -> Questionnaire:
    _require_templates(request)
    questionnaire = Questionnaire.objects.filter(uuid=key, is_template=True).first()
    if questionnaire is None:
        raise Http404
    return questionnaire
