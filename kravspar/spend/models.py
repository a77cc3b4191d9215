"""Price lists of contracts, how each invoice and invoice line was matched to them, and the
findings the checks leave for follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel
from kravspar.spend.units import UNIT_CHOICES


class PriceListArticle(TimestampedModel):
    """One line of a contract's price list: the agreed net price of an article for a period."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.CASCADE, related_name="price_list"
    )
    seller_item_id = models.CharField(
        _("seller's item id"),
        max_length=100,
        blank=True,
        help_text=_("The supplier's article number, as it appears on the invoice (Peppol BT-155)."),
    )
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        blank=True,
        help_text=_("The article's global trade item number (EAN), 8, 12, 13 or 14 digits (Peppol BT-157)."),
    )
    name = models.CharField(_("name"), max_length=200)
    unit_code = models.CharField(
        _("unit"), max_length=3, choices=UNIT_CHOICES, help_text=_("Unit of measure, UN/ECE Recommendation 20.")
    )
    net_price = models.DecimalField(
        _("agreed net price"),
        max_digits=14,
        decimal_places=4,
        help_text=_("Price per unit excluding VAT, as agreed in the contract."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: valid until further notice."))
    price_index = models.CharField(
        _("price adjustment index"),
        max_length=60,
        blank=True,
        help_text=_("The index the price is adjusted by, e.g. KPI or PPI; empty if the price is fixed."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("price-list article")
        verbose_name_plural = _("price-list articles")
        ordering = ["contract", "seller_item_id", "gtin", "valid_from"]
        indexes = [
            models.Index(fields=["contract", "seller_item_id"]),
            models.Index(fields=["contract", "gtin"]),
        ]

    def __str__(self) -> str:
        return f"{self.seller_item_id or self.gtin} {self.name}"


class MatchStatus(models.TextChoices):
    MATCHED = "matched", _("Matched to a contract")  # a contract was found; the lines may still lack articles
    NO_BUYER = "no_buyer", _("Unknown buyer")  # the customer's endpoint id is no organisation in Kravspår
    NO_SUPPLIER = "no_supplier", _("Unknown supplier")  # the seller is not in the supplier registry
    NO_CONTRACT = "no_contract", _("No contract")  # a known supplier without a valid contract for this buyer
    AMBIGUOUS = "ambiguous", _("Several contracts")  # more than one contract fits; an officer chooses


class MatchMethod(models.TextChoices):
    CONTRACT_REFERENCE = "contract_ref", _("Contract reference")
    ORDER_REFERENCE = "order_ref", _("Order reference")
    BUYER_REFERENCE = "buyer_ref", _("Buyer reference")
    SUPPLIER_PERIOD = "supplier_period", _("Supplier, buyer and date")
    CREDITED_INVOICE = "credited", _("The credited invoice")
    MANUAL = "manual", _("By hand")
    NONE = "none", _("Not matched")


class SupplierSource(models.TextChoices):
    IMPORT = "import", _("Found by the import")  # the invoices app resolved the seller when storing it
    ORG_NUMBER = "org_number", _("Organisation number")  # PartyLegalEntity/CompanyID, scheme 0007
    ENDPOINT = "endpoint", _("Peppol endpoint id")  # EndpointID
    VAT = "vat", _("VAT number")  # PartyTaxScheme/CompanyID
    CONTRACT = "contract", _("From the contract assigned by hand")


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched to an article")
    NO_ARTICLE = "no_article", _("Not on the price list")  # the contract's price list lacks the article
    NO_CONTRACT = "no_contract", _("No contract")  # the invoice has no contract, so no price list
    # A financial-system line without article (ledger app): counted, its price not checked.
    NOT_PRICE_CHECKED = "not_checked", _("No article: counted, price not checked")


class LineMethod(models.TextChoices):
    SELLER_ITEM_ID = "seller_item_id", _("Seller's item id")
    GTIN = "gtin", _("GTIN")
    MANUAL = "manual", _("By hand")
    NONE = "none", _("Not matched")


class PriceCheck(models.TextChoices):
    """How a line's price was compared with the price list's, or why it was not."""

    SAME_UNIT = "same_unit", _("Compared in the agreed unit")
    CONVERTED = "converted", _("Converted to the agreed unit, then compared")  # a fixed UN/ECE Rec 20 factor
    UNIT_DIFFERS = "unit_differs", _("Not compared: the unit differs from the agreed unit")  # a deviation
    CURRENCY_DIFFERS = "currency_differs", _("Not compared: the currency differs from the agreement")  # a deviation
    NONE = "", _("Not compared: no article")


class InvoiceMatch(models.Model):
    """How one invoice or credit note was matched: to which buyer, supplier and contract,
    by which method. Re-matching never overrides a match made by hand."""

    document = models.OneToOneField(
        "invoices.InvoiceDocument", verbose_name=_("e-invoice"), on_delete=models.CASCADE, related_name="match"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=MatchStatus.choices)
    method = models.CharField(_("method"), max_length=16, choices=MatchMethod.choices, default=MatchMethod.NONE)
    # The value the method used (the reference, the contract number); shown in the explanation.
    detail = models.CharField(_("matched on"), max_length=200, blank=True)
    # No index of its own: the work queue's (organisation, needs_attention, issue_date)
    # index leads with it and serves every look-up by it (issue 15).
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier_via = models.CharField(
        _("supplier found by"), max_length=12, choices=SupplierSource.choices, blank=True, default=""
    )
    # No index of its own: the (contract, issue_date) index leads with it (issue 15).
    contract = models.ForeignKey(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_matches",
        db_index=False,
    )
    candidates = models.ManyToManyField("contracts.Contract", blank=True, related_name="+")
    credited_document = models.ForeignKey(
        "invoices.InvoiceDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_notes"
    )
    issue_date = models.DateField(_("issue date"))
    # The days the invoice covers (delivery date and invoice periods, else the issue date):
    # what the contract's period is compared with.
    covered_from = models.DateField(_("covers from"), null=True, blank=True)
    covered_to = models.DateField(_("covers to"), null=True, blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="SEK",
        help_text=_("The document's currency (BT-5); only documents in SEK are counted in kronor figures."),
    )
    net_amount = models.DecimalField(
        _("net amount"),
        max_digits=19,
        decimal_places=2,
        help_text=_("In the document's currency; negative for credit notes."),
    )
    unmatched_lines = models.PositiveIntegerField(_("lines without article"), default=0)
    needs_attention = models.BooleanField(_("in the work queue"), default=False, db_index=True)
    matched_at = models.DateTimeField(_("matched"))
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice match")
        verbose_name_plural = _("invoice matches")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "needs_attention", "issue_date"], name="spend_match_queue"),
            models.Index(fields=["contract", "issue_date"], name="spend_match_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"


class LineMatch(models.Model):
    """How one invoice line was matched, with what the figures add up: the signed amount,
    and whether it was bought from a contracted supplier and on the contract's terms.
    The buyer, supplier, contract and date are copied from the invoice's match so that
    the figures are one aggregate query over this table."""

    line = models.OneToOneField(
        "invoices.InvoiceLine", verbose_name=_("invoice line"), on_delete=models.CASCADE, related_name="match"
    )
    invoice_match = models.ForeignKey(InvoiceMatch, on_delete=models.CASCADE, related_name="line_matches")
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=LineStatus.choices)
    method = models.CharField(_("method"), max_length=16, choices=LineMethod.choices, default=LineMethod.NONE)
    article = models.ForeignKey(
        PriceListArticle, null=True, blank=True, on_delete=models.PROTECT, related_name="line_matches"
    )
    # No index of its own for organisation, supplier and contract: the composite indexes
    # below lead with each, and serve every look-up by it (the figures, the foreign keys'
    # checks); a fourth index per row cost the invoice import a fifth of its line-match
    # inserts (issue 15).
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    issue_date = models.DateField(_("issue date"))
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    net_amount = models.DecimalField(_("net amount"), max_digits=19, decimal_places=2)
    unit_price = models.DecimalField(_("invoiced unit price"), max_digits=28, decimal_places=10)
    agreed_price = models.DecimalField(_("agreed price"), max_digits=14, decimal_places=4, null=True, blank=True)
    price_check = models.CharField(
        _("price check"), max_length=16, choices=PriceCheck.choices, blank=True, default=PriceCheck.NONE
    )
    # The invoiced price per the article's unit when the line was in another unit that
    # converts by a fixed factor (e.g. a price per GRM as a price per KGM); else empty.
    compared_price = models.DecimalField(
        _("invoiced price in the agreed unit"), max_digits=28, decimal_places=10, null=True, blank=True
    )
    contracted = models.BooleanField(_("contracted supplier"), default=False)
    on_terms = models.BooleanField(_("on contract terms"), default=False)
    over_price = models.BooleanField(_("above the agreed price"), default=False)
    overcharge = models.DecimalField(_("price deviation (SEK)"), max_digits=19, decimal_places=2, default=0)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)

    class Meta:
        verbose_name = _("line match")
        verbose_name_plural = _("line matches")
        ordering = ["-issue_date", "line_id"]
        indexes = [
            models.Index(fields=["organisation", "issue_date"], name="spend_line_org_date"),
            models.Index(fields=["contract", "issue_date"], name="spend_line_contract_date"),
            models.Index(fields=["supplier", "issue_date"], name="spend_line_supplier_date"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.status}"


class OffContractPurchase(models.Model):
    """An invoice from a known supplier that has no valid contract with this buyer: not a
    deviation (there is no contract to raise it on), but a purchase for the buyer to review."""

    document = models.OneToOneField("invoices.InvoiceDocument", on_delete=models.CASCADE, related_name="off_contract")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    issue_date = models.DateField(_("issue date"))
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    net_amount = models.DecimalField(_("net amount"), max_digits=19, decimal_places=2)
    # A contract of the same supplier and buyer outside its period, if there is one.
    nearest_contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase outside contract")
        verbose_name_plural = _("purchases outside contract")
        ordering = ["-issue_date", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.supplier_id}"


class Check(models.TextChoices):
    OVER_PRICE = "over_price", _("Priced above the agreed price")
    NOT_ON_CONTRACT = "not_on_contract", _("Article not on the contract")
    OVER_VALUE = "over_value", _("Spend past the contract value")
    AFTER_END = "after_end", _("Invoiced after the contract ended")
    UNIT_DIFFERS = "unit_differs", _("Unit differs from the agreed unit")
    CURRENCY_DIFFERS = "currency_differs", _("Currency differs from the agreement")


class EconomyFinding(models.Model):
    """One check that found something on one invoice for one contract, and the deviation
    it raised. Unique, so that matching an invoice again never raises it twice. Spend past
    the contract value is raised once per contract (``document`` is the invoice that
    crossed the value)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("invoices.InvoiceDocument", on_delete=models.CASCADE, related_name="+")
    check_type = models.CharField(_("check"), max_length=20, choices=Check.choices)
    deviation = models.OneToOneField("findings.Deviation", on_delete=models.CASCADE, related_name="economy_finding")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "document", "check_type"], name="spend_one_finding_per_invoice"
            ),
            models.UniqueConstraint(
                fields=["contract", "check_type"],
                condition=models.Q(check_type="over_value"),
                name="spend_one_over_value_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_type} {self.document_id}"


class DeviationInvoiceLine(models.Model):
    """An invoice line that is evidence for an economy deviation."""

    deviation = models.ForeignKey("findings.Deviation", on_delete=models.CASCADE, related_name="invoice_lines")
    line = models.ForeignKey("invoices.InvoiceLine", on_delete=models.CASCADE, related_name="+")
    check_type = models.CharField(_("check"), max_length=20, choices=Check.choices)
    agreed_price = models.DecimalField(_("agreed price"), max_digits=14, decimal_places=4, null=True, blank=True)
    overcharge = models.DecimalField(_("price deviation (SEK)"), max_digits=19, decimal_places=2, default=0)

    class Meta:
        ordering = ["deviation", "line_id"]
        constraints = [models.UniqueConstraint(fields=["deviation", "line"], name="spend_one_evidence_per_line")]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.line_id}"
