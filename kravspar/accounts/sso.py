"""Single sign-on: SAML 2.0 (the regions' identity providers, SITHS) through djangosaml2.

Policy (issue 13): the identity provider proves who the person is; Kravspår decides what
they may do. A login is matched to an existing, *active* person by the stored HSA-id,
else by the e-mail address; roles stay managed in Kravspår. An identity that matches no
one is refused with a page that says so, and the refusal is written to the history.
Which SAML attributes carry the HSA-id, e-mail and name is set in the environment
(KRAVSPAR_SAML_ATTRIBUTE_*). An organisation may turn provisioning on: then an unknown identity
whose attributes name that organisation gets an account there instead of the refusal.
OpenID Connect (Freja eID+) uses the same rules: accounts/oidc.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Only the light parts of djangosaml2 and pysaml2 here: this module is loaded by every
# process that authenticates (AUTHENTICATION_BACKENDS) or loads the URLs; the endpoints,
# whose imports cost about a second of CPU (pysaml2 builds its XML schemas), are in
# accounts/sso_views.py, imported at the first SAML request (accounts/sso_urls.py).
from djangosaml2.backends import Saml2Backend
from saml2.saml import NAMEID_FORMAT_TRANSIENT

from kravspar.accounts.models import ExternalIdentityLink, SsoRefusal, User
from kravspar.audit.services import audit_record
from kravspar.organisations.models import Organisation

SAML = "saml"
OIDC = "oidc"
# An HSA-id is "SE", the organisation number of the issuing organisation, "-" and a local part.
_HSA_ORGANISATION = re.compile(r"^SE(\d{10})-", re.IGNORECASE)


@dataclass(frozen=True)
class ExternalIdentity:
    provider: str
    subject: str  # the provider's own, stable identifier (persistent NameID, sub); "" if none
    hsa_id: str = ""
    email: str = ""
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    organisation_number: str = ""  # an attribute naming the person's organisation, if sent
    issuer: str = ""  # the identity provider's entity id (SAML) or issuer (OIDC)


def _link_for(identity: ExternalIdentity) -> ExternalIdentityLink | None:
    if not identity.subject or not identity.issuer:
        return None
    return (
        ExternalIdentityLink.objects.select_related("user")
        .filter(provider=identity.provider, issuer=identity.issuer, subject=identity.subject)
        .first()
    )


def person_for_identity(identity: ExternalIdentity) -> User | None:
    """The active person this identity belongs to: by the stored link first, else by
    HSA-id, else by e-mail. A linked subject is decided by its link alone: its person, or no
    one while that person is deactivated, never someone else by HSA-id or e-mail."""
    link = _link_for(identity)
    if link is not None:
        return link.user if link.user.is_active else None
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


def organisation_for_identity(identity: ExternalIdentity) -> Organisation | None:
    """The active organisation the identity's attributes name: the organisation attribute, else
    the organisation number inside the HSA-id."""
    number = re.sub(r"\D", "", identity.organisation_number)
    if not number:
        match = _HSA_ORGANISATION.match(identity.hsa_id)
        number = match.group(1) if match else ""
    if len(number) != 10:
        return None
    return Organisation.objects.filter(org_number=number, is_active=True).first()


def _free_username(identity: ExternalIdentity) -> str:
    base = (identity.hsa_id or identity.email).lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def provision(identity: ExternalIdentity) -> User | None:
    """An account for an unknown identity, if its organisation has provisioning on; else None.
    The account gets the organisation's default role or none, no password (it logs in with
    single sign-on), and a history entry. Someone already in Kravspår but deactivated is not
    given a second account."""
    from kravspar.accounts import services

    organisation = organisation_for_identity(identity)
    if organisation is None or not organisation.sso_provisioning:
        return None
    try:
        validate_email(identity.email)
    except ValidationError:
        return None  # no usable e-mail address: the account could not be reached or matched
    taken = User.objects.filter(email__iexact=identity.email)
    if identity.hsa_id:
        taken = taken | User.objects.filter(hsa_id__iexact=identity.hsa_id)
    if taken.exists():
        return None
    try:
        with transaction.atomic():
            person = services.person_create(
                actor=None,
                username=_free_username(identity),
                email=identity.email,
                first_name=identity.first_name[:150],
                last_name=identity.last_name[:150],
                organisation=organisation,
                roles=[organisation.sso_default_role] if organisation.sso_default_role else [],
                send_invitation=False,
                hsa_id=identity.hsa_id,
            )
            audit_record(
                actor=None,
                action="sso.provisioned",
                obj=person,
                organisation=organisation,
                after={
                    "provider": identity.provider,
                    "hsa_id": identity.hsa_id,
                    "email": identity.email,
                    "roles": [organisation.sso_default_role] if organisation.sso_default_role else [],
                },
            )
    except ValidationError:
        return None  # e.g. an e-mail address that is not one
    return person


@transaction.atomic
def link_record(identity: ExternalIdentity, person: User) -> None:
    """Remember the provider's subject for this person at the first login that matched them
    (HSA-id, verified e-mail or provisioning), or note the use of the existing link."""
    if not identity.subject or not identity.issuer:
        return  # no stable identifier (e.g. a transient NameID): nothing to link
    link = _link_for(identity)
    if link is not None:
        ExternalIdentityLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return
    link = ExternalIdentityLink.objects.create(
        user=person,
        provider=identity.provider,
        issuer=identity.issuer[:255],
        subject=identity.subject[:255],
        last_used_at=timezone.now(),
    )
    audit_record(
        actor=None,
        action="sso.linked",
        obj=person,
        organisation=person.organisation,
        after={
            "provider": identity.provider,
            "issuer": link.issuer,
            "subject": link.subject,
            "matched_by": "hsa_id" if identity.hsa_id and identity.hsa_id.lower() == person.hsa_id.lower() else "email",
        },
    )


@transaction.atomic
def link_remove(*, actor: User, link: ExternalIdentityLink) -> None:
    """An administrator removes a link (e.g. the provider gave the subject to someone else):
    the next login by that subject is matched by HSA-id or e-mail again."""
    from kravspar.accounts import access
    from kravspar.core.errors import NotAllowedError

    person = link.user
    if not access.can_change_person(actor, person):
        raise NotAllowedError()
    before = {"provider": link.provider, "issuer": link.issuer, "subject": link.subject}
    link.delete()
    audit_record(actor=actor, action="sso.unlinked", obj=person, organisation=person.organisation, before=before)


def person_or_refusal(request: HttpRequest | None, identity: ExternalIdentity) -> User | None:
    """The matching rules every provider shares: the known active person, else an account made
    by provisioning, else the refusal (recorded, and marked on the request for the page)."""
    person = person_for_identity(identity) or provision(identity)
    if person is None:
        refusal_record(identity)
        if request is not None:
            request.kravspar_sso_refused = True  # type: ignore[attr-defined]
    else:
        link_record(identity, person)
    return person


def providers() -> list[dict[str, str]]:
    """The login page's buttons, one per configured provider."""
    from django.urls import reverse

    buttons = []
    if settings.KRAVSPAR_SAML_ENABLED:
        buttons.append({"url": reverse("saml2_login"), "label": str(_("Log in with SITHS card"))})
    if settings.KRAVSPAR_OIDC_ENABLED:
        buttons.append(
            {
                "url": reverse("oidc_authentication_init"),
                "label": str(_("Log in with %(provider)s") % {"provider": settings.KRAVSPAR_OIDC_PROVIDER_NAME}),
            }
        )
    return buttons


def _first(values: Any) -> str:
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    return str(values or "").strip()


def saml_identity(ava: dict[str, Any], name_id: Any, issuer: str = "") -> ExternalIdentity:
    names = settings.KRAVSPAR_SAML_ATTRIBUTES
    first, last = _first(ava.get(names["first_name"])), _first(ava.get(names["last_name"]))
    # A transient NameID changes at every login: it cannot identify the person later.
    transient = getattr(name_id, "format", None) == NAMEID_FORMAT_TRANSIENT
    return ExternalIdentity(
        provider=SAML,
        subject="" if transient else str(getattr(name_id, "text", name_id) or "").strip(),
        issuer=str(issuer or "").strip(),
        hsa_id=_first(ava.get(names["hsa_id"])),
        email=_first(ava.get(names["email"])).lower(),
        name=f"{first} {last}".strip(),
        first_name=first,
        last_name=last,
        organisation_number=_first(ava.get(names["organisation"])) if names.get("organisation") else "",
    )


class SamlBackend(Saml2Backend):
    """djangosaml2 has checked the response (signature, audience, time, replay) before it
    calls this; here only the matching (and provisioning, where an organisation turned it on)."""

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
        identity = saml_identity(session_info["ava"], session_info.get("name_id"), session_info.get("issuer", ""))
        return person_or_refusal(request, identity)


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
