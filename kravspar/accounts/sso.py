"""Single sign-on: SAML 2.0 (the regions' identity providers, SITHS) through djangosaml2.

Policy (issue 13): the identity provider proves who the person is; Kravspår decides what
they may do. A login is matched to an existing, *active* person by the stored HSA-id,
else by the e-mail address; roles stay managed in Kravspår. An identity that matches no
one is refused with a page that says so, and the refusal is written to the history.
Which SAML attributes carry the HSA-id, e-mail and name is set in the environment
(KRAVSPAR_SAML_ATTRIBUTE_*).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from djangosaml2.backends import Saml2Backend

from kravspar.accounts.models import SsoRefusal, User
from kravspar.audit.services import audit_record

SAML = "saml"


@dataclass(frozen=True)
class ExternalIdentity:
    provider: str
    subject: str  # the provider's own identifier (NameID, sub)
    hsa_id: str = ""
    email: str = ""
    name: str = ""


def person_for_identity(identity: ExternalIdentity) -> User | None:
    """The active person this identity belongs to: by HSA-id first, else by e-mail."""
    people = User.objects.filter(is_active=True)
    if identity.hsa_id:
        person = people.filter(hsa_id__iexact=identity.hsa_id).first()
        if person is not None:
            return person
    if identity.email:
        return people.filter(email__iexact=identity.email).first()
    return None


@transaction.atomic
def refusal_record(identity: ExternalIdentity) -> SsoRefusal:
    refusal = SsoRefusal.objects.create(
        provider=identity.provider,
        identifier=(identity.hsa_id or identity.subject)[:254],
        email=identity.email[:254],
        name=identity.name[:200],
    )
    audit_record(
        actor=None,
        action="sso.refused",
        obj=refusal,
        after={"provider": identity.provider, "hsa_id": identity.hsa_id, "email": identity.email},
    )
    return refusal


def providers() -> list[dict[str, str]]:
    """The login page's buttons, one per configured provider."""
    from django.urls import reverse

    buttons = []
    if settings.KRAVSPAR_SAML_ENABLED:
        buttons.append({"url": reverse("saml2_login"), "label": str(_("Log in with SITHS card"))})
    return buttons


def _first(values: Any) -> str:
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    return str(values or "").strip()


def saml_identity(ava: dict[str, Any], name_id: Any) -> ExternalIdentity:
    names = settings.KRAVSPAR_SAML_ATTRIBUTES
    first, last = _first(ava.get(names["first_name"])), _first(ava.get(names["last_name"]))
    return ExternalIdentity(
        provider=SAML,
        subject=str(getattr(name_id, "text", name_id) or ""),
        hsa_id=_first(ava.get(names["hsa_id"])),
        email=_first(ava.get(names["email"])).lower(),
        name=f"{first} {last}".strip(),
    )


class SamlBackend(Saml2Backend):
    """djangosaml2 has checked the response (signature, audience, time, replay) before it
    calls this; here only the matching. Never creates a person."""

    def authenticate(
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        attribute_mapping: Any = None,
        create_unknown_user: bool = False,
        assertion_info: Any = None,
        **kwargs: Any,
    ) -> User | None:
        if not session_info or "ava" not in session_info:
            return None
        identity = saml_identity(session_info["ava"], session_info.get("name_id"))
        person = person_for_identity(identity)
        if person is None:
            refusal_record(identity)
            if request is not None:
                request.kravspar_sso_refused = True  # type: ignore[attr-defined]
            return None
        return person


def saml_acs_failure(
    request: HttpRequest, exception: Exception | None = None, status: int = 403, **kwargs: Any
) -> HttpResponse:
    """djangosaml2's failure hook: an unknown person gets the page saying so; anything
    else (a bad signature, an expired or replayed answer) a plain refusal."""
    if getattr(request, "kravspar_sso_refused", False):
        return render(request, "accounts/sso_unknown.html", status=403)
    return render(request, "accounts/sso_failed.html", status=403)


def saml_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 while no identity provider is configured (wraps keep csrf_exempt on the ACS)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.KRAVSPAR_SAML_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
