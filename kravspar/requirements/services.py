"""Every change to requirements and the requirement library."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import failures
from kravspar.core import services as core_services
from kravspar.core.errors import ConcurrentEditError, DomainError, NotAllowedError
from kravspar.procurements import policy
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Aim, Procurement, ProcurementStatus, StrategyEntry
from kravspar.requirements.models import Level, Requirement, RequirementTemplate, RequirementType, VerifiedWhen

if TYPE_CHECKING:
    from kravspar.accounts.models import User

REQUIREMENT_FIELDS = [
    "title",
    "type",
    "text",
    "level",
    "criterion_ref",
    "criterion_version",
    "evidence",
    "verified_when",
    "binds_subcontractors",
    "aims",
]
TEMPLATE_FIELDS = [*REQUIREMENT_FIELDS, "source"]


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not access.has_perm(actor, perm):
        raise NotAllowedError()


def clean_requirement_fields(obj: Requirement | RequirementTemplate) -> None:
    errors: dict[str, list[str]] = {}
    obj.title = obj.title.strip()
    obj.text = obj.text.strip()
    if not obj.title:
        errors["title"] = [_("Title: give the requirement a short title.")]
    if not obj.text:
        errors["text"] = [_("Requirement: write the requirement text.")]
    if obj.type not in RequirementType.values:
        errors["type"] = [_("Type: choose one of the requirement types.")]
    if obj.level and obj.level not in Level.values:
        errors["level"] = [_("Level: choose base, advanced or spearhead.")]
    if obj.verified_when not in VerifiedWhen.values:
        errors["verified_when"] = [_("Verified: choose when the requirement is verified.")]
    try:
        obj.aims = sorted({int(a) for a in obj.aims or []})
    except (TypeError, ValueError):
        obj.aims = []
        errors["aims"] = [_("Aims: use the numbers 1–6.")]
    if set(obj.aims) - set(Aim.values):
        errors["aims"] = [_("Aims: use the numbers 1–6.")]
    if errors:
        raise ValidationError(errors)


def _editable(procurement: Procurement) -> None:
    if procurement.status == ProcurementStatus.CANCELLED or (
        procurement.status == ProcurementStatus.CONCLUDED and not retrofitting(procurement)
    ):
        raise ValidationError(_("A concluded or cancelled procurement's requirements cannot be changed."))


def retrofitting(procurement: Procurement) -> bool:
    """A concluded procurement whose contract was signed without a follow-up strategy
    (typically one that predates Kravspår) may still get requirements and a strategy:
    that is how such a contract gets followed up. Once every contract has adopted an
    approved strategy, the procurement is closed to changes again."""
    from kravspar.contracts.models import Contract

    return Contract.objects.filter(procurement=procurement, strategy_missing=True).exists()


def _after_change(procurement: Procurement, actor: User | None) -> None:
    """Changing requirements after the strategy was frozen opens a new draft version,
    which needs a new approval (the approved version stays as it was)."""
    current = policy.current_strategy(procurement)
    if current is not None and current.is_frozen:
        procurement_services._draft(procurement, actor)
    procurement_services._touch(procurement)


@transaction.atomic
def requirement_add(
    *, actor: User | None, procurement: Procurement, template: RequirementTemplate | None = None, **fields: Any
) -> Requirement:
    """Add a requirement, typed in or copied from the library (fields override the template)."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = procurement_services._lock(procurement)
    _editable(locked)
    data: dict[str, Any] = {f: getattr(template, f) for f in REQUIREMENT_FIELDS} if template else {}
    data.update({k: v for k, v in fields.items() if k in REQUIREMENT_FIELDS})
    data.setdefault("aims", [])
    position = (locked.requirements.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    requirement = Requirement(procurement=locked, template=template, position=position, **data)
    clean_requirement_fields(requirement)
    requirement.save()
    _after_change(locked, actor)
    audit_record(
        actor=actor,
        action="requirement.added",
        obj=requirement,
        organisation=procurement_services._org(locked),
        after=snapshot(requirement, REQUIREMENT_FIELDS) | ({"template": template.title} if template else {}),
    )
    return requirement


@transaction.atomic
def requirement_update(
    *, actor: User | None, requirement: Requirement, expected_version: int | None, **changes: Any
) -> Requirement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked_procurement = procurement_services._lock(requirement.procurement)
    _editable(locked_procurement)
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    before = snapshot(locked, REQUIREMENT_FIELDS)
    for key, value in changes.items():
        if key not in REQUIREMENT_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(locked, key, value)
    clean_requirement_fields(locked)
    after = snapshot(locked, REQUIREMENT_FIELDS)
    if after == before:
        return locked
    locked.version += 1
    locked.save()
    _after_change(locked_procurement, actor)
    audit_record(
        actor=actor,
        action="requirement.updated",
        obj=locked,
        organisation=procurement_services._org(locked_procurement),
        before=before,
        after=after,
    )
    return locked


@transaction.atomic
def requirement_remove(*, actor: User | None, requirement: Requirement) -> Requirement:
    """Remove a requirement from the procurement. It stays readable in the strategy
    versions that mention it."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked_procurement = procurement_services._lock(requirement.procurement)
    _editable(locked_procurement)
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if locked.removed:
        return locked
    locked.removed = True
    locked.version += 1
    locked.save(update_fields=["removed", "version", "updated_at"])
    _after_change(locked_procurement, actor)
    # The new draft does not follow up a removed requirement.
    current = policy.current_strategy(locked_procurement)
    if current is not None and not current.is_frozen:
        StrategyEntry.objects.filter(strategy=current, requirement=locked).delete()
    audit_record(
        actor=actor,
        action="requirement.removed",
        obj=locked,
        organisation=procurement_services._org(locked_procurement),
        before={"removed": False},
        after={"removed": True},
    )
    return locked


# --- Library ----------------------------------------------------------------------------


@transaction.atomic
def template_create(*, actor: User | None, **fields: Any) -> RequirementTemplate:
    _require(actor, Perm.MANAGE_LIBRARY)
    template = RequirementTemplate(**{k: v for k, v in fields.items() if k in TEMPLATE_FIELDS})
    clean_requirement_fields(template)
    if RequirementTemplate.objects.filter(title__iexact=template.title).exists():
        raise ValidationError({"title": [_("Title: the library already has a requirement with this title.")]})
    template.save()
    audit_record(actor=actor, action="library.created", obj=template, after=snapshot(template, TEMPLATE_FIELDS))
    return template


@transaction.atomic
def template_update(
    *, actor: User | None, template: RequirementTemplate, expected_version: int | None, **changes: Any
) -> RequirementTemplate:
    """Change a library template. Requirements already copied from it keep their text."""
    _require(actor, Perm.MANAGE_LIBRARY)
    locked = core_services.lock(RequirementTemplate.objects.all(), template.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=[*TEMPLATE_FIELDS, "is_active"],
        changes=changes,
        clean=clean_requirement_fields,
        action="library.updated",
    )
    return locked


CSV_COLUMNS = [
    "title",
    "type",
    "text",
    "level",
    "criterion_ref",
    "criterion_version",
    "evidence",
    "verified_when",
    "binds_subcontractors",
    "aims",
    "source",
]


def _csv_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "ja", "yes", "x"}


def library_import_csv(*, actor: User | None, data: bytes, dry_run: bool = False) -> dict[str, Any]:
    """See ``_library_import_csv``. A bug met by this file (anything but the file's own
    refusal or a permission error) refuses it as an internal error with a reference (the log
    has the traceback); nothing is stored, as with any refusal."""
    try:
        return _library_import_csv(actor=actor, data=data, dry_run=dry_run)
    except (ValidationError, PermissionDenied, DomainError):
        raise
    except Exception as exc:
        reference = failures.log_internal_error("a requirement library CSV file", exc)
        raise ValidationError(failures.internal_error_text(reference)) from None


def _library_import_csv(*, actor: User | None, data: bytes, dry_run: bool = False) -> dict[str, Any]:
    """Import templates from CSV (UTF-8, comma or semicolon separated, header row with
    the column names in CSV_COLUMNS; type, level and verified_when use the stored values).

    Every row is checked first; if any row is wrong nothing is imported and the errors
    are reported row by row. Existing titles are updated, new ones created."""
    _require(actor, Perm.MANAGE_LIBRARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    try:
        # Read whole first: a broken quote or a field over the csv module's limit is then
        # one refusal of the file, not an exception halfway through the rows.
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        fieldnames = reader.fieldnames
        csv_rows = list(reader)
    except csv.Error:
        raise ValidationError(_("The CSV file cannot be read; save it again as CSV.")) from None
    missing_columns = {"title", "type", "text"} - set(fieldnames or [])
    if missing_columns:
        raise ValidationError(
            _("The file lacks the columns %(columns)s.") % {"columns": ", ".join(sorted(missing_columns))}
        )
    rows: list[tuple[int, RequirementTemplate, bool]] = []
    errors: list[str] = []
    existing = {t.title.lower(): t for t in RequirementTemplate.objects.all()}
    for number, row in enumerate(csv_rows, start=2):
        values = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        template = existing.get(values["title"].lower()) or RequirementTemplate()
        is_new = template.pk is None
        for key in ("title", "type", "text", "level", "criterion_ref", "criterion_version", "evidence", "source"):
            setattr(template, key, values[key])
        template.verified_when = values["verified_when"] or VerifiedWhen.AFTER_CONTRACT
        template.binds_subcontractors = _csv_bool(values["binds_subcontractors"])
        template.aims = [a for a in values["aims"].replace(";", ",").replace(" ", ",").split(",") if a]
        try:
            clean_requirement_fields(template)
        except ValidationError as exc:
            errors.extend(_("Row %(row)d: %(error)s") % {"row": number, "error": m} for m in exc.messages)
            continue
        rows.append((number, template, is_new))
    if errors:
        raise ValidationError(errors)
    created_titles = [t.title for _n, t, new in rows if new]
    updated_titles = [t.title for _n, t, new in rows if not new]
    result = {
        "created": len(created_titles),
        "updated": len(updated_titles),
        "created_titles": created_titles,
        "updated_titles": updated_titles,
        "dry_run": dry_run,
    }
    if dry_run:
        return result
    with transaction.atomic():
        for _number, template, is_new in rows:
            if not is_new:
                template.version += 1
            template.save()
            audit_record(
                actor=actor,
                action="library.imported",
                obj=template,
                after=snapshot(template, TEMPLATE_FIELDS) | {"new": is_new},
            )
    return result
