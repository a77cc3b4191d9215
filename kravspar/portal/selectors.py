"""Reading the portal's data: the evidence library with its expiry and staleness flags,
what waits on the supplier's home page, and the history of what the supplier sent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kravspar.accounts.models import User
from kravspar.audit.models import AuditEvent
from kravspar.portal import access, conf
from kravspar.portal.models import DeclarationStatus, DocumentKind, SubcontractorDeclaration, SupplierDocument
from kravspar.suppliers.models import Supplier

# Governing documents (a code of conduct, a policy) must be kept current: one that has not
# been renewed in two years is flagged so that the buyer asks for the current version.
STALE_AFTER_YEARS = 2


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def document_flags(document: SupplierDocument, today: datetime.date) -> dict[str, Any]:
    """expired, expires_in (days, when within the largest warning threshold), stale."""
    horizon = max(conf.document_warning_days(), default=0)
    expired = document.valid_until is not None and document.valid_until < today
    expires_in = None
    if document.valid_until is not None and not expired:
        days = (document.valid_until - today).days
        if days <= horizon:
            expires_in = days
    stale = document.kind == DocumentKind.GOVERNING and document.valid_from < _years_before(today, STALE_AFTER_YEARS)
    return {"expired": expired, "expires_in": expires_in, "stale": stale}


def library_with_flags(
    qs: QuerySet[SupplierDocument], today: datetime.date | None = None, *, include_withdrawn: bool = False
) -> Iterator[Any]:
    """The documents, each with ``expired``, ``expires_in``, ``stale`` and ``warning`` set
    (typed Any because of those extra attributes)."""
    today = today or timezone.localdate()
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    document: Any
    for document in qs.select_related("uploaded_by").order_by("kind", "title", "id"):
        flags = document_flags(document, today)
        for name, value in flags.items():
            setattr(document, name, value)
        document.warning = flags["expired"] or flags["expires_in"] is not None or flags["stale"]
        yield document


def pending_declarations(user: Any, *, supplier: Supplier | None = None) -> QuerySet[SubcontractorDeclaration]:
    qs = access.declarations_visible_to(user).filter(status=DeclarationStatus.SUBMITTED)
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    return qs.select_related("contract", "supplier").order_by("created_at")


def sent_by_supplier(supplier: Supplier) -> QuerySet[AuditEvent]:
    """What the supplier's contacts did in Kravspår: their own history events."""
    return AuditEvent.objects.filter(actor__in=User.objects.filter(supplier=supplier)).order_by("-created_at", "-id")
