"""djangosaml2's SAML endpoints and Kravspår's single logout (accounts/sso.py has the policy).

Imported only when a SAML URL is first requested (accounts/sso_urls.py): djangosaml2's views
pull in pysaml2's response and signature modules, which build their XML schemas on import
(about a second of CPU), and every app server, worker and ``manage.py`` the tests start loads
the URLs, most of them never answering a SAML request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from djangosaml2 import views as saml2_views
from djangosaml2.utils import get_location
from djangosaml2.views import LogoutView
from saml2 import BINDING_HTTP_REDIRECT, SAMLError
from saml2.ident import decode
from saml2.s_utils import SamlException, UnravelError
from saml2.sigver import verify_redirect_signature

from kravspar.audit.services import audit_record


class SamlLogoutView(LogoutView):
    """djangosaml2's single logout endpoint, answering a message it cannot read (not SAML, not
    deflated, forged) with a refusal instead of an error 500.

    A logout the IdP starts (a LogoutRequest) is handled here, not by djangosaml2, which neither
    hands the HTTP-Redirect binding's Signature/SigAlg to pysaml2 nor ends only the named
    subject's session (and pysaml2 checks a service provider's incoming requests' signatures only
    when told to by an IdP-side setting). Here the request must be signed by a key the IdP's
    metadata names for its issuer (query signature for HTTP-Redirect, XML signature for
    HTTP-POST), else it is refused, recorded in the history and the session kept; and only a
    request naming this session's subject ends the session, any other gets UnknownPrincipal."""

    def do_logout_service(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data, binding = args[0], args[1]
        try:
            if "SAMLRequest" in data and "SAMLResponse" not in data:
                return self.logout_started_by_idp(request, data, binding)
            response: HttpResponse = super().do_logout_service(request, *args, **kwargs)
        except (UnravelError, SamlException, SAMLError):
            if "SAMLRequest" in data:
                return logout_request_refused(request, "unreadable")
            logout(request)
            return render(request, "accounts/sso_failed.html", status=400)
        return response

    def logout_started_by_idp(self, request: HttpRequest, data: Any, binding: str) -> HttpResponse:
        state, client = self.get_state_client(request)
        relay_state = data.get("RelayState")  # None when absent: "" would change the signed string
        sigalg, signature = data.get("SigAlg"), data.get("Signature")
        parsed = client.parse_logout_request(
            data["SAMLRequest"], binding, relay_state=relay_state, sigalg=sigalg, signature=signature
        )
        issuer = parsed.sender() if parsed is not None and parsed.message.issuer is not None else ""
        if parsed is None or not logout_request_signed_by_idp(client, parsed, data, binding, issuer):
            return logout_request_refused(request, "unsigned", issuer)
        subject_id = _saml_subject_id(request)
        http_info = client.handle_logout_request(
            data["SAMLRequest"], subject_id, binding, relay_state=relay_state, sigalg=sigalg, signature=signature
        )
        state.sync()
        if subject_id is not None and parsed.message.name_id == subject_id:
            logout(request)
        else:
            # pysaml2 answered UnknownPrincipal: the request names someone else, this session stays.
            logout_request_recorded(request, "sso.logout_other_subject", issuer)
        if (
            http_info.get("method", "GET") == "POST"
            and "data" in http_info
            and ("Content-type", "text/html") in http_info.get("headers", [])
        ):
            return HttpResponse(http_info["data"])
        return HttpResponseRedirect(get_location(http_info))


def _saml_subject_id(request: HttpRequest) -> Any:
    try:
        return decode(request.saml_session["_saml2_subject_id"])  # type: ignore[attr-defined]
    except KeyError:
        return None


# Redirect-binding signature algorithms accepted on a logout request: SHA-2 only. SHA-1 is
# deprecated for signatures (NIST SP 800-131A) and an IdP that still signs with it must be
# configured to use SHA-256 before its logouts are honoured.
ACCEPTED_REDIRECT_SIGALGS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    }
)


def logout_request_signed_by_idp(client: Any, parsed: Any, data: Any, binding: str, issuer: str) -> bool:
    """Whether a LogoutRequest carries a valid signature by a known IdP (its metadata's keys)."""
    if issuer not in client.metadata.identity_providers():
        return False
    if binding == BINDING_HTTP_REDIRECT:
        if not data.get("Signature") or data.get("SigAlg") not in ACCEPTED_REDIRECT_SIGALGS:
            return False
        message = {"SAMLRequest": data["SAMLRequest"], "Signature": data["Signature"], "SigAlg": data["SigAlg"]}
        if data.get("RelayState") is not None:
            message["RelayState"] = data["RelayState"]
        certs = client.metadata.certs(issuer, "any", "signing")
        try:
            return any(verify_redirect_signature(message, client.sec.sec_backend, cert) for _name, cert in certs)
        except Exception:  # an unknown algorithm or a broken signature is a refusal
            return False
    # HTTP-POST: pysaml2 checked an XML signature if there was one; require that there was.
    return parsed.message.signature is not None


def logout_request_recorded(request: HttpRequest, action: str, issuer: str) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        with transaction.atomic():
            audit_record(actor=None, action=action, obj=user, organisation=user.organisation, after={"issuer": issuer})


def logout_request_refused(request: HttpRequest, reason: str, issuer: str = "") -> HttpResponse:
    """A LogoutRequest that is not the IdP's (unsigned, signed by another key, altered, unreadable):
    refused with a page saying so, recorded, and the session kept."""
    logout_request_recorded(request, "sso.logout_refused", issuer)
    return render(request, "accounts/sso_logout_refused.html", {"reason": reason}, status=403)


# The views sso_urls.py serves, by the names it asks for.
login = saml2_views.LoginView.as_view()
acs = saml2_views.AssertionConsumerServiceView.as_view()
logout_init = saml2_views.LogoutInitView.as_view()
logout_service = SamlLogoutView.as_view()
metadata = saml2_views.MetadataView.as_view()
