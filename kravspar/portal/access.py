"""Who reaches what in the supplier portal.

A supplier contact sees only their own supplier: its contracts, the deviations that
concern it, its documents, its declarations. Anything else does not exist for them (404).
Buyer staff never use the supplier-facing pages (403); they reach a supplier's documents
only when they see a contract with that supplier (``accounts.access`` decides which).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.contracts.models import Contract
from kravspar.core.ids import is_uuid
from kravspar.findings.models import Deviation
from kravspar.portal.models import Invitation, SubcontractorDeclaration, SupplierDocument
from kravspar.suppliers.models import Supplier


def is_supplier_contact(user: access.AnyUser) -> bool:
    return isinstance(user, User) and user.supplier_id is not None and Role.SUPPLIER_CONTACT in access.roles_of(user)


def supplier_of(user: access.AnyUser) -> Supplier:
    """The supplier a supplier contact acts for; 403 for everybody else."""
    if not is_supplier_contact(user):
        raise PermissionDenied
    assert isinstance(user, User) and user.supplier is not None
    return user.supplier


def _get(qs: QuerySet[Any], key: Any) -> Any:
    if not is_uuid(str(key)):
        raise Http404
    obj = qs.filter(uuid=key).first()
    if obj is None:
        raise Http404
    return obj


# --- The supplier's own view ------------------------------------------------------------


def contracts_of_supplier(user: access.AnyUser) -> QuerySet[Contract]:
    supplier = supplier_of(user)
    return Contract.objects.filter(suppliers=supplier)


def contract_for_supplier(user: access.AnyUser, key: Any) -> Contract:
    contract: Contract = _get(contracts_of_supplier(user), key)
    return contract


def concerns_supplier_q(supplier_id: int) -> Q:
    """Deviations that concern the supplier: on one of its contracts, and either raised on
    it or on nobody in particular (then they concern every supplier on the contract) —
    never one raised on another supplier or on another supplier's subcontractor.

    A deviation an orderer reported is not the supplier's business until Inköp has assessed
    it (severity, whether it stands at all): until then it is kept out of the portal."""
    return Q(contract__suppliers=supplier_id, awaiting_assessment=False) & (
        Q(supplier_id=supplier_id)
        | (Q(supplier__isnull=True) & (Q(subcontractor__isnull=True) | Q(subcontractor__supplier_id=supplier_id)))
    )


def deviations_of_supplier(user: access.AnyUser) -> QuerySet[Deviation]:
    supplier = supplier_of(user)
    return Deviation.objects.filter(concerns_supplier_q(supplier.pk)).distinct()


def deviation_for_supplier(user: access.AnyUser, key: Any) -> Deviation:
    deviation: Deviation = _get(deviations_of_supplier(user).select_related("contract", "requirement"), key)
    _require_not_secret(user, "deviation", deviation)
    return deviation


def _require_not_secret(user: access.AnyUser, kind: str, item: Any) -> None:
    """A secrecy-marked item its provision does not allow this person is out of reach (404)."""
    from kravspar.secrecy.services import require_visible

    require_visible(user, kind, item)


def deviation_concerns(user: access.AnyUser, deviation: Deviation) -> bool:
    """Whether a supplier contact may answer for this deviation (used by the findings service)."""
    if not is_supplier_contact(user):
        return False
    assert isinstance(user, User)
    return Deviation.objects.filter(concerns_supplier_q(user.supplier_id or 0), pk=deviation.pk).exists()


def documents_of_supplier(user: access.AnyUser) -> QuerySet[SupplierDocument]:
    supplier = supplier_of(user)
    return SupplierDocument.objects.filter(supplier=supplier)


def declarations_of_supplier(user: access.AnyUser) -> QuerySet[SubcontractorDeclaration]:
    supplier = supplier_of(user)
    return SubcontractorDeclaration.objects.filter(supplier=supplier)


def declaration_for_supplier(user: access.AnyUser, key: Any) -> SubcontractorDeclaration:
    declaration: SubcontractorDeclaration = _get(declarations_of_supplier(user).select_related("contract"), key)
    return declaration


# --- Buyers -----------------------------------------------------------------------------


def suppliers_with_visible_contracts(user: access.AnyUser) -> QuerySet[Any]:
    """Ids of the suppliers of every contract the person sees."""
    return Contract.suppliers.through.objects.filter(contract__in=access.contracts_visible_to(user)).values(
        "supplier_id"
    )


def documents_visible_to(user: access.AnyUser) -> QuerySet[SupplierDocument]:
    """The supplier's own contacts see its library; buyers see the library of every supplier
    they have a contract with that they see."""
    if is_supplier_contact(user):
        return documents_of_supplier(user)
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return SupplierDocument.objects.none()
    return SupplierDocument.objects.filter(supplier_id__in=suppliers_with_visible_contracts(user))


def document_for(user: access.AnyUser, key: Any, *, change: bool = False) -> SupplierDocument:
    """A document the person sees (else 404); with ``change`` only its supplier's contacts (else 403)."""
    document: SupplierDocument = _get(documents_visible_to(user).select_related("supplier", "uploaded_by"), key)
    _require_not_secret(user, "supplier_document", document)
    if change and not is_supplier_contact(user):
        raise PermissionDenied
    return document


def supplier_library_for(user: access.AnyUser, supplier: Supplier) -> QuerySet[SupplierDocument]:
    """A buyer's view of one supplier's library (empty when they see no contract with it)."""
    if is_supplier_contact(user):
        raise PermissionDenied
    return documents_visible_to(user).filter(supplier=supplier)


def can_manage_invitations(user: access.AnyUser) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def invitation_for(user: access.AnyUser, key: Any) -> Invitation:
    """Invitations are handled by Inköp: others get 404 (a supplier contact must not even
    learn which invitations exist), officers 403 for nothing."""
    if not can_manage_invitations(user):
        raise Http404
    invitation: Invitation = _get(Invitation.objects.select_related("supplier", "invited_by"), key)
    return invitation


def declarations_visible_to(user: access.AnyUser) -> QuerySet[SubcontractorDeclaration]:
    """Buyers see the declarations on the contracts they see."""
    if is_supplier_contact(user):
        return declarations_of_supplier(user)
    return SubcontractorDeclaration.objects.filter(contract__in=access.contracts_visible_to(user))


def declaration_for_review(user: access.AnyUser, key: Any) -> SubcontractorDeclaration:
    """A declaration on a contract the officer sees (else 404); reviewing is Inköp's (else 403)."""
    if is_supplier_contact(user):
        raise Http404
    declaration: SubcontractorDeclaration = _get(
        declarations_visible_to(user).select_related("contract", "supplier", "submitted_by", "reviewed_by"), key
    )
    if not access.has_perm(user, Perm.MANAGE_CONTRACTS):
        raise PermissionDenied
    return declaration
