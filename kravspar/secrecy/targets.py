"""What can be marked: each kind's model, how to fetch one for a person (the owning app's
access rule), and what the mark snapshots of it (title, date, contract, supplier)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse

from kravspar.accounts import access
from kravspar.core.ids import is_uuid
from kravspar.secrecy.models import MarkKind


@dataclass(frozen=True)
class Target:
    kind: str
    model: type[Model]
    visible_to: Callable[[access.AnyUser], QuerySet[Any]]
    title: Callable[[Any], str]
    date: Callable[[Any], datetime.date | None]
    contract: Callable[[Any], Any]
    supplier: Callable[[Any], Any]
    url: Callable[[Any], str]


def _evidence() -> Target:
    from kravspar.followups.models import Evidence

    return Target(
        kind=MarkKind.EVIDENCE,
        model=Evidence,
        visible_to=lambda user: Evidence.objects.filter(activity__in=access.activities_visible_to(user)).select_related(
            "activity__contract"
        ),
        title=lambda e: e.original_name,
        date=lambda e: e.uploaded_at.date(),
        contract=lambda e: e.activity.contract,
        supplier=lambda e: e.activity.contract.sole_supplier(),
        url=lambda e: reverse("followups:detail", args=[e.activity.uuid]),
    )


def _answers() -> Target:
    from kravspar.questionnaires.models import SupplierRequest

    return Target(
        kind=MarkKind.ANSWERS,
        model=SupplierRequest,
        visible_to=lambda user: SupplierRequest.objects.filter(
            contract__in=access.contracts_visible_to(user)
        ).select_related("contract", "supplier"),
        title=lambda r: r.title,
        date=lambda r: (r.submitted_at or r.created_at).date(),
        contract=lambda r: r.contract,
        supplier=lambda r: r.supplier,
        url=lambda r: reverse("questionnaires:detail", args=[r.uuid]),
    )


def _deviation() -> Target:
    from kravspar.findings.models import Deviation

    return Target(
        kind=MarkKind.DEVIATION,
        model=Deviation,
        visible_to=lambda user: access.deviations_visible_to(user).select_related("contract", "supplier"),
        title=lambda d: d.title,
        date=lambda d: d.raised_on,
        contract=lambda d: d.contract,
        supplier=lambda d: d.supplier or d.contract.sole_supplier(),
        url=lambda d: reverse("findings:detail", args=[d.uuid]),
    )


def _supplier_document() -> Target:
    from kravspar.portal import access as portal_access

    def visible(user: access.AnyUser) -> QuerySet[Any]:
        if portal_access.is_supplier_contact(user):
            return portal_access.documents_visible_to(user).none()
        return portal_access.documents_visible_to(user).select_related("supplier")

    from kravspar.portal.models import SupplierDocument

    return Target(
        kind=MarkKind.SUPPLIER_DOCUMENT,
        model=SupplierDocument,
        visible_to=visible,
        title=lambda d: d.title,
        date=lambda d: d.valid_from,
        contract=lambda d: None,
        supplier=lambda d: d.supplier,
        url=lambda d: reverse("portal:supplier_documents", args=[d.supplier.uuid]),
    )


_FACTORIES: dict[str, Callable[[], Target]] = {
    MarkKind.EVIDENCE: _evidence,
    MarkKind.ANSWERS: _answers,
    MarkKind.DEVIATION: _deviation,
    MarkKind.SUPPLIER_DOCUMENT: _supplier_document,
}


def target(kind: str) -> Target:
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise Http404
    return factory()


def item_for(user: access.AnyUser, kind: str, key: Any) -> Any:
    """The item of this kind the person sees (else 404), by its uuid."""
    if not is_uuid(str(key)):
        raise Http404
    item = target(kind).visible_to(user).filter(uuid=key).first()
    if item is None:
        raise Http404
    return item
