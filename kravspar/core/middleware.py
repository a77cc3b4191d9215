from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
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
