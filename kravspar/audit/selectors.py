"""Reading history."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q, QuerySet

from kravspar.audit.models import AuditEvent


def audit_events_for(obj: models.Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(getattr(obj, "uuid", obj.pk))
    ).select_related("actor")


def audit_event_search(
    *,
    text: str = "",
    action: str = "",
    organisation_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("organisation")
    if text:
        qs = qs.filter(Q(actor_label__icontains=text) | Q(object_repr__icontains=text) | Q(action__icontains=text))
    if action:
        qs = qs.filter(action=action)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs
