"""Requirements (krav) of a procurement, and the library of reusable templates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class RequirementType(models.TextChoices):
    QUALITY = "quality", _("Quality")
    CONTRACT_LAW = "contract_law", _("Contract law")
    SOCIAL = "social", _("Social / code of conduct")
    LABOUR = "labour", _("Labour conditions")
    ENVIRONMENT = "environment", _("Environment")
    ANIMAL_WELFARE = "animal_welfare", _("Animal welfare")
    ECONOMY = "economy", _("Economy")


class Level(models.TextChoices):
    """Levels of Upphandlingsmyndigheten's sustainability criteria."""

    BASE = "bas", _("Base")
    ADVANCED = "avancerad", _("Advanced")
    SPEARHEAD = "spjutspets", _("Spearhead")


class VerifiedWhen(models.TextChoices):
    AT_EVALUATION = "evaluation", _("At evaluation")
    AFTER_CONTRACT = "after_contract", _("After the contract is signed")
    BOTH = "both", _("Both")


class RequirementFields(models.Model):
    """What a requirement and a library template share."""

    type = models.CharField(_("type"), max_length=20, choices=RequirementType.choices)
    text = models.TextField(_("requirement"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, blank=True)
    criterion_ref = models.CharField(
        _("criterion"), max_length=60, blank=True, help_text=_("Id in a criteria library, e.g. 10173:1")
    )
    criterion_version = models.CharField(_("criterion version"), max_length=20, blank=True)
    evidence = models.TextField(
        _("evidence (verifikat)"), blank=True, help_text=_("What proves the requirement is met.")
    )
    verified_when = models.CharField(
        _("verified"), max_length=20, choices=VerifiedWhen.choices, default=VerifiedWhen.AFTER_CONTRACT
    )
    binds_subcontractors = models.BooleanField(_("binds subcontractors"), default=False)
    aims = models.JSONField(
        _("aims served"), default=list, blank=True, help_text=_("Numbers 1–6 of the policy's aims.")
    )

    class Meta:
        abstract = True


class RequirementTemplate(RequirementFields, TimestampedModel):
    """A reusable requirement in the library."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("requirement template")
        verbose_name_plural = _("requirement library")
        ordering = ["type", "title"]

    def __str__(self) -> str:
        return self.title


class Requirement(RequirementFields, TimestampedModel):
    procurement = models.ForeignKey("procurements.Procurement", on_delete=models.CASCADE, related_name="requirements")
    title = models.CharField(_("title"), max_length=200)
    template = models.ForeignKey(
        RequirementTemplate,
        verbose_name=_("from the library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
    )
    position = models.PositiveIntegerField(default=0)
    # Removed requirements stay for the strategy versions that mention them.
    removed = models.BooleanField(_("removed"), default=False)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["procurement", "position", "id"]

    def __str__(self) -> str:
        return self.title
