"""Every change in the supplier portal: invitations and the accounts they create, the
evidence library, and subcontractor declarations. Each function is atomic, checks who may
act, and writes its history event in the same transaction; e-mail goes after commit."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.accounts.services import _clean_person, _role_groups
from kravspar.audit.services import audit_record, snapshot
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.portal import access, conf
from kravspar.portal.models import Invitation, InvitationRenewalRequest, InvitationState

if TYPE_CHECKING:
    from kravspar.suppliers.models import Supplier


class RateLimitedError(DomainError):
    code = "rate_limited"
    status = 429


class InvitationInvalidError(DomainError):
    """The link cannot be used (expired, used, revoked or unknown)."""

    code = "invitation_invalid"
    status = 410


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _absolute(path: str) -> str:
    return str(settings.KRAVSPAR_BASE_URL).rstrip("/") + path


def _mail(*, template: str, subject: str, context: dict[str, Any], to: list[str]) -> None:
    body = render_to_string(template, context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=to)


# --- Invitations ------------------------------------------------------------------------


def invitation_by_token(raw: str) -> Invitation | None:
    if not raw or len(raw) > 200:
        return None
    return Invitation.objects.select_related("supplier", "invited_by").filter(token_hash=hash_token(raw)).first()


def _send_invitation(invitation: Invitation, raw: str) -> None:
    _mail(
        template="portal/email/invitation.txt",
        subject=_("Invitation to Kravspår as a contact person for %(supplier)s")
        % {"supplier": invitation.supplier.name},
        context={
            "invitation": invitation,
            "url": _absolute(reverse("portal:invitation_accept", kwargs={"token": raw})),
            "days": conf.invitation_days(),
        },
        to=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, actor: User, supplier: Supplier, name: str, email: str) -> tuple[Invitation, str]:
    """Invite a supplier contact. Returns the invitation and the raw token (only e-mailed)."""
    if not access.can_manage_invitations(actor):
        raise NotAllowedError()
    # Lock the officer's row so that two simultaneous requests cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    since = timezone.now() - datetime.timedelta(hours=1)
    limit = conf.invitations_per_hour()
    if Invitation.objects.filter(invited_by=actor, created_at__gte=since).count() >= limit:
        raise RateLimitedError(
            _("You have sent %(limit)s invitations within the last hour. Wait a while and try again.")
            % {"limit": limit}
        )
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not name:
        errors["name"] = [_("Name: write the contact person's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Name: at most 200 characters.")]
    if not email:
        errors["email"] = [_("E-mail: write the contact person's e-mail address.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("E-mail: %(email)s is not an e-mail address.") % {"email": email}]
        else:
            if User.objects.filter(email__iexact=email).exists():
                errors["email"] = [
                    _(
                        "E-mail: %(email)s already has an account in Kravspår. The person can log in, or reset "
                        "their password if they have forgotten it."
                    )
                    % {"email": email}
                ]
            elif Invitation.objects.filter(
                email__iexact=email, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
            ).exists():
                errors["email"] = [
                    _("E-mail: %(email)s already has a pending invitation. Revoke it first to send a new one.")
                    % {"email": email}
                ]
    if errors:
        raise ValidationError(errors)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email,
        name=name,
        token_hash=hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=conf.invitation_days()),
        invited_by=actor,
    )
    audit_record(
        actor=actor,
        action="invitation.created",
        obj=supplier,
        after={"name": name, "email": email, "expires_at": invitation.expires_at.isoformat(timespec="minutes")},
    )
    transaction.on_commit(lambda: _send_invitation(invitation, raw))
    return invitation, raw


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not access.can_manage_invitations(actor):
        raise NotAllowedError()
    locked = Invitation.objects.select_for_update().select_related("supplier").get(pk=invitation.pk)
    if locked.state() != InvitationState.PENDING:
        raise DomainError(
            _("Only a pending invitation can be revoked; this one is %(state)s.")
            % {"state": locked.state_label.lower()}
        )
    locked.revoked_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["revoked_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        obj=locked.supplier,
        after={"name": locked.name, "email": locked.email},
    )
    return locked


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.partition(" ")
    return first[:150], last[:150]


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if its link may still be used, else InvitationInvalidError saying why."""
    if invitation is None:
        raise InvitationInvalidError(_("The link is not valid. Check that you copied all of it from the e-mail."))
    state = invitation.state()
    if state == InvitationState.USED:
        raise InvitationInvalidError(
            _(
                "The link has already been used: the account exists. Log in, or reset your password if you have "
                "forgotten it."
            )
        )
    if state == InvitationState.EXPIRED:
        raise InvitationInvalidError(_("The link has expired. Ask for a new one below."))
    if state == InvitationState.REVOKED:
        raise InvitationInvalidError(_("The invitation has been withdrawn. Contact the person who invited you."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, password_again: str) -> User:
    """Create the supplier contact's account with the chosen password. The link works once."""
    locked = Invitation.objects.select_for_update().select_related("supplier").get(pk=invitation.pk)
    invitation_check(locked)
    first_name, last_name = _split_name(locked.name)
    person = User(
        username=locked.email,
        email=locked.email,
        first_name=first_name,
        last_name=last_name,
        supplier=locked.supplier,
    )
    errors: dict[str, list[str]] = {}
    if not password:
        errors["password"] = [_("Password: choose a password.")]
    elif password != password_again:
        errors["password_again"] = [_("Repeat password: the two passwords are not the same.")]
    else:
        try:
            password_validation.validate_password(password, user=person)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    try:
        _clean_person(person)
    except ValidationError as exc:
        # The address was free when invited; someone may have taken it since.
        errors.setdefault(NON_FIELD, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    person.set_password(password)
    person.save()
    person.groups.set(_role_groups([Role.SUPPLIER_CONTACT]))
    locked.used_at = timezone.now()
    locked.person = person
    locked.version += 1
    locked.save(update_fields=["used_at", "person", "version", "updated_at"])
    audit_record(
        actor=person,
        action="person.created",
        obj=person,
        after=snapshot(person, ["username", "first_name", "last_name", "email", "supplier"])
        | {"roles": [Role.SUPPLIER_CONTACT], "invitation": str(locked.uuid)},
    )
    audit_record(actor=person, action="invitation.accepted", obj=locked.supplier, after={"email": locked.email})
    return person


NON_FIELD = "__all__"


def _send_renewal_request(invitation: Invitation) -> None:
    if invitation.invited_by is None or not invitation.invited_by.email:
        return
    _mail(
        template="portal/email/renewal_request.txt",
        subject=_("%(name)s asks for a new invitation to Kravspår") % {"name": invitation.name},
        context={
            "invitation": invitation,
            "url": _absolute(reverse("portal:invitation_list", kwargs={"key": invitation.supplier.uuid})),
        },
        to=[invitation.invited_by.email],
    )


@transaction.atomic
def invitation_request_renewal(*, invitation: Invitation, ip_address: str | None) -> InvitationRenewalRequest:
    """Someone holding an expired or used link asks for a new one: the inviting officer is told."""
    locked = Invitation.objects.select_for_update().select_related("supplier", "invited_by").get(pk=invitation.pk)
    if locked.state() not in (InvitationState.EXPIRED, InvitationState.USED):
        raise DomainError(_("This invitation cannot be renewed."))
    now = timezone.now()
    recent = InvitationRenewalRequest.objects.filter(
        invitation=locked, created_at__gte=now - datetime.timedelta(days=1)
    )
    by_address = InvitationRenewalRequest.objects.filter(
        ip_address=ip_address, created_at__gte=now - datetime.timedelta(hours=1)
    )
    if recent.count() >= conf.renewals_per_invitation() or (
        ip_address is not None and by_address.count() >= conf.renewals_per_address()
    ):
        raise RateLimitedError(
            _("A new link has already been asked for. The person who invited you has been told; try again tomorrow.")
        )
    request = InvitationRenewalRequest.objects.create(invitation=locked, ip_address=ip_address)
    audit_record(actor=None, action="invitation.renewal_requested", obj=locked.supplier, after={"email": locked.email})
    transaction.on_commit(lambda: _send_renewal_request(locked))
    return request
