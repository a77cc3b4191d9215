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
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access as access_accounts
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.accounts.services import _clean_person, _role_groups
from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract, Subcontractor
from kravspar.core import services as core_services
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.followups import uploads
from kravspar.portal import access, conf
from kravspar.portal.models import (
    DeclarationStatus,
    DocumentKind,
    Invitation,
    InvitationRenewalRequest,
    InvitationState,
    SubcontractorDeclaration,
    SupplierDocument,
)

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
def invitation_create(
    *, actor: User, supplier: Supplier, name: str, email: str, send: bool = True
) -> tuple[Invitation, str]:
    """Invite a supplier contact. Returns the invitation and the raw token (only e-mailed;
    ``send=False`` only for the demo, which must not fill the mailbox)."""
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
    if send:
        transaction.on_commit(lambda: _send_invitation(invitation, raw))
    return invitation, raw


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not access.can_manage_invitations(actor):
        raise NotAllowedError()
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=invitation.pk)
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


def _supplier_contact_errors(person: User, password: str, password_again: str) -> dict[str, list[str]]:
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
    return errors


@transaction.atomic
def supplier_contact_create(
    *,
    actor: User | None,
    supplier: Supplier,
    username: str,
    email: str,
    name: str,
    password: str,
    password_again: str | None = None,
    origin: dict[str, str] | None = None,
) -> User:
    """A supplier contact's account: belongs to the supplier, holds only the supplier-contact
    role (the same group set-up as ``accounts.services.person_create``)."""
    first_name, last_name = _split_name(" ".join(name.split()))
    person = User(username=username, email=email, first_name=first_name, last_name=last_name, supplier=supplier)
    errors = _supplier_contact_errors(person, password, password if password_again is None else password_again)
    if errors:
        raise ValidationError(errors)
    person.set_password(password)
    person.save()
    person.groups.set(_role_groups([Role.SUPPLIER_CONTACT]))
    audit_record(
        actor=actor or person,
        action="person.created",
        obj=person,
        after=snapshot(person, ["username", "first_name", "last_name", "email", "supplier"])
        | {"roles": [Role.SUPPLIER_CONTACT]}
        | (origin or {}),
    )
    return person


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, password_again: str) -> User:
    """Create the supplier contact's account with the chosen password. The link works once."""
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=invitation.pk)
    invitation_check(locked)
    # The person acts for themselves here: they proved control of the invited address.
    person = supplier_contact_create(
        actor=None,
        supplier=locked.supplier,
        username=locked.email,
        email=locked.email,
        name=locked.name,
        password=password,
        password_again=password_again,
        origin={"invitation": str(locked.uuid)},
    )
    locked.used_at = timezone.now()
    locked.person = person
    locked.version += 1
    locked.save(update_fields=["used_at", "person", "version", "updated_at"])
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
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("supplier", "invited_by")
        .get(pk=invitation.pk)
    )
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


# --- Evidence library -------------------------------------------------------------------

DOCUMENT_FIELDS = ["kind", "title", "issuer", "valid_from", "valid_until"]


def _clean_document(document: SupplierDocument) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    document.title = " ".join(str(document.title or "").split())
    document.issuer = " ".join(str(document.issuer or "").split())
    if document.kind not in DocumentKind.values:
        add("kind", _("Kind: choose certificate, governing document or other."))
    if not document.title:
        add("title", _("Title: say what the document is, e.g. ISO 14001 certificate."))
    elif len(document.title) > 200:
        add("title", _("Title: at most 200 characters."))
    if len(document.issuer) > 200:
        add("issuer", _("Issuer: at most 200 characters."))
    if document.valid_from is None:
        add("valid_from", _("Valid from: give the date the document was issued or took effect."))
    if document.valid_from and document.valid_until and document.valid_until < document.valid_from:
        add("valid_until", _("Valid until: the date must not be before the valid-from date."))
    if errors:
        raise ValidationError(errors)


def document_add(
    *,
    actor: User,
    upload: UploadedFile | None,
    kind: str,
    title: str,
    issuer: str = "",
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
) -> SupplierDocument:
    """Add a document to the actor's supplier's library (checked by content, fingerprinted)."""
    supplier = access.supplier_of(actor) if access.is_supplier_contact(actor) else None
    if supplier is None:
        raise NotAllowedError(_("Only the supplier's own contact people add documents to its library."))
    document = SupplierDocument(
        supplier=supplier,
        kind=kind or "",
        title=title or "",
        issuer=issuer or "",
        valid_until=valid_until,
        uploaded_by=actor,
    )
    document.valid_from = valid_from  # type: ignore[assignment]  # None is refused by the cleaning below
    errors: dict[str, list[str]] = {}
    try:
        _clean_document(document)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    content_type = ""
    if upload is None:
        errors["file"] = [_("File: choose the file to upload.")]
    else:
        try:
            content_type = uploads.validate_evidence(upload)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    document.content_type = content_type
    document.size = upload.size or 0
    document.sha256 = uploads.sha256_of(upload)
    document.original_name = (upload.name or "file").replace("/", "_").replace("\\", "_")[:255]
    with transaction.atomic():
        document.file.save(document.original_name, upload, save=False)
        # A rolled-back transaction leaves an orphan file that nothing serves.
        document.save()
        audit_record(
            actor=actor,
            action="supplier_document.added",
            obj=document,
            after=snapshot(document, DOCUMENT_FIELDS)
            | {"supplier": supplier.name, "file": document.original_name, "sha256": document.sha256},
        )
    return document


@transaction.atomic
def document_withdraw(*, actor: User, document: SupplierDocument) -> SupplierDocument:
    """Take a document out of the library. It stays in the history, never deleted."""
    if not access.is_supplier_contact(actor) or access.supplier_of(actor).pk != document.supplier_id:
        raise NotAllowedError()
    locked = SupplierDocument.objects.select_for_update().get(pk=document.pk)
    if locked.withdrawn_at is not None:
        return locked
    locked.withdrawn_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["withdrawn_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="supplier_document.withdrawn",
        obj=locked,
        before={"withdrawn": False},
        after={"withdrawn": True},
    )
    return locked


# --- Subcontractor declarations ---------------------------------------------------------

DECLARATION_FIELDS = ["name", "org_number", "country", "role", "collective_agreement"]


def _clean_declaration(declaration: SubcontractorDeclaration) -> None:
    """The same rules as the contract's own subcontractor list, so that accepting never fails."""
    contract_services.clean_subcontractor_fields(declaration, require_org_number=True)


@transaction.atomic
def declaration_submit(*, actor: User, contract: Contract, **fields: Any) -> SubcontractorDeclaration:
    """The supplier declares a subcontractor on one of its contracts."""
    supplier = access.supplier_of(actor) if access.is_supplier_contact(actor) else None
    if supplier is None:
        raise NotAllowedError(_("Only the supplier's own contact people declare its subcontractors."))
    if not contract.suppliers.filter(pk=supplier.pk).exists():
        raise NotAllowedError()
    unknown = set(fields) - set(DECLARATION_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    declaration = SubcontractorDeclaration(
        contract=contract, supplier=supplier, submitted_by=actor, **{k: v or "" for k, v in fields.items()}
    )
    _clean_declaration(declaration)
    declaration.save()
    audit_record(
        actor=actor,
        action="subcontractor_declaration.submitted",
        obj=declaration,
        after=snapshot(declaration, DECLARATION_FIELDS) | {"contract": contract.contract_number},
    )
    return declaration


def _matching_subcontractor(declaration: SubcontractorDeclaration) -> Subcontractor | None:
    """The contract's existing entry for the same company: same org number, or same name abroad."""
    qs = Subcontractor.objects.filter(contract=declaration.contract, supplier=declaration.supplier)
    if declaration.org_number:
        return qs.filter(org_number=declaration.org_number).first()
    return qs.filter(org_number="", country=declaration.country, name__iexact=declaration.name).first()


@transaction.atomic
def declaration_review(
    *,
    actor: User,
    declaration: SubcontractorDeclaration,
    expected_version: int | None,
    accept: bool | None,
    comment: str = "",
) -> SubcontractorDeclaration:
    """Inköp accepts (the contract's subcontractor list gets it) or rejects with a comment."""
    if not access_accounts.has_perm(actor, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()
    if accept is None:
        raise ValidationError({"decision": [_("Decision: choose accept or reject.")]})
    locked = core_services.lock(
        SubcontractorDeclaration.objects.select_related("contract", "supplier"), declaration.pk, expected_version
    )
    if locked.status != DeclarationStatus.SUBMITTED:
        raise DomainError(_("This declaration has already been reviewed."))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError(
            {"comment": [_("Comment: say why you reject the declaration, so the supplier can fix it.")]}
        )
    # The contracts service records the subcontractor's own history.
    if accept:
        fields = {f: getattr(locked, f) for f in DECLARATION_FIELDS}
        existing = _matching_subcontractor(locked)
        if existing is None:
            locked.subcontractor = contract_services.subcontractor_add(
                actor=actor, contract=locked.contract, supplier=locked.supplier, **fields
            )
        else:
            locked.subcontractor = contract_services.subcontractor_update(
                actor=actor, subcontractor=existing, expected_version=None, **fields
            )
            if not locked.subcontractor.is_active:
                contract_services.subcontractor_set_active(actor=actor, subcontractor=existing, active=True)
    before = {"status": locked.status}
    locked.status = DeclarationStatus.ACCEPTED if accept else DeclarationStatus.REJECTED
    locked.review_comment = comment
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="subcontractor_declaration.accepted" if accept else "subcontractor_declaration.rejected",
        obj=locked,
        before=before,
        after={"status": locked.status, "comment": comment},
    )
    return locked
