"""Creating and changing a procurement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.cpv.models import CpvCode
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements.models import AgreementType, Procedure, Procurement, ProcurementKind, ProcurementStatus, Tier
from kravspar.procurements.services.common import _lock, _org, _require
from kravspar.procurements.services.errors import TransitionError
from kravspar.secrecy.diary import diary_number_error

if TYPE_CHECKING:
    from kravspar.accounts.models import User


PROCUREMENT_FIELDS = [
    "registry_number",
    "title",
    "description",
    "officer",
    "cpv_main",
    "kind",
    "procedure",
    "agreement_type",
    "estimated_value",
    "duration_months",
    "criticality",
    "supply_risk",
    "tier_override",
    "tier_override_reason",
]


def _clean(procurement: Procurement, buyers: list[Organisation]) -> None:
    errors: dict[str, list[str]] = {}
    procurement.registry_number = procurement.registry_number.strip()
    procurement.title = procurement.title.strip()
    if not procurement.registry_number:
        errors["registry_number"] = [_("Registry number: write the case's registry number (diarienummer).")]
    elif (
        Procurement.objects.filter(registry_number__iexact=procurement.registry_number)
        .exclude(pk=procurement.pk)
        .exists()
    ):
        errors["registry_number"] = [
            _("Registry number: %(number)s is already used by another procurement.")
            % {"number": procurement.registry_number}
        ]
    elif error := diary_number_error(procurement.registry_number, buyers, label=_("Registry number")):
        errors["registry_number"] = [error]
    if not procurement.title:
        errors["title"] = [_("Title: write what is being procured.")]
    if procurement.kind not in ProcurementKind.values:
        errors["kind"] = [_("Kind: choose goods, services or works.")]
    if procurement.procedure and procurement.procedure not in Procedure.values:
        errors["procedure"] = [_("Procedure: choose one of the procedures of LOU, or direct award.")]
    if procurement.agreement_type not in AgreementType.values:
        errors["agreement_type"] = [_("Contract or framework agreement: choose one.")]
    if not buyers:
        errors["buyers"] = [_("Buying organisations: choose at least one.")]
    if procurement.estimated_value is not None and procurement.estimated_value < 0:
        errors["estimated_value"] = [_("Estimated value: cannot be negative.")]
    if procurement.tier_override and not procurement.tier_override_reason.strip():
        errors["tier_override_reason"] = [_("Reason: say why the follow-up tier is set by hand.")]
    if procurement.tier_override and procurement.tier_override not in Tier.values:
        errors["tier_override"] = [_("Follow-up tier: choose A, B or C.")]
    for field in ("criticality", "supply_risk"):
        value = getattr(procurement, field)
        if value is not None and value not in (1, 2, 3):
            errors[field] = [_("Choose 1 (low), 2 (medium) or 3 (high).")]
    if errors:
        raise ValidationError(errors)


def _snapshot(
    procurement: Procurement, buyers: Iterable[Organisation], units: Iterable[Unit], cpv: Iterable[Any]
) -> dict[str, Any]:
    return snapshot(procurement, PROCUREMENT_FIELDS) | {
        "buyers": sorted(str(b) for b in buyers),
        "ordering_units": sorted(str(u) for u in units),
        "cpv_additional": sorted(str(c.pk) for c in cpv),
    }


@transaction.atomic
def procurement_create(
    *,
    actor: User | None,
    buyers: Iterable[Organisation],
    ordering_units: Iterable[Unit] = (),
    cpv_additional: Iterable[CpvCode] = (),
    **fields: Any,
) -> Procurement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    unknown = set(fields) - set(PROCUREMENT_FIELDS) - {"source", "status"}
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    buyers, ordering_units, cpv_additional = list(buyers), list(ordering_units), list(cpv_additional)
    procurement = Procurement(**fields)
    _clean(procurement, buyers)
    try:
        with transaction.atomic():
            procurement.save()
    except IntegrityError as exc:
        raise ValidationError({"registry_number": [_("Registry number: already used.")]}) from exc
    procurement.buyers.set(buyers)
    procurement.ordering_units.set(ordering_units)
    procurement.cpv_additional.set(cpv_additional)
    audit_record(
        actor=actor,
        action="procurement.created",
        obj=procurement,
        organisation=buyers[0] if buyers else None,
        after=_snapshot(procurement, buyers, ordering_units, cpv_additional),
    )
    return procurement


@transaction.atomic
def procurement_update(
    *,
    actor: User | None,
    procurement: Procurement,
    expected_version: int | None,
    buyers: Iterable[Organisation] | None = None,
    ordering_units: Iterable[Unit] | None = None,
    cpv_additional: Iterable[CpvCode] | None = None,
    **changes: Any,
) -> Procurement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement, expected_version)
    if locked.status in (ProcurementStatus.CONCLUDED, ProcurementStatus.CANCELLED):
        raise TransitionError(_("A concluded or cancelled procurement cannot be changed."))
    old = (list(locked.buyers.all()), list(locked.ordering_units.all()), list(locked.cpv_additional.all()))
    before = _snapshot(locked, *old)
    for key, value in changes.items():
        if key not in PROCUREMENT_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(locked, key, value)
    new = (
        list(buyers) if buyers is not None else old[0],
        list(ordering_units) if ordering_units is not None else old[1],
        list(cpv_additional) if cpv_additional is not None else old[2],
    )
    _clean(locked, new[0])
    after = _snapshot(locked, *new)
    if after == before:
        return locked
    locked.version += 1
    locked.save()
    locked.buyers.set(new[0])
    locked.ordering_units.set(new[1])
    locked.cpv_additional.set(new[2])
    audit_record(
        actor=actor, action="procurement.updated", obj=locked, organisation=_org(locked), before=before, after=after
    )
    return locked
