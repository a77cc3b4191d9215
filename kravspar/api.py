"""The REST API at /api/v1/, documented at /api/v1/openapi.json.

Every error has one shape: {"code": ..., "message": ..., "details": ...}.
Clients authenticate with a personal token (``Authorization: Bearer <token>``); the
browser's session works too, with CSRF protection for changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.views import openapi_json
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from kravspar.accounts.models import User
from kravspar.accounts.services import api_token_authenticate
from kravspar.core.errors import DomainError


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The interactive docs need a login in production (security finding); in development
    (KRAVSPAR_API_DOCS_PUBLIC, on with DEBUG) they are open. The schema itself stays public:
    integrators and the open-data users read it without an account."""
    if getattr(view, "func", None) is openapi_json:
        return view
    protected = login_required(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.KRAVSPAR_API_DOCS_PUBLIC or settings.DEBUG:
            return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def _refuse_nul(value: Any, loc: list[str | int]) -> None:
    """Raise the API's validation error at the first text holding a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            raise NinjaValidationError(
                [
                    {
                        "type": "nul_character",
                        "loc": loc,
                        "msg": _("The text holds a NUL character (0x00), which cannot be stored; remove it."),
                    }
                ]
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, loc)
            _refuse_nul(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, [*loc, index])


class NulRefusingParser(Parser):
    """JSON bodies, query strings and form fields with a NUL character (0x00) anywhere are
    refused as an invalid request (422), before any schema or service sees them.

    Why here: PostgreSQL can neither store nor compare text holding a NUL, so such a value
    reached the database as a 500 (SQLite stored it). Django's form fields refuse NUL for
    the pages; this is the same rule for the API, in the one place every request passes."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        _refuse_nul(data, ["body"])
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result, [])
        return result


api = NinjaAPI(
    title="Kravspår API",
    version="1",
    description="Contract follow-up and supplier audit. Authenticate with `Authorization: Bearer <token>`; "
    "create a token on your account page or with `python manage.py create_api_token USERNAME`.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=docs_login_required,
    parser=NulRefusingParser(),
)


def error_response(
    request: HttpRequest, status: int, code: str, message: Any, details: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details or {}}, status=status
    )


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return error_response(request, 422, "invalid_request", _("The request is not valid."), {"errors": exc.errors})


@api.exception_handler(DjangoValidationError)
def _invalid_data(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    details = {"fields": exc.message_dict} if hasattr(exc, "error_dict") else {"errors": exc.messages}
    return error_response(request, 400, "invalid", " ".join(exc.messages), details)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", _("Log in or send a valid API token."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", _("You do not have permission to do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises this when the body is read beyond DATA_UPLOAD_MAX_MEMORY_SIZE; unhandled
    # it became a 500 (security test finding).
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request,
        413,
        "request_too_large",
        _("The request is larger than %(size)s kB.") % {"size": (limit or 0) // 1024},
        {"max_bytes": limit},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NinjaValidationError):
        # django-ninja turns every exception of the body parser into "Cannot parse request
        # body"; the parser's own refusal (a NUL character) keeps its words and shape.
        return _invalid_request(request, exc.__cause__)
    return error_response(request, exc.status_code, "error", exc.message)


api.add_router("/", "kravspar.organisations.api.router")
api.add_router("/", "kravspar.cpv.api.router")
api.add_router("/", "kravspar.procurements.api.router")
api.add_router("/", "kravspar.requirements.api.router")
api.add_router("/", "kravspar.contracts.api.router")
api.add_router("/", "kravspar.suppliers.api.router")
api.add_router("/", "kravspar.followups.api.router")
api.add_router("/", "kravspar.findings.api.router")
api.add_router("/", "kravspar.supplierinfo.api.router")
api.add_router("/", "kravspar.portal.api.router")
api.add_router("/", "kravspar.questionnaires.api.router")
api.add_router("/", "kravspar.reports.api.router")
api.add_router("/", "kravspar.opendata.api.router")
api.add_router("/", "kravspar.invoices.api.router")
api.add_router("/", "kravspar.spend.api.router")
api.add_router("/", "kravspar.notices.api.router")
api.add_router("/", "kravspar.labour.api.router")
