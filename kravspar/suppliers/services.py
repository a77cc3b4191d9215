"""Every change to suppliers. The statistics importer writes in bulk through
``kravspar.procurements.statistics``, with the same history rows as here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.suppliers.models import Sector, SizeClass, Supplier, supplier_name_key

if TYPE_CHECKING:
    from kravspar.accounts.models import User

SUPPLIER_FIELDS = ["name", "org_number", "size_class", "sector", "source"]
NAME_MAX_LENGTH = 200  # Supplier.name


def _require(actor: User | None) -> None:
    # Suppliers are registered as part of procurement work; actor=None is the system (imports).
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_PROCUREMENTS):
        raise NotAllowedError()


def clean_supplier(supplier: Supplier) -> None:
    errors: dict[str, list[str]] = {}
    supplier.name = " ".join(supplier.name.split())
    if not supplier.name:
        errors["name"] = [_("Name: write the supplier's name.")]
    elif len(supplier.name) > NAME_MAX_LENGTH:
        errors["name"] = [_("Name: at most 200 characters.")]
    if supplier.org_number:
        try:
            supplier.org_number = normalise_org_number(supplier.org_number)
        except ValidationError as exc:
            errors["org_number"] = exc.messages
    if supplier.size_class and supplier.size_class not in SizeClass.values:
        errors["size_class"] = [_("Size class: choose micro, small, medium or large.")]
    if supplier.sector and supplier.sector not in Sector.values:
        errors["sector"] = [_("Sector: choose private or public.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def supplier_get_or_create(
    *,
    actor: User | None,
    name: str,
    org_number: str = "",
    size_class: str = "",
    sector: str = "",
    source: str = "",
) -> tuple[Supplier, bool]:
    """The supplier with this name (case and spacing aside), or a new one.

    The organisation number, when given, wins over the name: two companies may share a
    name, one company has one number."""
    _require(actor)
    supplier = Supplier(name=name, org_number=org_number, size_class=size_class, sector=sector, source=source)
    clean_supplier(supplier)
    existing = None
    if supplier.org_number:
        existing = Supplier.objects.filter(org_number=supplier.org_number).order_by("id").first()
    if existing is None:
        existing = Supplier.objects.filter(name_key=supplier_name_key(supplier.name)).order_by("id").first()
    if existing is not None:
        return existing, False
    supplier.save()
    audit_record(actor=actor, action="supplier.created", obj=supplier, after=snapshot(supplier, SUPPLIER_FIELDS))
    return supplier, True
