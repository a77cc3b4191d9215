"""The supplier portal: invitations of supplier contacts, the supplier's evidence library,
and the subcontractors a supplier declares on a contract.

Everything here belongs to one supplier; ``portal/access.py`` is the one place that
decides who reaches it."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kravspar.core.models import TimestampedModel
from kravspar.suppliers.models import CollectiveAgreement


class InvitationState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("invitation", "Pending")  # sent, not yet used and still valid
    USED = "used", pgettext_lazy("invitation", "Used")  # the person chose a password; the account exists
    EXPIRED = "expired", pgettext_lazy("invitation", "Expired")  # not used in time
    REVOKED = "revoked", pgettext_lazy("invitation", "Revoked")  # withdrawn by an officer before use


class Invitation(TimestampedModel):
    """An e-mailed, single-use, time-limited link with which a supplier contact chooses a
    password. Only the SHA-256 of the token is stored: the link is shown only in the e-mail."""

    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invited_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.used_at is not None:
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def state_label(self) -> str:
        return str(InvitationState(self.state()).label)


class InvitationRenewalRequest(models.Model):
    """Someone with an expired or used link asked for a new one. Kept in the database (not
    the cache) so that the rate limit holds across every app server."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="renewal_requests")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.invitation} {self.created_at:%Y-%m-%d %H:%M}"


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate")  # e.g. ISO 14001, Svanen, a third-party audit
    GOVERNING = "governing", _("Governing document")  # the supplier's own code of conduct, policy, routine
    OTHER = "other", _("Other")


def supplier_document_path(instance: SupplierDocument, filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never on disk.
    return f"supplier-documents/{instance.supplier_id}/{uuid.uuid4().hex}"


class SupplierDocument(TimestampedModel):
    """A document in the supplier's evidence library. It belongs to the supplier, not to a
    contract, so that it is uploaded once and reused for every contract and buyer."""

    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(
        _("issuer"), max_length=200, blank=True, help_text=_("Who issued it, e.g. the certification body.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty if the document does not expire.")
    )
    file = models.FileField(upload_to=supplier_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Withdrawn documents stay for the history but are no longer offered as evidence.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplier document")
        verbose_name_plural = _("supplier documents")
        ordering = ["supplier", "kind", "title", "id"]

    def __str__(self) -> str:
        return self.title


class DocumentWarningSent(models.Model):
    """One row per document and warning threshold, so that ``send_document_warnings`` sends
    each warning once however often it runs."""

    document = models.ForeignKey(SupplierDocument, on_delete=models.CASCADE, related_name="warnings_sent")
    days_before = models.PositiveSmallIntegerField()
    valid_until = models.DateField()  # a renewed validity date earns new warnings
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "days_before", "valid_until"], name="one_document_warning_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} −{self.days_before} d"


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # sent by the supplier, waiting for the officer
    ACCEPTED = "accepted", _("Accepted")  # the officer accepted it; the contract's subcontractor list has it
    REJECTED = "rejected", _("Rejected")  # the officer rejected it, with a comment


class SubcontractorDeclaration(TimestampedModel):
    """A subcontractor the supplier declares on one of its contracts. Accepting it adds (or
    updates) the contract's ``Subcontractor`` through the contracts service."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="declarations"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="declarations"
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"), max_length=10, blank=True, help_text=_("Swedish subcontractors: ten digits.")
    )
    country = models.CharField(
        _("country"), max_length=2, default="SE", help_text=_("Two-letter ISO 3166 code, e.g. SE, PL or DE.")
    )
    role = models.CharField(_("what they do"), max_length=300)
    collective_agreement = models.CharField(
        _("collective agreement"), max_length=20, choices=CollectiveAgreement.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DeclarationStatus.choices, default=DeclarationStatus.SUBMITTED
    )
    review_comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    subcontractor = models.ForeignKey(
        "contracts.Subcontractor",
        verbose_name=_("subcontractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )

    class Meta:
        verbose_name = _("subcontractor declaration")
        verbose_name_plural = _("subcontractor declarations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name
