"""Suppliers. Only the core identity lives here for now: supplier contacts (external
people) belong to a supplier, never to a buyer organisation. The supplier registry
(issue 4) and the portal (issue 5) extend this model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class Supplier(TimestampedModel):
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
