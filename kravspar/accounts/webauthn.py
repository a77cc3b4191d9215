"""Security keys (WebAuthn) as a second factor, through django-otp-webauthn.

Policy (issue 13): a security key is an alternative to the authenticator app at the second
step of a password login, never a login on its own (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is
off). A person adds keys on the two-factor pages once the app is set up and the session has
given a code: the app and its recovery codes stay the way back in when a key is lost, and an
attacker with only the password cannot add a key. Adding and removing a key is written to the
history; an administrator's two-factor reset removes the keys too.

The library's views do the ceremonies (challenge in the session, used once; origin, relying
party id, signature and sign counter checked by py_webauthn); the subclasses here add the
rules above. The browser side is static/kravspar/js/webauthn.js (no inline script, CSP).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from kravspar.accounts import twofactor
from kravspar.accounts.models import User
from kravspar.audit.services import audit_record

KEY_NAME_MAX = 64


class AppFirst(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = gettext_lazy("Set up the authenticator app first; then you can add security keys.")
    default_code = "app_first"


class NoPendingLogin(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = gettext_lazy("Log in with your password first.")
    default_code = "no_pending_login"


def keys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


def has_keys(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def _key_name(request: HttpRequest, user: User) -> str:
    name = " ".join(str(request.GET.get("name", "")).split())[:KEY_NAME_MAX]
    if not name:
        name = _("Security key %(n)d") % {"n": WebAuthnCredential.objects.filter(user=user).count()}
    return name


class RegisterBegin(BeginCredentialRegistrationView):
    def check_can_register(self) -> None:
        user: User = self.request.user
        verified = getattr(user, "is_verified", bool)()  # set by django-otp's middleware
        if twofactor.is_pending(self.request) or not twofactor.is_enabled(user) or not verified:
            raise AppFirst()


class RegisterComplete(CompleteCredentialRegistrationView):
    def check_can_register(self) -> None:
        RegisterBegin.check_can_register(self)

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user: User = self.request.user
        with transaction.atomic():
            response: HttpResponse = super().post(*args, **kwargs)
            added = json.loads(response.content).get("id") if response.status_code == 200 else None
            key = WebAuthnCredential.objects.filter(user=user, pk=added).first() if added else None
            if key is not None:
                key.name = _key_name(self.request, user)
                key.save(update_fields=["name"])
                audit_record(
                    actor=user,
                    action="person.security_key_added",
                    obj=user,
                    organisation=user.organisation,
                    after={"security_key": key.name},
                )
        return response


class AuthenticateBegin(BeginCredentialAuthenticationView):
    """Only the second step of a password login: the person is known, the session pending."""

    def check_can_authenticate(self) -> None:
        if not self.request.user.is_authenticated or not twofactor.is_pending(self.request):
            raise NoPendingLogin()


class AuthenticateComplete(CompleteCredentialAuthenticationView):
    def check_can_authenticate(self) -> None:
        AuthenticateBegin.check_can_authenticate(self)

    def complete_auth(self, device: WebAuthnCredential) -> None:
        twofactor._mark_verified(self.request, device)


register_begin = RegisterBegin.as_view()
register_complete = RegisterComplete.as_view()
authenticate_begin = AuthenticateBegin.as_view()
authenticate_complete = AuthenticateComplete.as_view()


@transaction.atomic
def key_remove(*, actor: User, key: WebAuthnCredential) -> None:
    person: User = key.user
    name = key.name
    key.delete()
    audit_record(
        actor=actor,
        action="person.security_key_removed",
        obj=person,
        organisation=person.organisation,
        before={"security_key": name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_keys(request: HttpRequest) -> HttpResponse:
    """The person's own security keys: add one (script), or remove one (a plain form)."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        key_id = str(request.POST.get("key", ""))
        key = WebAuthnCredential.objects.filter(user=user, pk=key_id).first() if key_id.isdigit() else None
        if key is None:
            raise Http404
        key_remove(actor=user, key=key)
        messages.success(request, _("The security key %(name)s was removed.") % {"name": key.name})
        return redirect("accounts:security_keys")
    return render(
        request,
        "accounts/security_keys.html",
        {"keys": keys_of(user), "app_enabled": twofactor.is_enabled(user)},
    )
