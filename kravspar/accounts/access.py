"""Every access check in Kravspår goes through this module.

Views, the API and commands ask here which organisations a person sees and whether
they may change something. What a person may not see does not exist for them (404);
what they may see but not change is refused (403). The rules themselves are in
``roles.py``.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kravspar.accounts.models import User
from kravspar.accounts.roles import PERMS_BY_ROLE, SCOPE_BY_ROLE, Perm, Role, Scope
from kravspar.contracts.models import Contract
from kravspar.followups.models import Activity
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements.models import Procurement

AnyUser = User | AnonymousUser


def roles_of(user: AnyUser) -> frozenset[str]:
    """The person's roles, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_kravspar_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role.values if r in names)
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR}
        if user.supplier_id is not None:
            # A supplier contact never holds a buyer role, whatever groups say.
            cached = frozenset({Role.SUPPLIER_CONTACT}) if Role.SUPPLIER_CONTACT in cached else frozenset()
        setattr(user, "_kravspar_roles", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def has_perm(user: AnyUser, perm: str) -> bool:
    return any(perm in PERMS_BY_ROLE[role] for role in roles_of(user))


def require_perm(user: AnyUser, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied


def is_administrator(user: AnyUser) -> bool:
    return Role.ADMINISTRATOR in roles_of(user)


def _scope(user: AnyUser) -> Scope:
    scope = Scope.NONE
    for role in roles_of(user):
        scope |= SCOPE_BY_ROLE[role]
    return scope


def visible_organisation_ids(user: AnyUser) -> frozenset[int] | None:
    """Ids of the organisations the person sees, or None for all of them."""
    if hasattr(user, "_kravspar_org_ids"):
        cached: frozenset[int] | None = user._kravspar_org_ids
        return cached
    scope = _scope(user)
    result: frozenset[int] | None
    if Scope.ALL in scope:
        result = None
    elif scope == Scope.NONE or not isinstance(user, User) or user.organisation_id is None:
        result = frozenset()
    else:
        roots: set[int] = set()
        ids: set[int] = {user.organisation_id}
        if Scope.REGION in scope:
            own = Organisation.objects.only("id", "parent_id").get(pk=user.organisation_id)
            roots.add(own.parent_id or own.id)
        if Scope.SERVED in scope and user.unit_id is not None:
            roots.update(Organisation.objects.filter(served_by_units=user.unit_id).values_list("id", flat=True))
        if roots:
            ids.update(
                Organisation.objects.filter(Q(pk__in=roots) | Q(parent_id__in=roots)).values_list("id", flat=True)
            )
        result = frozenset(ids)
    setattr(user, "_kravspar_org_ids", result)  # noqa: B010
    return result


def _limit(qs: QuerySet[Any], user: AnyUser, field: str) -> QuerySet[Any]:
    ids = visible_organisation_ids(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{field}__in": ids})


def organisations_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    if not has_perm(user, Perm.VIEW_ORGANISATIONS):
        return Organisation.objects.none()
    return _limit(Organisation.objects.all(), user, "id")


def units_visible_to(user: AnyUser) -> QuerySet[Unit]:
    if not has_perm(user, Perm.VIEW_ORGANISATIONS):
        return Unit.objects.none()
    return _limit(Unit.objects.all(), user, "organisation_id")


def people_visible_to(user: AnyUser) -> QuerySet[User]:
    """Buyer staff in the organisations the person sees. Supplier contacts are
    listed with their supplier (portal), not here."""
    if not has_perm(user, Perm.VIEW_PEOPLE):
        return User.objects.none()
    qs = User.objects.filter(supplier__isnull=True)
    if visible_organisation_ids(user) is None:
        return qs
    return _limit(qs, user, "organisation_id")


def procurements_visible_to(user: AnyUser) -> QuerySet[Procurement]:
    """A procurement is visible to whoever sees at least one of its buying organisations."""
    if not has_perm(user, Perm.VIEW_PROCUREMENTS):
        return Procurement.objects.none()
    ids = visible_organisation_ids(user)
    if ids is None:
        return Procurement.objects.all()
    return Procurement.objects.filter(
        pk__in=Procurement.buyers.through.objects.filter(organisation_id__in=ids).values("procurement_id")
    )


def can_change_procurement(user: AnyUser, procurement: Procurement) -> bool:
    return has_perm(user, Perm.MANAGE_PROCUREMENTS)


def procurement_for(user: AnyUser, key: Any, *, change: bool = False) -> Procurement:
    procurement: Procurement = _get(procurements_visible_to(user).select_related("officer", "cpv_main"), key)
    if change and not can_change_procurement(user, procurement):
        raise PermissionDenied
    return procurement


def contracts_visible_to(user: AnyUser) -> QuerySet[Contract]:
    """A contract is visible to whoever sees at least one organisation that may call off from it."""
    if not has_perm(user, Perm.VIEW_CONTRACTS):
        return Contract.objects.none()
    ids = visible_organisation_ids(user)
    if ids is None:
        return Contract.objects.all()
    return Contract.objects.filter(
        pk__in=Contract.buyers.through.objects.filter(organisation_id__in=ids).values("contract_id")
    )


def can_change_contract(user: AnyUser, contract: Contract) -> bool:
    return has_perm(user, Perm.MANAGE_CONTRACTS)


def contract_for(user: AnyUser, key: Any, *, change: bool = False) -> Contract:
    contract: Contract = _get(contracts_visible_to(user).select_related("procurement"), key)
    if change and not can_change_contract(user, contract):
        raise PermissionDenied
    return contract


def activities_visible_to(user: AnyUser) -> QuerySet[Activity]:
    return Activity.objects.filter(contract__in=contracts_visible_to(user))


def can_record_activity(user: AnyUser, activity: Activity) -> bool:
    """Inköp records any follow-up it sees; others record those assigned to them or their unit."""
    if has_perm(user, Perm.MANAGE_CONTRACTS):
        return True
    if not has_perm(user, Perm.RECORD_FOLLOWUPS) or not isinstance(user, User):
        return False
    return activity.responsible_person_id == user.pk or (
        user.unit_id is not None and activity.responsible_unit_id == user.unit_id
    )


def activity_for(user: AnyUser, key: Any, *, change: bool = False) -> Activity:
    activity: Activity = _get(
        activities_visible_to(user).select_related("contract", "requirement", "responsible_unit", "responsible_person"),
        key,
    )
    if change and not can_record_activity(user, activity):
        raise PermissionDenied
    return activity


def _parse_uuid(value: Any) -> uuid_lib.UUID:
    try:
        return value if isinstance(value, uuid_lib.UUID) else uuid_lib.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _get(qs: QuerySet[Any], key: Any) -> Any:
    obj = qs.filter(uuid=_parse_uuid(key)).first()
    if obj is None:
        raise Http404
    return obj


def can_change_organisation(user: AnyUser, organisation: Organisation) -> bool:
    return has_perm(user, Perm.MANAGE_ORGANISATIONS)


def can_change_person(user: AnyUser, person: User) -> bool:
    return has_perm(user, Perm.MANAGE_PEOPLE)


def organisation_for(user: AnyUser, key: Any, *, change: bool = False) -> Organisation:
    """The organisation with this uuid if the person sees it (else 404); with
    ``change`` also require the right to change it (else 403)."""
    org: Organisation = _get(organisations_visible_to(user).select_related("parent"), key)
    if change and not can_change_organisation(user, org):
        raise PermissionDenied
    return org


def unit_for(user: AnyUser, key: Any, *, change: bool = False) -> Unit:
    unit: Unit = _get(units_visible_to(user).select_related("organisation"), key)
    if change and not can_change_organisation(user, unit.organisation):
        raise PermissionDenied
    return unit


def person_for(user: AnyUser, key: Any, *, change: bool = False) -> User:
    person: User = _get(people_visible_to(user).select_related("organisation", "unit"), key)
    if change and not can_change_person(user, person):
        raise PermissionDenied
    return person


# Findings (deviations, action plans, sanctions): visible to whoever sees the contract;
# raised, handled and decided by Inköp (domain § 4: "Sanctions (contract law, Inköp)").


def deviations_visible_to(user: AnyUser) -> QuerySet[Any]:
    from kravspar.findings.models import Deviation

    return Deviation.objects.filter(contract__in=contracts_visible_to(user))


def can_manage_findings(user: AnyUser) -> bool:
    return has_perm(user, Perm.MANAGE_CONTRACTS)


def deviation_for(user: AnyUser, key: Any, *, change: bool = False) -> Any:
    deviation = _get(
        deviations_visible_to(user).select_related(
            "contract", "activity", "requirement", "supplier", "subcontractor", "raised_by"
        ),
        key,
    )
    if change and not can_manage_findings(user):
        raise PermissionDenied
    return deviation


def sanctions_visible_to(user: AnyUser) -> QuerySet[Any]:
    from kravspar.findings.models import Sanction

    return Sanction.objects.filter(contract__in=contracts_visible_to(user))
