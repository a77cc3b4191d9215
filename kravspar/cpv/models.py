"""The Common Procurement Vocabulary (CPV 2008): reference data that classifies what is bought."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kravspar.cpv import codes
from kravspar.cpv.codes import CpvLevel


class CpvCode(models.Model):
    """One code of the main vocabulary. Loaded by a migration from data/cpv2008_sv_en.csv
    and never changed by the application."""

    # CPV codes are stable public identifiers, so the code itself is the key.
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    division = models.CharField(_("division"), max_length=2)
    label_sv = models.CharField(_("Swedish label"), max_length=255)
    label_en = models.CharField(_("English label"), max_length=255)
    search_text = models.TextField(_("search text"), editable=False)

    class Meta:
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code_display} {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = codes.search_text(self.label_sv, self.label_en)
        super().save(*args, **kwargs)

    @property
    def code_display(self) -> str:
        # Without the check digit ("15100000", not "15100000-9"): see data/PROVENANCE.md.
        return self.code

    @property
    def label(self) -> str:
        """The label in the language of the page; Swedish unless that is English."""
        return self.label_en if (get_language() or "").startswith("en") else self.label_sv

    @property
    def prefix(self) -> str:
        """The digits that every narrower code shares with this one: "151" for 15100000."""
        return self.code[: codes.significant_length(self.code)]

    @property
    def level(self) -> CpvLevel:
        return codes.code_level(self.code)

    @property
    def parent_code(self) -> str | None:
        return codes.parent_code(self.code)
