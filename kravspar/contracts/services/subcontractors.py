"""Subcontractors on a contract: adding, changing, activating and deactivating them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import (
    Contract,
    Subcontractor,
)
from kravspar.core import services as core_services
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.suppliers.countries import normalise_country
from kravspar.suppliers.models import CollectiveAgreement, Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User
from kravspar.contracts.services.checks import SUBCONTRACTOR_FIELDS, _organisation, _require

# --- Subcontractors ---------------------------------------------------------------------


def _clean_subcontractor(sub: Subcontractor) -> None:
    clean_subcontractor_fields(sub)


def clean_subcontractor_fields(sub: Any, *, require_org_number: bool = False) -> None:
    """The rules for a subcontractor's name, role, country, organisation number and
    collective agreement — on the contract's list and on a supplier's declaration of one
    (``portal``), which must pass these rules so that accepting it never fails. A
    declaration must give a Swedish subcontractor's number (``require_org_number``)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    sub.name = " ".join(str(sub.name or "").split())
    sub.role = " ".join(str(sub.role or "").split())
    sub.org_number = str(sub.org_number or "").strip()
    if not sub.name:
        add("name", _("Name: write the subcontractor's name."))
    elif len(sub.name) > 200:
        add("name", _("Name: at most 200 characters."))
    if not sub.role:
        add("role", _("What they do: describe the subcontractor's part of the delivery."))
    elif len(sub.role) > 300:
        add("role", _("What they do: at most 300 characters."))
    country = normalise_country(sub.country or "SE")
    if country is None:
        add(
            "country",
            _("Country: %(value)s is not a two-letter ISO 3166 code, e.g. SE, NO or DE.") % {"value": sub.country},
        )
    else:
        sub.country = country
    if sub.country == "SE" and not sub.org_number and require_org_number:
        add("org_number", _("Organisation number: a Swedish subcontractor has one; write its ten digits."))
    elif sub.country == "SE" and sub.org_number:
        try:
            sub.org_number = normalise_org_number(sub.org_number)
        except ValidationError as exc:
            add("org_number", exc.messages[0])
    elif sub.org_number:
        add("org_number", _("Organisation number: only Swedish subcontractors have one; leave it empty."))
    if sub.collective_agreement and sub.collective_agreement not in CollectiveAgreement.values:
        add("collective_agreement", _("Collective agreement: choose one of the listed answers."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subcontractor_add(*, actor: User | None, contract: Contract, supplier: Supplier, **fields: Any) -> Subcontractor:
    """Add a subcontractor in the chain of one of the contract's suppliers."""
    _require(actor)
    unknown = set(fields) - set(SUBCONTRACTOR_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    if not contract.suppliers.filter(pk=supplier.pk).exists():
        raise ValidationError({"supplier": [_("For supplier: choose one of the contract's suppliers.")]})
    sub = Subcontractor(contract=contract, supplier=supplier, **fields)
    _clean_subcontractor(sub)
    sub.save()
    audit_record(
        actor=actor,
        action="subcontractor.added",
        obj=sub,
        organisation=_organisation(contract),
        after=snapshot(sub, [*SUBCONTRACTOR_FIELDS, "supplier"]) | {"contract": contract.contract_number},
    )
    return sub


@transaction.atomic
def subcontractor_update(
    *, actor: User | None, subcontractor: Subcontractor, expected_version: int | None, **changes: Any
) -> Subcontractor:
    _require(actor)
    locked = core_services.lock(Subcontractor.objects.select_related("contract"), subcontractor.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=SUBCONTRACTOR_FIELDS,
        changes=changes,
        clean=_clean_subcontractor,
        action="subcontractor.updated",
        organisation=_organisation(locked.contract),
    )
    return locked


@transaction.atomic
def subcontractor_set_active(*, actor: User | None, subcontractor: Subcontractor, active: bool) -> Subcontractor:
    """Deactivate (no longer in the chain) or reactivate. Never deleted: deviations may refer to it."""
    _require(actor)
    return core_services.set_active(
        Subcontractor.objects.select_related("contract"),
        subcontractor.pk,
        actor=actor,
        active=active,
        activated="subcontractor.reactivated",
        deactivated="subcontractor.deactivated",
        organisation=lambda locked: _organisation(locked.contract),
    )


def subcontractor_deactivate(*, actor: User | None, subcontractor: Subcontractor) -> Subcontractor:
    return subcontractor_set_active(actor=actor, subcontractor=subcontractor, active=False)
