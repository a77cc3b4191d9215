"""Every change to policy documents, their versions, acknowledgements and the regions'
contact details for suppliers. Views, the API and the demo call these functions."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Role
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.followups import uploads
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.supplierinfo.models import (
    Acknowledgement,
    DocumentKind,
    PolicyDocument,
    PolicyDocumentVersion,
    RegionContact,
)

if TYPE_CHECKING:
    from kravspar.accounts.models import User

DOCUMENT_FIELDS = ["title", "kind", "description", "title_en", "description_en"]
CONTACT_FIELDS = ["visiting_address", "phone", "email", "website"]

# Policy documents are read, not edited: PDF, Word, Excel or plain text. Images are
# evidence, not policy, so they are refused here although follow-up evidence takes them.
ACCEPTED_TYPES = frozenset({uploads.PDF, uploads.DOCX, uploads.XLSX, uploads.TEXT, uploads.CSV})


class NotCurrentError(DomainError):
    code = "not_current"
    status = 409


def _require_admin(actor: User | None) -> None:
    # actor=None is the system itself (the demo, commands).
    if actor is not None and not access.is_administrator(actor):
        raise NotAllowedError()


def can_acknowledge(user: Any) -> bool:
    return getattr(user, "supplier_id", None) is not None and Role.SUPPLIER_CONTACT in access.roles_of(user)


def _clean_document(document: PolicyDocument) -> None:
    errors: dict[str, list[str]] = {}
    document.title = (document.title or "").strip()
    document.description = (document.description or "").strip()
    document.title_en = (document.title_en or "").strip()
    document.description_en = (document.description_en or "").strip()
    if not document.title:
        errors["title"] = [_("Title: give the document's name as the region publishes it.")]
    if document.kind not in DocumentKind.values:
        errors["kind"] = [_("Kind: choose policy, guideline, code of conduct or other document.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def document_create(
    *,
    actor: User | None,
    title: str,
    kind: str,
    description: str = "",
    title_en: str = "",
    description_en: str = "",
) -> PolicyDocument:
    _require_admin(actor)
    document = PolicyDocument(
        title=title, kind=kind, description=description, title_en=title_en, description_en=description_en
    )
    _clean_document(document)
    document.save()
    audit_record(
        actor=actor,
        action="policy_document.created",
        obj=document,
        after=snapshot(document, DOCUMENT_FIELDS),
    )
    return document


@transaction.atomic
def document_update(
    *, actor: User | None, document: PolicyDocument, version: int | None = None, **changes: Any
) -> PolicyDocument:
    _require_admin(actor)
    locked = core_services.lock(PolicyDocument.objects.all(), document.pk, version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=DOCUMENT_FIELDS,
        changes=changes,
        clean=_clean_document,
        action="policy_document.updated",
    )
    return locked


@transaction.atomic
def document_withdraw(
    *, actor: User | None, document: PolicyDocument, reason: str, version: int | None = None
) -> PolicyDocument:
    """Take a document off the public page; its versions and history stay."""
    _require_admin(actor)
    locked = core_services.lock(PolicyDocument.objects.all(), document.pk, version)
    reason = (reason or "").strip()
    if locked.is_withdrawn:
        raise DomainError(_("The document is already withdrawn."))
    if not reason:
        raise ValidationError({"reason": [_("Reason: say why suppliers no longer need this document.")]})
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="policy_document.withdrawn",
        obj=locked,
        before={"withdrawn": False},
        after={"withdrawn": True, "reason": reason},
    )
    return locked


@transaction.atomic
def document_restore(*, actor: User | None, document: PolicyDocument, version: int | None = None) -> PolicyDocument:
    _require_admin(actor)
    locked = core_services.lock(PolicyDocument.objects.all(), document.pk, version)
    if not locked.is_withdrawn:
        raise DomainError(_("The document is not withdrawn."))
    locked.withdrawn_at = None
    locked.withdrawn_reason = ""
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="policy_document.restored",
        obj=locked,
        before={"withdrawn": True},
        after={"withdrawn": False},
    )
    return locked


def validate_upload(upload: UploadedFile) -> str:
    """The file's content type judged from its bytes, or ValidationError keyed on "file"."""
    limit = uploads.max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s. Upload a smaller file.") % {"limit": filesizeformat(limit)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = uploads.sniff(upload.file, upload.name or "")  # type: ignore[arg-type]
    if content_type not in ACCEPTED_TYPES:
        raise ValidationError(
            {"file": _("This kind of file is not accepted. Upload a PDF, Word (.docx), Excel (.xlsx) or text file.")}
        )
    return content_type


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError({"url": [_("Link: give a full web address starting with https://.")]}) from None
    return url


@transaction.atomic
def version_publish(
    *,
    actor: User | None,
    document: PolicyDocument,
    label: str,
    valid_from: datetime.date | None,
    upload: UploadedFile | None = None,
    url: str = "",
    change_note: str = "",
) -> PolicyDocumentVersion:
    """Publish a new version; it becomes the document's current version at once."""
    _require_admin(actor)
    locked = core_services.lock(PolicyDocument.objects.all(), document.pk, None)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    url = (url or "").strip()
    if not label:
        errors["label"] = [_("Version: give the version as the document names it, e.g. 2.1.")]
    elif locked.versions.filter(label=label).exists():
        errors["label"] = [_("Version: this document already has a version %(label)s.") % {"label": label}]
    if valid_from is None:
        errors["valid_from"] = [_("Valid from: give the date the version applies from.")]
    if locked.is_withdrawn:
        errors["label"] = [*errors.get("label", []), _("The document is withdrawn. Restore it before publishing.")]
    if upload is None and not url:
        errors["file"] = [_("Upload the document or give a link to it.")]
    elif upload is not None and url:
        errors["file"] = [_("Give either a file or a link, not both.")]
    content_type = ""
    if upload is not None and "file" not in errors:
        try:
            content_type = validate_upload(upload)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if url and "file" not in errors:
        try:
            url = _clean_url(url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors or valid_from is None:
        raise ValidationError(errors)
    new = PolicyDocumentVersion(
        document=locked,
        label=label,
        valid_from=valid_from,
        url=url,
        change_note=(change_note or "").strip(),
        published_by=actor,
        published_at=timezone.now(),
    )
    if upload is not None:
        new.original_name = (upload.name or "document").replace("/", "_").replace("\\", "_")[:255]
        new.content_type = content_type
        new.size = upload.size
        new.sha256 = uploads.sha256_of(upload)
        new.file.save(new.original_name, upload, save=False)
    try:
        new.save()
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="policy_document.version_published",
            obj=locked,
            after={
                "version": label,
                "valid_from": valid_from.isoformat(),
                "link": url or None,
                "file": new.original_name or None,
                "sha256": new.sha256 or None,
                "change_note": new.change_note or None,
            },
        )
    except BaseException:
        # The transaction rolls back: nothing will refer to the stored file, so remove it.
        if new.file:
            new.file.storage.delete(new.file.name)  # type: ignore[arg-type]
        raise
    return new


@transaction.atomic
def acknowledge(*, actor: User, version: PolicyDocumentVersion) -> tuple[Acknowledgement, bool]:
    """The supplier contact confirms having read the version. Always for the actor
    themself; confirming twice is harmless and returns the first confirmation."""
    from kravspar.supplierinfo.selectors import current_versions

    if not can_acknowledge(actor):
        raise NotAllowedError(_("Only a supplier's contact person confirms having read the documents."))
    if not current_versions().filter(pk=version.pk).exists():
        raise NotCurrentError(
            _("This version is no longer current. Reload the page and confirm the current version instead.")
        )
    existing = Acknowledgement.objects.filter(user=actor, version=version).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(user=actor, version=version, at=timezone.now())
    except IntegrityError:
        # Two clicks at once: the other one won.
        return Acknowledgement.objects.get(user=actor, version=version), False
    audit_record(
        actor=actor,
        action="policy_document.acknowledged",
        obj=version,
        after={"supplier": str(actor.supplier), "version": version.label},
    )
    return ack, True


def _clean_contact(contact: RegionContact) -> None:
    errors: dict[str, list[str]] = {}
    for name in CONTACT_FIELDS:
        setattr(contact, name, (getattr(contact, name) or "").strip())
    if contact.email:
        from django.core.validators import validate_email

        try:
            validate_email(contact.email)
        except ValidationError:
            errors["email"] = [_("E-mail address: give an address like post@region.se.")]
    if contact.website:
        try:
            contact.website = _clean_url(contact.website)
        except ValidationError:
            errors["website"] = [_("Website: give a full web address starting with https://.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def region_contact_save(
    *, actor: User | None, organisation: Organisation, version: int | None = None, **changes: Any
) -> RegionContact:
    """Create or change how suppliers reach a region."""
    _require_admin(actor)
    if organisation.kind != OrganisationKind.REGION:
        raise ValidationError({"organisation": [_("Contact details for suppliers are kept for regions only.")]})
    contact = RegionContact.objects.filter(organisation=organisation).first()
    if contact is None:
        contact = RegionContact(organisation=organisation, **{k: changes.get(k, "") for k in CONTACT_FIELDS})
        _clean_contact(contact)
        contact.save()
        audit_record(
            actor=actor,
            action="region_contact.created",
            obj=contact,
            organisation=organisation,
            after={k: getattr(contact, k) for k in CONTACT_FIELDS},
        )
        return contact
    locked = core_services.lock(RegionContact.objects.all(), contact.pk, version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=CONTACT_FIELDS,
        changes={k: v for k, v in changes.items() if k in CONTACT_FIELDS},
        clean=_clean_contact,
        action="region_contact.updated",
        organisation=organisation,
    )
    return locked
