"""Every change to suppliers. The statistics importer writes in bulk through
``kravspar.procurements.statistics``, with the same history rows as here."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.counties import County
from kravspar.organisations.identifiers import (
    SWEDISH_ORGNR_SCHEME,
    normalise_org_number,
    normalise_peppol_id,
    normalise_vat_number,
)
from kravspar.suppliers.countries import normalise_country
from kravspar.suppliers.models import CollectiveAgreement, Sector, SizeClass, Supplier, supplier_name_key

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


# --- The supplier registry ----------------------------------------------------------------
# Suppliers are shared reference data: every buyer role reads them; Inköp keeps them.

REGISTRY_FIELDS = [
    "name",
    "org_number",
    "foreign_id",
    "country",
    "vat_number",
    "peppol_scheme",
    "peppol_value",
    "street_address",
    "postal_code",
    "city",
    "county",
    "municipality",
    "size_class",
    "sector",
    "collective_agreement",
    "collective_agreement_name",
    "f_tax",
]
_POSTAL_CODE = re.compile(r"^\d{3} ?\d{2}$")


def _require_registry(actor: User | None) -> None:
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()


def clean_registry_supplier(supplier: Supplier) -> None:
    """Everything ``clean_supplier`` checks, plus what the registry needs: a Swedish
    organisation number or a foreign identifier with its country, and well-formed
    VAT, Peppol, county and collective-agreement data. Messages start with the field."""
    errors: dict[str, list[str]] = {}
    try:
        clean_supplier(supplier)
    except ValidationError as exc:
        errors.update(exc.message_dict)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("foreign_id", "vat_number", "peppol_value", "street_address", "city", "municipality"):
        setattr(supplier, field, str(getattr(supplier, field) or "").strip())
    supplier.collective_agreement_name = supplier.collective_agreement_name.strip()
    country = normalise_country(supplier.country or "SE")
    if country is None:
        add(
            "country",
            _("Country: %(value)s is not a two-letter ISO 3166 code, e.g. SE, NO or DE.") % {"value": supplier.country},
        )
    else:
        supplier.country = country
    swedish = supplier.country == "SE"
    if swedish and not supplier.org_number and "org_number" not in errors:
        add(
            "org_number",
            _("Organisation number: a Swedish supplier needs one; for a foreign supplier choose its country."),
        )
    if not swedish and not supplier.org_number and not supplier.foreign_id:
        add("foreign_id", _("Foreign identifier: write the supplier's registration number in its own country."))
    if supplier.org_number and "org_number" not in errors:
        clash = Supplier.objects.filter(org_number=supplier.org_number).exclude(pk=supplier.pk).first()
        if clash:
            add(
                "org_number",
                _("Organisation number: %(number)s is already registered for %(name)s.")
                % {"number": supplier.org_number, "name": clash.name},
            )
    if supplier.vat_number:
        if swedish:
            try:
                supplier.vat_number = normalise_vat_number(supplier.vat_number)
            except ValidationError as exc:
                add("vat_number", exc.messages[0])
        else:
            supplier.vat_number = "".join(supplier.vat_number.split()).upper()
    supplier.peppol_scheme = (supplier.peppol_scheme or "").strip()
    derive_peppol = not supplier.peppol_value and supplier.peppol_scheme in ("", SWEDISH_ORGNR_SCHEME)
    if derive_peppol and supplier.org_number and "org_number" not in errors:
        # 0007 derives from the organisation number by default.
        supplier.peppol_scheme, supplier.peppol_value = SWEDISH_ORGNR_SCHEME, supplier.org_number
    if supplier.peppol_value:
        if not supplier.peppol_scheme:
            add("peppol_scheme", _("Peppol scheme: choose the scheme of the Peppol id."))
        else:
            try:
                supplier.peppol_scheme, supplier.peppol_value = normalise_peppol_id(
                    supplier.peppol_scheme, supplier.peppol_value
                )
            except ValidationError as exc:
                add("peppol_scheme" if exc.code == "eas" else "peppol_value", exc.messages[0])
    elif supplier.peppol_scheme and supplier.peppol_scheme != SWEDISH_ORGNR_SCHEME:
        add("peppol_value", _("Peppol id: write the identifier for the chosen scheme."))
    if supplier.postal_code:
        code = supplier.postal_code.strip()
        if swedish:
            if not _POSTAL_CODE.match(code):
                add("postal_code", _("Postal code: write five digits, e.g. 721 89."))
            else:
                digits = code.replace(" ", "")
                supplier.postal_code = f"{digits[:3]} {digits[3:]}"
        else:
            supplier.postal_code = code
    if supplier.county:
        if not swedish:
            add("county", _("County: only Swedish suppliers have a county; leave it empty."))
        elif supplier.county not in County.values:
            add("county", _("County: choose one of the listed counties."))
    if supplier.collective_agreement and supplier.collective_agreement not in CollectiveAgreement.values:
        add("collective_agreement", _("Collective agreement: choose one of the listed answers."))
    if supplier.collective_agreement == CollectiveAgreement.AGREEMENT:
        if not supplier.collective_agreement_name:
            add(
                "collective_agreement_name",
                _("Which collective agreement: name it, e.g. Serviceentreprenadavtalet."),
            )
    else:
        supplier.collective_agreement_name = ""
    if errors:
        raise ValidationError(errors)


def _save_registry(supplier: Supplier) -> None:
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc


@transaction.atomic
def supplier_create(*, actor: User | None, **fields: Any) -> Supplier:
    """Register a supplier in the registry (not from an import)."""
    _require_registry(actor)
    unknown = set(fields) - set(REGISTRY_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    supplier = Supplier(**fields)
    clean_registry_supplier(supplier)
    _save_registry(supplier)
    audit_record(actor=actor, action="supplier.created", obj=supplier, after=snapshot(supplier, REGISTRY_FIELDS))
    return supplier


@transaction.atomic
def supplier_update(
    *, actor: User | None, supplier: Supplier, expected_version: int | None, **changes: Any
) -> Supplier:
    """Change a supplier. ``expected_version`` is the version the person saw; if
    someone saved in between, ConcurrentEditError and nothing changes."""
    _require_registry(actor)
    locked = core_services.lock(Supplier.objects.all(), supplier.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=REGISTRY_FIELDS,
        changes=changes,
        clean=clean_registry_supplier,
        action="supplier.updated",
    )
    return locked
