"""Peppol BIS Billing 3.0 invoices and credit notes as received, and the imports that
brought them in.

The original document is kept byte for byte in Django's default storage (``original``:
local files under MEDIA_ROOT, or the S3 bucket every app server shares), next to the fields
that the economic follow-up (the ``spend`` app) reads. The file is written before the row
that names it is committed (``kravspar.invoices.originals``), so a committed invoice always
has its file; a failed transaction deletes the files it wrote, and ``prune_orphan_files``
removes what a killed process left. ``backup`` and ``check_backup`` include the files like
every other FileField's.

A document is never stored twice: the SHA-256 of its bytes is unique, and so is
(seller, invoice number, kind), where "seller" is the normalised seller identifier
(``seller_key``, e.g. ``0007:5560360793``). Both are database constraints, so two
imports running at the same time cannot both store the same invoice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class BatchSource(models.TextChoices):
    COMMAND = "command", _("Command line")
    UPLOAD = "upload", _("Upload")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")  # or interrupted: a killed import never reaches "finished"
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")  # stopped by an unexpected error; what was stored stays stored


class ImportBatch(TimestampedModel):
    """One run of an import: a command, an upload of several files, or one API call."""

    source = models.CharField(_("source"), max_length=10, choices=BatchSource.choices)
    label = models.CharField(
        _("label"), max_length=500, blank=True, help_text=_("What was imported, e.g. the folder or file names.")
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_count = models.PositiveIntegerField(_("files"), default=0)
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    warning_count = models.PositiveIntegerField(_("imported with warnings"), default=0)
    line_count = models.PositiveIntegerField(_("invoice lines"), default=0)
    # Why a failed import stopped, in Swedish (e.g. its background worker kept dying).
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M}"


class ProblemSeverity(models.TextChoices):
    REFUSED = "refused", _("Refused")  # not stored
    DUPLICATE = "duplicate", _("Duplicate")  # not stored: already imported
    WARNING = "warning", _("Warning")  # stored, but something deserves a look


class ImportProblem(models.Model):
    """A file an import refused or stored with a warning, with the reason in Swedish and a
    stable code (see ``kravspar.invoices.ubl.ProblemCode``)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.CASCADE, related_name="problems"
    )
    file_name = models.CharField(_("file"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10, choices=ProblemSeverity.choices)
    code = models.CharField(_("reason code"), max_length=40)
    message = models.TextField(_("message"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # For a duplicate: the document that was already stored; for a warning: the stored document.
    document = models.ForeignKey(
        "InvoiceDocument",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["id"]
        indexes = [models.Index(fields=["code"], name="invoices_problem_code")]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.code}"


def original_path(instance: InvoiceDocument, filename: str) -> str:
    from kravspar.invoices.originals import new_name

    return new_name()


class InvoiceDocument(TimestampedModel):
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    original = models.FileField(_("original document"), upload_to=original_path, max_length=200, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=500, blank=True)
    customization_id = models.CharField(_("customization id"), max_length=300, blank=True)
    profile_id = models.CharField(_("profile id"), max_length=300, blank=True)
    type_code = models.CharField(
        _("type code"), max_length=3, blank=True, help_text=_("UNCL 1001, e.g. 380 invoice, 381 credit note.")
    )

    number = models.CharField(_("invoice number"), max_length=200)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # What the invoice covers (the economic checks read these before the issue date).
    delivery_date = models.DateField(
        _("delivery date"), null=True, blank=True, help_text=_("Actual delivery date (BT-72).")
    )
    period_start = models.DateField(
        _("invoice period from"), null=True, blank=True, help_text=_("Invoicing period start date (BT-73).")
    )
    period_end = models.DateField(
        _("invoice period to"), null=True, blank=True, help_text=_("Invoicing period end date (BT-74).")
    )
    currency = models.CharField(_("currency"), max_length=3)
    buyer_reference = models.CharField(_("buyer reference"), max_length=200, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=200, blank=True)
    contract_reference = models.CharField(
        _("contract reference"), max_length=200, blank=True, help_text=_("ContractDocumentReference (BT-12).")
    )
    billing_reference = models.CharField(
        _("preceding invoice"),
        max_length=200,
        blank=True,
        help_text=_("The invoice this document corrects or credits (BillingReference, BT-25)."),
    )

    # The seller as written in the document, and the key the duplicate rule uses.
    seller_key = models.CharField(
        _("seller identifier"),
        max_length=140,
        help_text=_("Scheme and identifier, e.g. 0007:5560360793 for a Swedish organisation number."),
    )
    seller_endpoint_id = models.CharField(_("seller endpoint id"), max_length=130, blank=True)
    seller_endpoint_scheme = models.CharField(_("seller endpoint scheme"), max_length=4, blank=True)
    seller_legal_id = models.CharField(_("seller legal id"), max_length=130, blank=True)
    seller_legal_scheme = models.CharField(_("seller legal id scheme"), max_length=4, blank=True)
    seller_vat_id = models.CharField(_("seller VAT number"), max_length=30, blank=True)
    seller_org_number = models.CharField(
        _("seller organisation number"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("Ten digits, when Swedish."),
    )
    seller_name = models.CharField(_("seller name"), max_length=300, blank=True)

    buyer_endpoint_id = models.CharField(_("buyer endpoint id"), max_length=130, blank=True)
    buyer_endpoint_scheme = models.CharField(_("buyer endpoint scheme"), max_length=4, blank=True)
    buyer_legal_id = models.CharField(_("buyer legal id"), max_length=130, blank=True)
    buyer_legal_scheme = models.CharField(_("buyer legal id scheme"), max_length=4, blank=True)
    buyer_name = models.CharField(_("buyer name"), max_length=300, blank=True)

    line_extension_amount = models.DecimalField(_("sum of lines"), max_digits=19, decimal_places=2)
    tax_exclusive_amount = models.DecimalField(_("total excluding VAT"), max_digits=19, decimal_places=2)
    tax_inclusive_amount = models.DecimalField(_("total including VAT"), max_digits=19, decimal_places=2)
    payable_amount = models.DecimalField(_("amount due"), max_digits=19, decimal_places=2)
    line_count = models.PositiveIntegerField(_("lines"), default=0)

    buyer_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,  # the (buyer_organisation, issue_date) index serves
        help_text=_("Found from the customer's Peppol endpoint id; empty when no organisation has it."),
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,  # the (supplier, issue_date) index serves
        help_text=_("Found from the seller's organisation number, Peppol id or VAT number."),
    )
    # Things worth a look that did not stop the import: [{"code": ..., "message": ...}].
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("e-invoice")
        verbose_name_plural = _("e-invoices")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seller_key", "number", "kind"], name="invoices_unique_seller_number_kind"),
        ]
        indexes = [
            models.Index(fields=["buyer_organisation", "issue_date"], name="invoices_doc_buyer_date"),
            models.Index(fields=["supplier", "issue_date"], name="invoices_doc_supplier_date"),
            models.Index(fields=["issue_date"], name="invoices_doc_date"),
            models.Index(fields=["contract_reference"], name="invoices_doc_contract_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.seller_name or self.seller_key})"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    """One InvoiceLine / CreditNoteLine. Amounts carry the document's sign: a credit
    note's lines are positive as written; the ``spend`` app nets them by kind."""

    # Indexed by the (document, position) constraint below, so no second index on the key alone.
    document = models.ForeignKey(
        InvoiceDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("Order of the line in the document, from 1."))
    line_id = models.CharField(_("line id"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=28, decimal_places=10)
    unit_code = models.CharField(_("unit"), max_length=3, help_text=_("UN/ECE Recommendation 20, e.g. EA, H87, KGM."))
    line_net_amount = models.DecimalField(_("line net amount"), max_digits=19, decimal_places=2)
    price_amount = models.DecimalField(_("net price"), max_digits=28, decimal_places=10)
    base_quantity = models.DecimalField(
        _("price base quantity"), max_digits=28, decimal_places=10, null=True, blank=True
    )
    item_name = models.CharField(_("item name"), max_length=500)
    seller_item_id = models.CharField(_("seller's item id"), max_length=200, blank=True)
    standard_item_id = models.CharField(
        _("standard item id"), max_length=200, blank=True, help_text=_("GTIN when the scheme is 0160.")
    )
    standard_item_scheme = models.CharField(_("standard item id scheme"), max_length=4, blank=True)
    # The first CPV code (listID "STI"), for figures per category; all classifications in ``classifications``.
    cpv_code = models.CharField(_("CPV code"), max_length=20, blank=True)
    classifications = models.JSONField(_("classifications"), default=list, blank=True)
    order_line_reference = models.CharField(_("order line reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    period_start = models.DateField(
        _("invoice period from"), null=True, blank=True, help_text=_("Invoice line period start date (BT-134).")
    )
    period_end = models.DateField(
        _("invoice period to"), null=True, blank=True, help_text=_("Invoice line period end date (BT-135).")
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="invoices_unique_line_position"),
        ]
        # No index on the item ids or the CPV code: no query looks lines up by them (the
        # matcher compares them in Python, the figures group by the contract's CPV code),
        # and three more indexes per line cost the invoice import (issue 15).

    def __str__(self) -> str:
        return f"{self.line_id}: {self.item_name}"

    @property
    def gtin(self) -> str:
        return self.standard_item_id if self.standard_item_scheme == "0160" else ""
