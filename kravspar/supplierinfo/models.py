"""What the regions publish to their suppliers: the policy documents (each with its
versions, a file or a link), the suppliers' acknowledgements of having read them, and each
region's contact details for suppliers.

The editorial text of the public page (goals and values, the aims, how follow-up works)
lives in templates, not in the database: it is the policy's own wording, changes only when
the regions' boards change the policy, and must exist in Swedish and English, which the
translation catalogue already gives us.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class DocumentKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    GUIDELINE = "guideline", _("Guideline")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct")
    OTHER = "other", _("Other document")


class PolicyDocumentQuerySet(models.QuerySet["PolicyDocument"]):
    def published(self) -> PolicyDocumentQuerySet:
        """Documents suppliers see: not withdrawn, with at least one version."""
        has_version = models.Exists(PolicyDocumentVersion.objects.filter(document=models.OuterRef("pk")))
        return self.filter(has_version, withdrawn_at__isnull=True)


class PolicyDocument(TimestampedModel):
    """A document every supplier must read (the purchasing policy, its guidelines, the code
    of conduct). Its content lives in its versions; the newest published one is current."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences on what the document covers and who it binds.")
    )
    # The English page shows these when given (the documents themselves are often Swedish only).
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    # Withdrawn documents disappear from the public page, the feed's current list and the
    # acknowledgements, but keep their versions and history.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)

    objects = PolicyDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        """The title in ``language`` (English when given), else the Swedish one."""
        return self.title_en if language.startswith("en") and self.title_en else self.title

    def description_in(self, language: str) -> str:
        return self.description_en if language.startswith("en") and self.description_en else self.description

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def version_file_path(instance: PolicyDocumentVersion, filename: str) -> str:
    # The stored name is random: the uploader's name is kept in the row, never on disk.
    return f"policy-documents/{uuid.uuid4().hex}"


class PolicyDocumentVersion(TimestampedModel):
    """One published version of a document: an uploaded file or a link to the region's site."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=50, help_text=_("As the document names it, e.g. 2.1 or 2024."))
    valid_from = models.DateField(_("valid from"))
    file = models.FileField(upload_to=version_file_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="unique_version_label_per_document"),
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file="")) | (~models.Q(url="") & models.Q(file="")),
                name="version_is_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.title} {self.label}"

    @property
    def is_link(self) -> bool:
        return bool(self.url)


class Acknowledgement(models.Model):
    """A supplier contact confirmed having read this version of a document."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    version = models.ForeignKey(PolicyDocumentVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    at = models.DateTimeField(_("confirmed"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="one_acknowledgement_per_version")]

    def __str__(self) -> str:
        return f"{self.user} – {self.version}"


class RegionContact(TimestampedModel):
    """How suppliers reach a region: what the organisation register does not hold."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="supplier_contact",
    )
    visiting_address = models.CharField(_("visiting address"), max_length=200, blank=True)
    phone = models.CharField(_("switchboard"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("region contact details")
        verbose_name_plural = _("region contact details")

    def __str__(self) -> str:
        return str(self.organisation)
