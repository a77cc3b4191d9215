"""What an officer does in the work queue: assign a contract to an invoice, an article to
a line, or confirm that an invoice has no contract. Every assignment is recorded (history
and the match's method "manual" with who and when) and teaches nothing: no rule is learnt
from it, the next invoice is matched by the same rules as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.audit.services import audit_record
from kravspar.contracts.models import Contract
from kravspar.core import services as core_services
from kravspar.core.errors import NotAllowedError
from kravspar.spend.matching import Matcher
from kravspar.spend.models import (
    InvoiceMatch,
    LineMatch,
    LineMethod,
    MatchMethod,
    MatchStatus,
    PriceListArticle,
    SupplierSource,
)

if TYPE_CHECKING:
    from kravspar.accounts.models import User


def _require_manage(actor: User) -> None:
    if not access.has_perm(actor, "manage_contracts"):
        raise NotAllowedError()


@transaction.atomic
def match_assign_contract(
    *, actor: User, match: InvoiceMatch, contract: Contract, expected_version: int | None, note: str = ""
) -> InvoiceMatch:
    """Assign the contract an invoice belongs to; its lines are then matched against that
    contract's price list and checked as any other invoice."""
    _require_manage(actor)
    if not access.contracts_visible_to(actor).filter(pk=contract.pk).exists():
        raise PermissionDenied
    locked = core_services.lock(InvoiceMatch.objects.select_related("document", "contract"), match.pk, expected_version)
    if locked.organisation_id is None:
        raise ValidationError(
            {"contract": [_("The invoice's buyer is not an organisation in Kravspår, so no contract can be chosen.")]}
        )
    if not contract.buyers.filter(pk=locked.organisation_id).exists():
        raise ValidationError({"contract": [_("Contract: the invoice's buyer may not call off from this contract.")]})
    suppliers = list(contract.suppliers.values_list("pk", flat=True))
    supplier_id = locked.supplier_id
    if supplier_id is not None and supplier_id not in suppliers:
        raise ValidationError({"contract": [_("Contract: the invoice's supplier is not a party to this contract.")]})
    if supplier_id is None and len(suppliers) == 1:
        supplier_id = suppliers[0]
    before = {"contract": str(locked.contract or "–"), "status": locked.status, "method": locked.method}
    InvoiceMatch.objects.filter(pk=locked.pk).update(
        contract=contract,
        supplier_id=supplier_id,
        supplier_via=SupplierSource.CONTRACT if supplier_id != locked.supplier_id else locked.supplier_via,
        status=MatchStatus.MATCHED,
        method=MatchMethod.MANUAL,
        detail=contract.contract_number,
        matched_by=actor,
        matched_at=timezone.now(),
        note=note.strip(),
        version=locked.version + 1,
    )
    Matcher().match([locked.document_id])
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="invoice_match.contract_assigned",
        obj=locked.document,
        organisation=locked.organisation,
        before=before,
        after={"contract": str(contract), "status": locked.status, "method": locked.method, "note": note.strip()},
    )
    return locked


@transaction.atomic
def line_assign_article(
    *, actor: User, line_match: LineMatch, article: PriceListArticle, expected_version: int | None
) -> LineMatch:
    """Assign the price-list article an invoice line is for; the price check then runs."""
    _require_manage(actor)
    locked = core_services.lock(
        LineMatch.objects.select_related("line__document", "invoice_match", "article"), line_match.pk, expected_version
    )
    if locked.contract_id is None or article.contract_id != locked.contract_id:
        raise ValidationError(
            {"article": [_("Article: choose an article from the price list of the invoice's contract.")]}
        )
    before = {"article": str(locked.article or "–"), "method": locked.method}
    LineMatch.objects.filter(pk=locked.pk).update(
        article=article, method=LineMethod.MANUAL, matched_by=actor, matched_at=timezone.now()
    )
    Matcher().match([locked.line.document_id])
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="invoice_match.article_assigned",
        obj=locked.line.document,
        organisation=locked.invoice_match.organisation,
        before=before,
        after={"article": str(article), "method": locked.method, "line": locked.line.line_id},
    )
    return locked


@transaction.atomic
def match_mark_reviewed(
    *, actor: User, match: InvoiceMatch, expected_version: int | None, note: str = ""
) -> InvoiceMatch:
    """Take an invoice out of the work queue without a contract: the officer has looked at
    it (e.g. a purchase that needs no contract). It still counts as not contracted."""
    _require_manage(actor)
    locked = core_services.lock(InvoiceMatch.objects.select_related("document"), match.pk, expected_version)
    if not note.strip():
        raise ValidationError({"note": [_("Note: say why the invoice needs no contract or article.")]})
    InvoiceMatch.objects.filter(pk=locked.pk).update(
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        needs_attention=False,
        note=note.strip(),
        version=locked.version + 1,
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="invoice_match.reviewed",
        obj=locked.document,
        organisation=locked.organisation,
        after={"status": locked.status, "note": locked.note},
    )
    return locked
