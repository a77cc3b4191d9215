"""Suppliers. Supplier contacts (external people) belong to a supplier, never to a buyer
organisation. The supplier registry (issue 4) and the portal (issue 5) extend this model.

Suppliers also arrive from Upphandlingsmyndigheten's statistics, which name the
supplier, its size class and sector, but not its organisation number."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


def supplier_name_key(name: str) -> str:
    """The key that finds a supplier by name: case and spacing do not matter.
    (SQLite's case-insensitive matching knows only ASCII, so Å, Ä and Ö need this.)"""
    return " ".join(name.split()).casefold()


class SizeClass(models.TextChoices):
    """Företagsstorlek as in Upphandlingsmyndigheten's statistics (the EU SME definition)."""

    MICRO = "micro", _("Micro enterprise")  # Mikroföretag: fewer than 10 employees
    SMALL = "small", _("Small enterprise")  # Små företag: fewer than 50
    MEDIUM = "medium", _("Medium-sized enterprise")  # Medelstora företag: fewer than 250
    LARGE = "large", _("Large enterprise")  # Stora företag


class Sector(models.TextChoices):
    PRIVATE = "private", _("Private")
    PUBLIC = "public", _("Public")


class CollectiveAgreement(models.TextChoices):
    AGREEMENT = "agreement", _("Bound by a collective agreement")
    AGREEMENT_LIKE = "agreement_like", _("Collective-agreement-like conditions")
    NONE = "none", _("No collective agreement")


class Supplier(TimestampedModel):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    org_number = models.CharField(
        _("organisation number"), max_length=10, blank=True, help_text=_("Swedish suppliers: ten digits.")
    )
    foreign_id = models.CharField(
        _("foreign identifier"), max_length=60, blank=True, help_text=_("For suppliers without a Swedish number.")
    )
    country = models.CharField(_("country"), max_length=2, default="SE", help_text=_("ISO 3166 code, e.g. SE"))
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    peppol_scheme = models.CharField(_("Peppol scheme"), max_length=4, blank=True)
    peppol_value = models.CharField(_("Peppol id"), max_length=130, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    county = models.CharField(_("county"), max_length=2, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, blank=True)
    collective_agreement = models.CharField(
        _("collective agreement"), max_length=20, choices=CollectiveAgreement.choices, blank=True
    )
    collective_agreement_name = models.CharField(_("which collective agreement"), max_length=200, blank=True)
    f_tax = models.BooleanField(_("approved for F-tax"), null=True, blank=True)
    # Where the supplier was first registered from, e.g. Upphandlingsmyndigheten's statistics.
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        # The invoice import finds a document's seller by organisation number (one query
        # per group of invoices, ``invoices.services.Resolver.prefetch``).
        indexes = [models.Index(fields=["org_number"], name="supplier_org_number_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = supplier_name_key(self.name)
        super().save(*args, **kwargs)


class ProcurementSupplier(models.Model):
    """A supplier that was awarded a contract in a procurement, per lot (anbudsområde)."""

    procurement = models.ForeignKey("procurements.Procurement", on_delete=models.CASCADE, related_name="supplier_links")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="procurement_links")
    lot_reference = models.CharField(
        _("lot"), max_length=100, blank=True, help_text=_("The lot's id in the award notice, if any.")
    )
    contracted_tenders = models.PositiveIntegerField(_("contracted tenders"), default=1)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contracted supplier")
        verbose_name_plural = _("contracted suppliers")
        ordering = ["procurement", "supplier__name", "lot_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "supplier", "lot_reference"], name="one_link_per_supplier_and_lot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procurement_id} – {self.supplier}"
