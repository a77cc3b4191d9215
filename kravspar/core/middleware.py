from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation


class SwedishFirstLocaleMiddleware:
    """Swedish unless the person chose English with the visible switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a computer set
    up in English would show English; the regions want Swedish as the default of their
    service, with English one click away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every HTML page, and on
    JSON and other non-HTML answers a policy that allows nothing at all: an API answer is
    never a document that should load anything (security test finding)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        content_type = response.headers.get("Content-Type", "")
        if not report_only and parts.config is None and not content_type.startswith("text/html"):
            parts.config = NOTHING_POLICY
        return parts


NOTHING_POLICY: dict[str, Any] = {"default-src": [NONE], "frame-ancestors": [NONE], "base-uri": [NONE]}


class RefuseNulInQueryMiddleware:
    """A page request whose query string or form fields hold a NUL character (``%00``) is
    a bad request (400), before any view reads it.

    Why: PostgreSQL can neither store nor compare text holding a NUL, and some views read a
    search word, a filter or a reason straight from ``request.GET``/``request.POST`` into a
    query or a row, so ``?q=%00`` was a 500 on PostgreSQL (SQLite answered). Django's form
    fields refuse NUL themselves; this covers what does not pass a form. The form fields are
    read as ``CsrfViewMiddleware`` reads them anyway (uploaded files are not looked into).
    The API refuses NUL with its own JSON error (``kravspar.api.NulRefusingParser``), so its
    addresses are left to it."""

    API_PREFIX = "/api/"  # kravspar/urls.py mounts the API at api/v1/
    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.API_PREFIX):
            if "%00" in request.META.get("QUERY_STRING", "") and _holds_nul(request.GET):
                raise BadRequest("NUL character in the query string")
            if request.method == "POST" and request.content_type in self.FORMS and _holds_nul(request.POST):
                raise BadRequest("NUL character in a form field")
        return self.get_response(request)


def _holds_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
