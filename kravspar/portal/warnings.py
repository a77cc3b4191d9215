"""Warnings before a library document expires, e-mailed to the supplier's contact people.

Each document is warned once per threshold (``KRAVSPAR_DOCUMENT_WARNING_DAYS``, e.g. 60, 30
and 7 days before); a run that finds a document inside several thresholds at once sends
only the nearest. ``DocumentWarningSent`` makes every run after the first send nothing new,
and a renewed validity date earns new warnings."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.portal import conf
from kravspar.portal.models import DocumentWarningSent, SupplierDocument
from kravspar.portal.services import _absolute, _mail


@dataclass
class WarningResult:
    documents: int = 0
    emails: int = 0


def _send(document: SupplierDocument, days_left: int, recipients: list[str]) -> None:
    from django.urls import reverse

    with translation.override("sv"):
        _mail(
            template="portal/email/document_warning.txt",
            subject=_("%(title)s expires on %(date)s") % {"title": document.title, "date": document.valid_until},
            context={"document": document, "days": days_left, "url": _absolute(reverse("portal:documents"))},
            to=recipients,
        )


def send_document_warnings(today: datetime.date) -> WarningResult:
    thresholds = conf.document_warning_days()
    result = WarningResult()
    if not thresholds:
        return result
    horizon = today + datetime.timedelta(days=max(thresholds))
    documents = (
        SupplierDocument.objects.filter(withdrawn_at__isnull=True, valid_until__gte=today, valid_until__lte=horizon)
        .select_related("supplier")
        .order_by("valid_until", "id")
    )
    for document in documents:
        assert document.valid_until is not None
        days_left = (document.valid_until - today).days
        threshold = min(t for t in thresholds if t >= days_left)
        recipients = list(
            User.objects.filter(supplier_id=document.supplier_id, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        try:
            with transaction.atomic():
                DocumentWarningSent.objects.create(
                    document=document, days_before=threshold, valid_until=document.valid_until
                )
                if recipients:
                    transaction.on_commit(functools.partial(_send, document, days_left, recipients))
        except IntegrityError:
            continue  # warned at this threshold already
        result.documents += 1
        result.emails += len(recipients)
    return result
