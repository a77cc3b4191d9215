"""The retention schedule (dokumenthanteringsplan): how long each kind of record that holds
personal data is kept, per organisation, and under which decision it is disposed of."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel

# What disposed-of personal data is replaced by, in records and in the history. The history's
# database trigger accepts this literal and nothing else (audit migration 0003).
DISPOSED = "gallrad"


class RecordType(models.TextChoices):
    # Files uploaded as evidence of a follow-up; their names often name a person.
    EVIDENCE = "evidence", _("Evidence files of follow-ups")
    # Step-2 documents of the labour-conditions follow-up: payslips, time reports, employee lists.
    LABOUR_DOCUMENT = "labour_document", _("Step-2 labour-conditions documents")
    # Who represented the trade union at a consultation.
    UNION_CONTACT = "union_contact", _("Union contacts in labour-conditions consultations")
    # Files a supplier attached to its answers to a questionnaire (request).
    ANSWER_FILE = "answer_file", _("Files attached to questionnaire answers")
    # Documents in a supplier's evidence library (certificates, own policies).
    SUPPLIER_DOCUMENT = "supplier_document", _("Supplier library documents")


class Anchor(models.TextChoices):
    CONTRACT_END = "contract_end", _("after the contract ends")
    FOLLOWUP_CLOSED = "followup_closed", _("after the follow-up closes")


class PeriodUnit(models.TextChoices):
    YEARS = "years", _("years")
    MONTHS = "months", _("months")


class RetentionRule(TimestampedModel):
    """One line of the schedule: records of ``record_type`` of ``organisation`` are disposed of
    ``period`` years or months after ``anchor``, under the decision ``decision``."""

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices)
    anchor = models.CharField(_("counted from"), max_length=20, choices=Anchor.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    unit = models.CharField(_("unit"), max_length=10, choices=PeriodUnit.choices)
    decision = models.CharField(
        _("decision"),
        max_length=300,
        help_text=_("The decision behind the rule, e.g. the retention schedule's diary number and item."),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention schedule")
        ordering = ["organisation__name", "record_type"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "record_type"], name="one_rule_per_record_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.period} {self.get_unit_display()} {self.get_anchor_display()}"
