"""Every change to people, roles, API tokens and login state."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.models import ApiToken, LoginFailure, User
from kravspar.accounts.roles import BUYER_ROLES, Perm, Role
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.organisations.models import Organisation, Unit

PERSON_FIELDS = ["username", "first_name", "last_name", "email", "title", "organisation", "unit", "hsa_id"]
TOKEN_PREFIX = "kvs_"  # noqa: S105 - a public marker, not a secret


def _require_manage(actor: User | None) -> None:
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_PEOPLE):
        raise NotAllowedError()


def _clean_person(person: User) -> None:
    errors: dict[str, list[str]] = {}
    person.username = person.username.strip()
    person.email = User.objects.normalize_email(person.email.strip()).lower()
    if not person.username:
        errors["username"] = [_("Username: write a username.")]
    elif User.objects.filter(username__iexact=person.username).exclude(pk=person.pk).exists():
        errors["username"] = [_("Username: %(name)s is already taken.") % {"name": person.username}]
    if not person.email:
        errors["email"] = [_("E-mail: write the person's e-mail address.")]
    elif User.objects.filter(email__iexact=person.email).exclude(pk=person.pk).exists():
        errors["email"] = [_("E-mail: %(email)s already belongs to another person.") % {"email": person.email}]
    person.hsa_id = person.hsa_id.strip().upper()
    if person.hsa_id and User.objects.filter(hsa_id__iexact=person.hsa_id).exclude(pk=person.pk).exists():
        errors["hsa_id"] = [_("HSA-id: %(hsa_id)s already belongs to another person.") % {"hsa_id": person.hsa_id}]
    if person.supplier_id is None and person.organisation_id is None:
        errors["organisation"] = [_("Organisation: choose the organisation the person works for.")]
    if person.unit is not None and person.unit.organisation_id != person.organisation_id:
        errors["unit"] = [_("Unit: the unit must belong to the person's organisation.")]
    if errors:
        raise ValidationError(errors)


def _role_groups(roles: Iterable[str]) -> list[Group]:
    roles = list(roles)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": [_("Roles: unknown role %(role)s.") % {"role": ", ".join(sorted(unknown))}]})
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        raise RuntimeError("Role groups are missing: run `python manage.py setup_roles`.")
    return groups


def _check_roles_fit(person: User, roles: Iterable[str]) -> None:
    roles = set(roles)
    if person.supplier_id is not None and roles & BUYER_ROLES:
        raise ValidationError({"roles": [_("Roles: a supplier contact cannot hold a buyer role.")]})
    if person.supplier_id is None and Role.SUPPLIER_CONTACT in roles:
        raise ValidationError(
            {"roles": [_("Roles: only a person who belongs to a supplier can be a supplier contact.")]}
        )


def send_password_setup_email(person: User) -> None:
    """E-mail a link with which the person chooses a password (also used for reset)."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    send_mail(
        subject=_("Choose your password for Kravspår"),
        message=_(
            "Hello %(name)s,\n\nAn account has been created for you in Kravspår. Choose your password here "
            "(the link works once and for %(hours)s hours):\n\n%(url)s\n"
        )
        % {
            "name": person.get_full_name() or person.username,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "url": settings.KRAVSPAR_BASE_URL.rstrip("/") + path,
        },
        from_email=None,
        recipient_list=[person.email],
    )


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    roles: Iterable[str] = (),
    password: str | None = None,
    send_invitation: bool = True,
    hsa_id: str = "",
) -> User:
    _require_manage(actor)
    person = User(
        hsa_id=hsa_id,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        title=title,
        organisation=organisation,
        unit=unit,
    )
    _clean_person(person)
    roles = sorted(set(roles))
    _check_roles_fit(person, roles)
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    person.groups.set(_role_groups(roles))
    after = snapshot(person, PERSON_FIELDS) | {"roles": roles}
    audit_record(actor=actor, action="person.created", obj=person, organisation=organisation, after=after)
    if send_invitation and not password:
        transaction.on_commit(lambda: send_password_setup_email(person))
    return person


@transaction.atomic
def person_update(
    *,
    actor: User | None,
    person: User,
    expected_version: int | None,
    roles: Iterable[str] | None = None,
    **changes: Any,
) -> User:
    _require_manage(actor)
    locked = User.objects.select_for_update().get(pk=person.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    old_roles = sorted(locked.groups.values_list("name", flat=True))
    before = snapshot(locked, PERSON_FIELDS) | {"roles": old_roles}
    for key, value in changes.items():
        if key not in PERSON_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(locked, key, value)
    _clean_person(locked)
    new_roles = sorted(set(roles)) if roles is not None else old_roles
    _check_roles_fit(locked, new_roles)
    if (
        actor is not None
        and locked.pk == actor.pk
        and Role.ADMINISTRATOR in old_roles
        and Role.ADMINISTRATOR not in new_roles
    ):
        raise ValidationError({"roles": [_("Roles: you cannot remove your own administrator role.")]})
    after = snapshot(locked, PERSON_FIELDS) | {"roles": new_roles}
    if after == before:
        return locked
    locked.version += 1
    locked.save()
    if roles is not None:
        locked.groups.set(_role_groups(new_roles))
    audit_record(
        actor=actor, action="person.updated", obj=locked, organisation=locked.organisation, before=before, after=after
    )
    return locked


@transaction.atomic
def person_set_active(*, actor: User | None, person: User, active: bool) -> User:
    """People are deactivated, never deleted, so that history keeps its names."""
    _require_manage(actor)
    if actor is not None and person.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))

    def revoke_tokens(locked: User) -> None:
        if not active:
            ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())

    return core_services.set_active(
        User.objects.all(),
        person.pk,
        actor=actor,
        active=active,
        activated="person.reactivated",
        deactivated="person.deactivated",
        organisation=lambda locked: locked.organisation,
        on_change=revoke_tokens,
    )


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the token and its secret, which is shown
    once and never stored."""
    if actor is not None and actor.pk != user.pk and not access.has_perm(actor, Perm.MANAGE_PEOPLE):
        raise NotAllowedError()
    if not access.has_perm(user, Perm.USE_API):
        raise NotAllowedError(_("This person's roles do not include use of the API."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Name: say what the token is for.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], token_hash=_hash_token(raw))
    audit_record(
        actor=actor, action="api_token.created", obj=token, organisation=user.organisation, after={"name": token.name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id and not access.has_perm(actor, Perm.MANAGE_PEOPLE):
        raise NotAllowedError()
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoked",
            obj=locked,
            organisation=locked.user.organisation,
            before={"revoked": False},
            after={"revoked": True},
        )
    return locked


def api_token_authenticate(raw: str) -> User | None:
    """The active person behind a token, or None. Updates last use at most once a minute
    so that a busy integration does not write on every request."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Lockout ----------------------------------------------------------------------------
#
# Two limits, both counted in LoginFailure rows within KRAVSPAR_LOGIN_LOCKOUT_MINUTES:
# - per account: whether the person typed the username or the e-mail address, the
#   failures count against the one account (an unknown identifier counts as itself);
# - per client address: many accounts tried from one address (password spraying) lock
#   that address, whatever accounts it tries next.


def login_key(identifier: str) -> str:
    """The key failures are counted under: the account the identifier names, else the
    identifier itself (so that guessing names is throttled too)."""
    ident = identifier.strip()
    pk = User.objects.filter(Q(username__iexact=ident) | Q(email__iexact=ident)).values_list("pk", flat=True).first()
    if pk is not None:
        return f"user:{pk}"
    return "name:" + ident.lower()[:240]


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.KRAVSPAR_LOGIN_LOCKOUT_MINUTES)


def _minutes_left(failures: QuerySet[LoginFailure], limit: int) -> int:
    """Locked for a whole window after the last of `limit` failures within the window."""
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if not limit or len(times) < limit:
        return 0
    remaining = times[0] + _window() - timezone.now()
    return max(1, int(remaining.total_seconds() // 60) + 1)


def login_locked_minutes(identifier: str) -> int:
    """Minutes left of a lockout for the account this identifier names, 0 if it may try.

    We lock the account rather than only the address: an attacker has many addresses, and
    a person who is locked out can still reset the password by e-mail."""
    since = timezone.now() - _window()
    return _minutes_left(
        LoginFailure.objects.filter(username_key=login_key(identifier), created_at__gte=since),
        settings.KRAVSPAR_LOGIN_MAX_FAILURES,
    )


def login_address_locked_minutes(ip_address: str | None) -> int:
    """Minutes left of a lockout for this client address (password spraying), 0 if none."""
    if not ip_address:
        return 0
    since = timezone.now() - _window()
    return _minutes_left(
        LoginFailure.objects.filter(ip_address=ip_address, created_at__gte=since),
        settings.KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS,
    )


def login_person(identifier: str) -> User | None:
    """The account a typed username or e-mail address names, with its organisation."""
    ident = identifier.strip()
    return (
        User.objects.filter(Q(username__iexact=ident) | Q(email__iexact=ident)).select_related("organisation").first()
    )


def login_refusal_record(*, ip_address: str | None) -> None:
    """A password login refused before its password was checked (an SSO-only organisation):
    counted against the client address only, so a script that tries many names from one
    address is stopped as a password sprayer would be."""
    LoginFailure.objects.filter(created_at__lt=timezone.now() - _window()).delete()
    LoginFailure.objects.create(username_key="sso-required", ip_address=ip_address)


def login_failure_record(*, identifier: str, ip_address: str | None) -> None:
    # Rows older than the window no longer count: drop them as new ones arrive.
    LoginFailure.objects.filter(created_at__lt=timezone.now() - _window()).delete()
    LoginFailure.objects.create(username_key=login_key(identifier), ip_address=ip_address)


def login_failures_clear(*, user: User) -> None:
    """A successful login or a password reset lifts the account's lockout. The address's
    count stays: a sprayer who guesses one password must not reset its own limit."""
    LoginFailure.objects.filter(username_key=f"user:{user.pk}").delete()
