"""Who reaches what of the labour-conditions follow-up.

The follow-up itself (its status, the step-1 answers, the reviews, the counts) is visible
to whoever sees the contract. The step-2 documents hold personal data (names, wages,
hours): only the Inköp officers on the contract (the follow-up's officer and the
procurement's officer) and the supplier that uploaded them may open them. Administrators,
readers, orderers and other Inköp officers may not; to them a document does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.ids import is_uuid
from kravspar.labour.models import DocumentRequest, LabourFollowUp, ProofDocument, SelfDeclaration
from kravspar.portal import access as portal_access


def _get(qs: QuerySet[Any], key: Any) -> Any:
    if not is_uuid(str(key)):
        raise Http404
    obj = qs.filter(uuid=key).first()
    if obj is None:
        raise Http404
    return obj


def followups_visible_to(user: access.AnyUser) -> QuerySet[LabourFollowUp]:
    return LabourFollowUp.objects.filter(contract__in=access.contracts_visible_to(user))


def can_manage(user: access.AnyUser) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def followup_for(user: access.AnyUser, key: Any, *, change: bool = False) -> LabourFollowUp:
    followup: LabourFollowUp = _get(
        followups_visible_to(user).select_related("contract__procurement", "agreement", "officer"), key
    )
    if change and not is_officer_on(user, followup):
        raise PermissionDenied
    return followup


def is_officer_on(user: access.AnyUser, followup: LabourFollowUp) -> bool:
    """An Inköp officer named on the contract: the follow-up's officer or the procurement's."""
    if not isinstance(user, User) or not user.is_active or not can_manage(user):
        return False
    procurement = followup.contract.procurement
    officers = {followup.officer_id, procurement.officer_id if procurement else None}
    return user.pk in officers and access.contracts_visible_to(user).filter(pk=followup.contract_id).exists()


def proofs_visible_to(user: access.AnyUser) -> QuerySet[ProofDocument]:
    """The step-2 documents this person may open (see the module's rule)."""
    if not isinstance(user, User) or not user.is_active:
        return ProofDocument.objects.none()
    if portal_access.is_supplier_contact(user):
        assert user.supplier_id is not None
        return ProofDocument.objects.filter(
            request__supplier_id=user.supplier_id, uploaded_by__supplier_id=user.supplier_id
        )
    if not can_manage(user):
        return ProofDocument.objects.none()
    mine = Q(request__followup__officer=user) | Q(request__followup__contract__procurement__officer=user)
    return ProofDocument.objects.filter(mine, request__followup__contract__in=access.contracts_visible_to(user))


def can_open_proof(user: access.AnyUser, document: ProofDocument) -> bool:
    return proofs_visible_to(user).filter(pk=document.pk).exists()


def proof_for(user: access.AnyUser, key: Any) -> ProofDocument:
    document: ProofDocument = _get(proofs_visible_to(user).select_related("request__followup"), key)
    return document


# --- The supplier's side -------------------------------------------------------------------


def declarations_of_supplier(user: access.AnyUser) -> QuerySet[SelfDeclaration]:
    supplier = portal_access.supplier_of(user)
    return SelfDeclaration.objects.filter(supplier=supplier)


def declaration_for_supplier(user: access.AnyUser, key: Any) -> SelfDeclaration:
    declaration: SelfDeclaration = _get(
        declarations_of_supplier(user).select_related("followup__contract", "followup__agreement", "subcontractor"),
        key,
    )
    return declaration


def requests_of_supplier(user: access.AnyUser) -> QuerySet[DocumentRequest]:
    supplier = portal_access.supplier_of(user)
    return DocumentRequest.objects.filter(supplier=supplier)


def request_for_supplier(user: access.AnyUser, key: Any) -> DocumentRequest:
    request: DocumentRequest = _get(
        requests_of_supplier(user).select_related("followup__contract", "followup__agreement", "subcontractor"), key
    )
    return request


def request_for(user: access.AnyUser, key: Any, *, change: bool = False) -> DocumentRequest:
    request: DocumentRequest = _get(
        DocumentRequest.objects.filter(followup__in=followups_visible_to(user)).select_related(
            "followup__contract__procurement", "followup__agreement", "subcontractor", "supplier"
        ),
        key,
    )
    if change and not is_officer_on(user, request.followup):
        raise PermissionDenied
    return request
