"""Two-factor login (django-otp): a TOTP app as the second factor, recovery codes for the
day the phone is lost.

Policy: a person who logs in with a password must give a code as well when
- one of their roles is in KRAVSPAR_2FA_REQUIRED_ROLES (administrators and supplier
  contacts by default: they reach everyone's data, or payslips and personal data), or
- they have turned two-factor login on themselves.
Single sign-on (SAML, OIDC) is not asked: the identity provider does the strong login.
API tokens are not asked either: a token is created on the account page, which a person
who must use two factors only reaches after giving a code.

Until the code is given the session is *pending*: the middleware below lets it reach only
the pages that give or set up the code, and logging out.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.audit.services import audit_record
from kravspar.core.errors import NotAllowedError

SESSION_PENDING = "kravspar_2fa_pending"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "app"
RECOVERY_NAME = "recovery"


def required_for(user: User) -> bool:
    """Whether the person's roles demand a second factor at password login."""
    return bool(access.roles_of(user) & set(settings.KRAVSPAR_2FA_REQUIRED_ROLES))


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enabled(user: User) -> bool:
    return totp_device(user) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def after_password_login(request: HttpRequest, user: User) -> None:
    """Called right after a password login: the session waits for a code if it must."""
    if required_for(user) or is_enabled(user):
        request.session[SESSION_PENDING] = True


def is_pending(request: HttpRequest) -> bool:
    user = request.user
    if not request.session.get(SESSION_PENDING) or not user.is_authenticated:
        return False
    # Right after login() request.user is the bare User, without OTPMiddleware's is_verified.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def _mark_verified(request: HttpRequest, device: TOTPDevice | StaticDevice | WebAuthnCredential) -> None:
    otp_login(request, device)
    request.session.pop(SESSION_PENDING, None)


# --- Enrolment ---------------------------------------------------------------------------


def enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP key for the person (an earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def enrolment_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG data URI for an <img> (no script, CSP)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for an app that cannot scan the code."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def enrolment_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the new key with a code from the app. Returns the new recovery codes (shown
    once), or None when the code is wrong. The session counts as verified afterwards."""
    if device.user_id != user.pk or not device.verify_token(_digits(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit_record(
        actor=user,
        action="person.two_factor_enabled",
        obj=user,
        organisation=user.organisation,
        after={"two_factor": True},
    )
    _mark_verified(request, device)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="person.recovery_codes_renewed", obj=user, organisation=user.organisation)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User | None, person: User) -> None:
    """Remove the person's app key and recovery codes: by the person (when two factors are
    not required of them) or by an administrator who may change the person (lost phone).
    A person who must use two factors sets up a new key at the next login. actor None is
    the operator's command line (`reset_two_factor`), e.g. for a supplier contact."""
    if actor is not None and actor.pk != person.pk and not access.can_change_person(actor, person):
        raise NotAllowedError()
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    WebAuthnCredential.objects.filter(user=person).delete()  # security keys (accounts/webauthn.py)
    audit_record(
        actor=actor,
        action="person.two_factor_reset",
        obj=person,
        organisation=person.organisation,
        before={"two_factor": True},
        after={"two_factor": False},
    )


# --- Verification at login ---------------------------------------------------------------


def _digits(token: str) -> str:
    return "".join(token.split())


def verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code from the app or a recovery code (used once). django-otp throttles
    each device after failures, so guessing is slowed down."""
    token = _digits(token).lower()
    # Six digits are the app's code; anything else can only be a recovery code. Trying
    # only the matching kind keeps the other device's failure count (throttle) honest.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if not isinstance(device, kind):
            continue
        with transaction.atomic():
            if device.verify_token(token):
                _mark_verified(request, device)
                return True
    return False


# --- Middleware --------------------------------------------------------------------------

_OPEN_PATHS = ("/static/", "/healthz", "/i18n/")


class TwoFactorMiddleware:
    """A pending session (password given, code not yet) reaches only the two-factor pages
    and logout; everything else sends it there. The API answers 401 in its error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_pending(request):
            allowed = {
                reverse("accounts:twofactor_verify"),
                reverse("accounts:twofactor_enrol"),
                reverse("accounts:logout"),
                reverse("accounts:webauthn_authenticate_begin"),
                reverse("accounts:webauthn_authenticate_complete"),
            }
            path = request.path
            if path not in allowed and not path.startswith(_OPEN_PATHS):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "two_factor_required",
                            "message": _("Give the code from your authenticator app first."),
                            "details": {},
                        },
                        status=401,
                    )
                user: User = request.user  # type: ignore[assignment]
                target = "accounts:twofactor_verify" if is_enabled(user) else "accounts:twofactor_enrol"
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))
        return self.get_response(request)
