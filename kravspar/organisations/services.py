"""Every change to organisations and units. Views, the API, the admin and commands call
these functions; none of them saves an organisation or a unit itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.bulk import insert_rows
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.identifiers import (
    SWEDISH_ORGNR_SCHEME,
    normalise_org_number,
    normalise_peppol_id,
    normalise_vat_number,
)
from kravspar.organisations.models import PROVISIONING_ROLES, Organisation, OrganisationKind, Unit, UnitKind

if TYPE_CHECKING:
    from kravspar.accounts.models import User

ORGANISATION_FIELDS = [
    "kind",
    "parent",
    "name",
    "org_number",
    "peppol_scheme",
    "peppol_value",
    "vat_number",
    "street_address",
    "postal_code",
    "city",
    "county",
    "sso_required",
    "sso_provisioning",
    "sso_default_role",
]
UNIT_FIELDS = ["name", "kind", "description", "followup_contact"]
_POSTAL_CODE = re.compile(r"^\d{3} ?\d{2}$")


def _require_manage(actor: User | None) -> None:
    # actor=None is the system itself (seeding, imports run by an operator).
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_ORGANISATIONS):
        raise NotAllowedError()


def _organisation_errors(org: Organisation) -> dict[str, list[str]]:
    """Normalise identifiers in place and collect every error but a clash with another
    organisation, keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    org.name = org.name.strip()
    if not org.name:
        add("name", _("Name: write the organisation's name."))
    if org.kind not in OrganisationKind.values:
        add("kind", _("Kind: choose one of the listed kinds."))
    try:
        org.org_number = normalise_org_number(org.org_number)
    except ValidationError as exc:
        add("org_number", exc.messages[0])
    if org.kind == OrganisationKind.REGION and org.parent_id is not None:
        add("parent", _("Parent region: a region has no parent; leave the field empty."))
    if org.parent is not None:
        if org.parent.kind != OrganisationKind.REGION:
            add("parent", _("Parent region: the parent must be a region."))
        if org.pk is not None and org.parent.pk == org.pk:
            add("parent", _("Parent region: an organisation cannot be its own parent."))
    if not org.peppol_scheme:
        org.peppol_scheme = SWEDISH_ORGNR_SCHEME
    if not org.peppol_value and org.peppol_scheme == SWEDISH_ORGNR_SCHEME and "org_number" not in errors:
        org.peppol_value = org.org_number  # 0007 derives from the organisation number by default
    if not org.peppol_value:
        if "org_number" not in errors:
            add("peppol_value", _("Peppol id: write the identifier for the chosen scheme."))
    else:
        try:
            org.peppol_scheme, org.peppol_value = normalise_peppol_id(org.peppol_scheme, org.peppol_value)
        except ValidationError as exc:
            add("peppol_scheme" if exc.code == "eas" else "peppol_value", exc.messages[0])
    if org.vat_number:
        try:
            org.vat_number = normalise_vat_number(org.vat_number)
        except ValidationError as exc:
            add("vat_number", exc.messages[0])
    if org.postal_code:
        if not _POSTAL_CODE.match(org.postal_code.strip()):
            add("postal_code", _("Postal code: write five digits, e.g. 721 89."))
        else:
            digits = org.postal_code.replace(" ", "")
            org.postal_code = f"{digits[:3]} {digits[3:]}"
    if org.sso_default_role and org.sso_default_role not in {role.value for role in PROVISIONING_ROLES}:
        add("sso_default_role", _("Role for created accounts: choose one of the listed roles, or none."))
    return errors


def _add_clash_errors(
    org: Organisation, errors: dict[str, list[str]], number_owner: str | None, peppol_owner: str | None
) -> None:
    """Add the errors of an organisation number or Peppol id already registered for the
    organisation named ``number_owner`` / ``peppol_owner`` (None: not registered)."""
    if "org_number" not in errors and number_owner is not None:
        errors.setdefault("org_number", []).append(
            _("Organisation number: %(number)s is already registered for %(name)s.")
            % {"number": org.org_number_display, "name": number_owner}
        )
    if org.peppol_value and "peppol_value" not in errors and peppol_owner is not None:
        errors.setdefault("peppol_value", []).append(_("Peppol id: already used by %(name)s.") % {"name": peppol_owner})


def _clean_organisation(org: Organisation) -> None:
    """Normalise identifiers in place and collect every error, keyed by field."""
    errors = _organisation_errors(org)
    number_owner = peppol_owner = None
    if "org_number" not in errors:
        clash = Organisation.objects.filter(org_number=org.org_number).exclude(pk=org.pk).first()
        number_owner = clash.name if clash else None
    if org.peppol_value and "peppol_value" not in errors:
        clash = (
            Organisation.objects.filter(peppol_scheme=org.peppol_scheme, peppol_value=org.peppol_value)
            .exclude(pk=org.pk)
            .first()
        )
        peppol_owner = clash.name if clash else None
    _add_clash_errors(org, errors, number_owner, peppol_owner)
    if errors:
        raise ValidationError(errors)


def _save(obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # A parallel request registered the same identifier between our check and the insert.
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc


@transaction.atomic
def organisation_create(*, actor: User | None, **fields: Any) -> Organisation:
    _require_manage(actor)
    org = Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    _clean_organisation(org)
    _save(org)
    audit_record(
        actor=actor, action="organisation.created", obj=org, organisation=org, after=snapshot(org, ORGANISATION_FIELDS)
    )
    return org


@transaction.atomic
def organisations_create_many(
    *, actor: User | None, items: Iterable[dict[str, Any]]
) -> list[Organisation | ValidationError]:
    """``organisation_create`` for many organisations at once (imports): the same
    normalisation, validation and history row each, with one query per identifier for the
    clashes and one ``executemany`` per table. Returns, in the order of ``items``, the saved
    organisation or the ValidationError ``organisation_create`` would have raised; an item
    clashing with an earlier item is refused as if that one had been saved first."""
    _require_manage(actor)
    orgs = [Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}) for fields in items]
    errors = [_organisation_errors(org) for org in orgs]
    numbers = {org.org_number for org, e in zip(orgs, errors, strict=True) if "org_number" not in e}
    peppol_values = {org.peppol_value for org, e in zip(orgs, errors, strict=True) if org.peppol_value}
    number_owners: dict[str, str] = dict(
        Organisation.objects.filter(org_number__in=numbers).values_list("org_number", "name")
    )
    peppol_owners: dict[tuple[str, str], str] = {
        (scheme, value): name
        for scheme, value, name in Organisation.objects.filter(peppol_value__in=peppol_values).values_list(
            "peppol_scheme", "peppol_value", "name"
        )
    }
    results: list[Organisation | ValidationError] = []
    created: list[Organisation] = []
    for org, org_errors in zip(orgs, errors, strict=True):
        peppol = (org.peppol_scheme, org.peppol_value)
        _add_clash_errors(org, org_errors, number_owners.get(org.org_number), peppol_owners.get(peppol))
        if org_errors:
            results.append(ValidationError(org_errors))
            continue
        number_owners[org.org_number] = peppol_owners[peppol] = org.name
        results.append(org)
        created.append(org)
    if not created:
        return results
    now = timezone.now()
    columns = [
        f.attname
        for f in Organisation._meta.concrete_fields
        if not f.primary_key and f.attname not in ("created_at", "updated_at")
    ]
    try:
        with transaction.atomic():
            insert_rows(Organisation, [{name: getattr(org, name) for name in columns} for org in created], now=now)
    except IntegrityError as exc:
        # A parallel request registered the same identifier between our check and the insert.
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc
    ids = dict(
        Organisation.objects.filter(org_number__in=[org.org_number for org in created]).values_list("org_number", "pk")
    )
    for org in created:
        org.pk = ids[org.org_number]
        org.created_at = org.updated_at = now
        org._state.adding = False
        org._state.db = DEFAULT_DB_ALIAS
    actor_label = (actor.get_full_name() or actor.get_username()) if actor else "system"
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": actor.pk if actor else None,
                "actor_label": actor_label,
                "action": "organisation.created",
                "object_type": Organisation._meta.label_lower,
                "object_id": str(org.uuid),
                "object_repr": str(org)[:300],
                "organisation_id": org.pk,
                "before": None,
                "after": snapshot(org, ORGANISATION_FIELDS),
            }
            for org in created
        ],
        now=now,
    )
    return results


@transaction.atomic
def organisation_update(
    *, actor: User | None, organisation: Organisation, expected_version: int | None, **changes: Any
) -> Organisation:
    """Change fields of an organisation. ``expected_version`` is the version the user
    saw; if someone saved in between, nothing is changed and ConcurrentEditError tells why."""
    _require_manage(actor)
    org = core_services.lock(Organisation.objects.all(), organisation.pk, expected_version)
    try:
        with transaction.atomic():
            core_services.update_fields(
                actor=actor,
                obj=org,
                fields=ORGANISATION_FIELDS,
                changes=changes,
                clean=_clean_organisation,
                action="organisation.updated",
                organisation=org,
            )
    except IntegrityError as exc:
        # A parallel request registered the same identifier between our check and the save.
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc
    return org


@transaction.atomic
def organisation_set_active(
    *, actor: User | None, organisation: Organisation, active: bool, expected_version: int | None = None
) -> Organisation:
    """Deactivate or reactivate. Organisations are never deleted: history and
    contracts keep pointing at them."""
    _require_manage(actor)
    return core_services.set_active(
        Organisation.objects.all(),
        organisation.pk,
        actor=actor,
        active=active,
        expected_version=expected_version,
        activated="organisation.reactivated",
        deactivated="organisation.deactivated",
        organisation=lambda org: org,
    )


def _clean_unit(unit: Unit) -> None:
    errors: dict[str, list[str]] = {}
    unit.name = unit.name.strip()
    if not unit.name:
        errors["name"] = [_("Name: write the unit's name.")]
    elif Unit.objects.filter(organisation_id=unit.organisation_id, name__iexact=unit.name).exclude(pk=unit.pk).exists():
        errors["name"] = [_("Name: the organisation already has a unit with this name.")]
    if unit.kind not in UnitKind.values:
        errors["kind"] = [_("Kind: choose one of the listed kinds.")]
    contact = unit.followup_contact
    if contact is not None and (unit.pk is None or contact.unit_id != unit.pk or not contact.is_active):
        errors["followup_contact"] = [_("Follow-up contact: choose an active person who works in this unit.")]
    if errors:
        raise ValidationError(errors)


def _unit_snapshot(unit: Unit, serves: Iterable[Organisation]) -> dict[str, Any]:
    data = snapshot(unit, UNIT_FIELDS)
    data["serves"] = sorted(str(o) for o in serves)
    return data


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    kind: str,
    description: str = "",
    serves: Iterable[Organisation] = (),
) -> Unit:
    _require_manage(actor)
    unit = Unit(organisation=organisation, name=name, kind=kind, description=description)
    _clean_unit(unit)
    _save(unit)
    serves = list(serves)
    unit.serves.set(serves)
    audit_record(
        actor=actor,
        action="unit.created",
        obj=unit,
        organisation=organisation,
        after=_unit_snapshot(unit, serves),
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: User | None,
    unit: Unit,
    expected_version: int | None,
    serves: Iterable[Organisation] | None = None,
    **changes: Any,
) -> Unit:
    _require_manage(actor)
    locked = core_services.lock(Unit.objects.all(), unit.pk, expected_version)
    before = _unit_snapshot(locked, locked.serves.all())
    for key, value in changes.items():
        if key not in UNIT_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(locked, key, value)
    _clean_unit(locked)
    new_serves = list(serves) if serves is not None else list(locked.serves.all())
    after = _unit_snapshot(locked, new_serves)
    if after == before:
        return locked
    locked.version += 1
    _save(locked)
    if serves is not None:
        locked.serves.set(new_serves)
    audit_record(
        actor=actor,
        action="unit.updated",
        obj=locked,
        organisation=locked.organisation,
        before=before,
        after=after,
    )
    return locked


@transaction.atomic
def unit_set_active(*, actor: User | None, unit: Unit, active: bool, expected_version: int | None = None) -> Unit:
    _require_manage(actor)
    return core_services.set_active(
        Unit.objects.all(),
        unit.pk,
        actor=actor,
        active=active,
        expected_version=expected_version,
        activated="unit.reactivated",
        deactivated="unit.deactivated",
        organisation=lambda locked: locked.organisation,
    )
