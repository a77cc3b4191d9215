"""Single sign-on with OpenID Connect (Freja eID+ and similar) through mozilla-django-oidc.

The authorization code flow with PKCE (S256), a state and a nonce per login, each used once
(mozilla-django-oidc keeps them in the session and deletes them when the answer comes). The ID
token must be signed with the provider's key from its JWKS, by the configured algorithm, for
this client (``aud``; ``azp`` when there are several audiences), by the configured issuer,
unexpired, and carry the login's nonce; the userinfo answer must be about the same subject.
mozilla-django-oidc checks neither audience nor issuer itself, so ``OidcBackend`` does.

Matching, provisioning and refusals are the same as for SAML (accounts/sso.py). Which claims
carry the e-mail address, HSA-id, names and organisation is set in the environment
(KRAVSPAR_OIDC_CLAIM_*). An e-mail address the provider marks as unverified is not used.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from kravspar.accounts.models import User
from kravspar.accounts.sso import OIDC, ExternalIdentity, person_or_refusal

CLOCK_SKEW_SECONDS = 60
logger = logging.getLogger("kravspar.sso")


def _claim(claims: dict[str, Any], name: str) -> str:
    if not name:
        return ""
    value = claims.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def oidc_identity(claims: dict[str, Any]) -> ExternalIdentity:
    names = settings.KRAVSPAR_OIDC_CLAIMS
    email = _claim(claims, names["email"]).lower()
    if claims.get("email_verified") is False:
        email = ""  # the provider says it has not checked the address: never match on it
    first, last = _claim(claims, names["first_name"]), _claim(claims, names["last_name"])
    return ExternalIdentity(
        provider=OIDC,
        subject=str(claims.get("sub") or ""),
        hsa_id=_claim(claims, names["hsa_id"]).upper(),
        email=email,
        name=f"{first} {last}".strip() or _claim(claims, "name"),
        first_name=first,
        last_name=last,
        organisation_number=_claim(claims, names["organisation"]),
        issuer=str(claims.get("iss") or settings.KRAVSPAR_OIDC_ISSUER),
    )


class OidcBackend(OIDCAuthenticationBackend):
    """Only answers the OIDC callback (it passes a nonce); password logins pass it by."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not settings.KRAVSPAR_OIDC_ENABLED or "nonce" not in kwargs or "password" in kwargs:
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The signature (by the configured algorithm only), audience, issuer and time."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with another algorithm than configured")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.KRAVSPAR_OIDC_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences without this client as azp")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        identity = oidc_identity({**userinfo, **payload})
        return person_or_refusal(self.request, identity)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. A refused identity gets the same Swedish page as with SAML; a
    bad answer (state used before, token refused, provider unreachable) a plain refusal."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except (SuspiciousOperation, requests.RequestException) as exc:
            logger.warning("OpenID Connect login refused: %s", exc)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        if getattr(self.request, "kravspar_sso_refused", False):
            return render(self.request, "accounts/sso_unknown.html", status=403)
        return render(self.request, "accounts/sso_failed.html", status=403)


def oidc_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 while no OpenID Connect provider is configured."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.KRAVSPAR_OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


login_start = oidc_enabled(OIDCAuthenticationRequestView.as_view())
callback = oidc_enabled(OidcCallbackView.as_view())
