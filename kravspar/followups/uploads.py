"""Evidence files: size-limited, type-checked by their content (never by the name the
uploader gave them), fingerprinted with SHA-256, stored under MEDIA_ROOT with a random
name and served only by ``views.evidence_download`` after an access check.

Accepted: PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files, and UTF-8 text or CSV.
"""

from __future__ import annotations

import hashlib
import zipfile
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kravspar.accounts import access
from kravspar.audit.services import audit_record
from kravspar.core.errors import NotAllowedError
from kravspar.followups.models import Activity, ActivityStatus, Evidence

if TYPE_CHECKING:
    from kravspar.accounts.models import User

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
CSV = "text/csv"

ACCEPTED_HELP = _("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), text or CSV")


def max_bytes() -> int:
    return int(getattr(settings, "KRAVSPAR_MAX_EVIDENCE_BYTES", DEFAULT_MAX_BYTES))


def _office_type(f: IO[bytes]) -> str | None:
    """A .docx or .xlsx is a ZIP with a [Content_Types].xml member and its main part."""
    try:
        with zipfile.ZipFile(f) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(f: IO[bytes]) -> bool:
    f.seek(0)
    data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Control characters other than tab, newline, carriage return and form feed mean binary.
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def sniff(f: IO[bytes], name: str = "") -> str | None:
    """The content type of the file judged from its bytes, or None if it is not accepted."""
    f.seek(0)
    head = f.read(8)
    content_type: str | None
    if head.startswith(b"%PDF-"):
        content_type = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
    elif head.startswith(b"PK\x03\x04"):
        f.seek(0)
        content_type = _office_type(f)
    elif _is_text(f):
        # Text and CSV look alike; the name only chooses between two harmless labels.
        content_type = CSV if name.lower().endswith(".csv") else TEXT
    else:
        content_type = None
    f.seek(0)
    return content_type


def validate_evidence(upload: UploadedFile) -> str:
    """The content type, or ValidationError explaining what is wrong."""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s. Upload a smaller file.") % {"limit": filesizeformat(limit)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff(upload.file, upload.name or "")  # type: ignore[arg-type]
    if content_type is None:
        raise ValidationError(
            {"file": _("This kind of file is not accepted. Upload %(accepted)s.") % {"accepted": ACCEPTED_HELP}}
        )
    return content_type


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def evidence_add(*, actor: User, activity: Activity, upload: UploadedFile) -> Evidence:
    if not access.can_record_activity(actor, activity):
        raise NotAllowedError()
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"file": _("A cancelled follow-up takes no evidence.")})
    content_type = validate_evidence(upload)
    sha256 = sha256_of(upload)
    original_name = (upload.name or "file").replace("/", "_").replace("\\", "_")[:255]
    evidence = Evidence(
        activity=activity,
        original_name=original_name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=actor,
    )
    evidence.file.save(original_name, upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            audit_record(
                actor=actor,
                action="activity.evidence_added",
                obj=activity,
                after={"file": original_name, "sha256": sha256, "size": evidence.size, "content_type": content_type},
            )
    except BaseException:
        # Nothing refers to the stored file: remove it rather than leave it behind. (Should a
        # caller's outer transaction roll back later, `prune_orphan_files` finds the file.)
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


# A file uploaded by mistake may be removed while the follow-up is still being done; once it
# is under review or done, its evidence is part of the record and stays.
REMOVABLE = (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS, ActivityStatus.AWAITING_SUPPLIER)


def evidence_remove(*, actor: User, evidence: Evidence, reason: str) -> None:
    """Remove an evidence file uploaded by mistake. The history keeps its name, checksum,
    who uploaded it and why it was removed; the file itself goes once the removal commits."""
    if not access.can_record_activity(actor, evidence.activity):
        raise NotAllowedError()
    if evidence.activity.status not in REMOVABLE:
        raise NotAllowedError(
            _("Evidence of a follow-up that is under review or done is part of the record and cannot be removed.")
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Reason: say why the file is removed.")})
    with transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).delete()
        audit_record(
            actor=actor,
            action="activity.evidence_removed",
            obj=evidence.activity,
            before={
                "file": evidence.original_name,
                "sha256": evidence.sha256,
                "uploaded_by": str(evidence.uploaded_by),
            },
            after={"reason": reason},
        )
        name, storage = evidence.file.name, evidence.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))
