"""Spend that is not Peppol: invoice lines exported from an organisation's financial
system (Raindance, Unit4) as CSV or Excel, with the column mapping saved per organisation.

The lines are stored as invoices (``invoices.InvoiceDocument`` marked with
``LEDGER_CUSTOMIZATION``) so that the spend app's matching, leverantörstrohet and
avtalstrohet count them exactly as e-invoices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel

# The customization id the stored documents carry: not a Peppol one, so nothing reads
# them as e-invoices, and the matcher knows a line without article is not price-checked.
LEDGER_CUSTOMIZATION = "urn:kravspar:ledger-export:1"


class ColumnMapping(TimestampedModel):
    """Which column of the organisation's export holds which field, and which ordering
    unit each cost centre is."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="ledger_mapping"
    )
    # field name → the column's header as the export writes it
    columns = models.JSONField(_("columns"), default=dict)
    # cost centre code → the ordering unit's name
    cost_centres = models.JSONField(_("cost centres"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return str(self.organisation_id)


class LedgerImport(TimestampedModel):
    """One export file that was imported, whole (a file is all or nothing)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="ledger_imports"
    )
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    document_count = models.PositiveIntegerField(_("invoices"), default=0)
    duplicate_count = models.PositiveIntegerField(_("invoices already imported"), default=0)
    without_article = models.PositiveIntegerField(_("lines without article"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("financial-system import")
        verbose_name_plural = _("financial-system imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
