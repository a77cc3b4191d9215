"""The labour-law duty as code: LOU (2016:1145) 17 kap. 2–5 §§.

"En upphandlande myndighet ska ... ställa särskilda arbetsrättsliga villkor om lön,
semester och arbetstid ... om det är behövligt", in procurements at or above the EU
thresholds, at the lowest level of the central collective agreement of the sector, for
the supplier and its subcontractors "oavsett antal mellanliggande led".
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.core.dates import add_months
from kravspar.labour.models import (
    BuyerCategory,
    CollectiveAgreement,
    Condition,
    ContractKind,
    EUThreshold,
    NeedDecision,
)
from kravspar.procurements.models import CategoryRuleKind, Procurement, ProcurementKind

KIND_BY_PROCUREMENT_KIND = {
    ProcurementKind.GOODS: ContractKind.SUPPLIES,
    ProcurementKind.SERVICES: ContractKind.SERVICES,
    ProcurementKind.WORKS: ContractKind.WORKS,
}

# What the officer checks in the step-2 documents for each condition (the review checklist).
CHECKLIST: dict[str, list[str]] = {
    Condition.WAGES: [
        "payslips_cover_sample",
        "wage_at_least_minimum",
        "overtime_and_ob_paid",
    ],
    Condition.HOLIDAY: [
        "holiday_pay_shown",
        "holiday_days_given",
    ],
    Condition.WORKING_HOURS: [
        "time_reports_match_payslips",
        "hours_within_agreement",
        "rest_periods_kept",
    ],
}


def checklist_labels() -> dict[str, str]:
    return {
        "payslips_cover_sample": _("The payslips cover every employee and month in the sample"),
        "wage_at_least_minimum": _("The wage is at least the agreement's minimum wage"),
        "overtime_and_ob_paid": _("Overtime and unsocial-hours pay are paid as the agreement says"),
        "holiday_pay_shown": _("Holiday pay or holiday supplement is shown"),
        "holiday_days_given": _("Holiday days are given as the agreement says"),
        "time_reports_match_payslips": _("The time reports match the hours paid"),
        "hours_within_agreement": _("Working hours stay within the agreement's limits"),
        "rest_periods_kept": _("Daily and weekly rest are kept"),
    }


def contract_kind_for(procurement: Procurement) -> str:
    return str(KIND_BY_PROCUREMENT_KIND.get(ProcurementKind(procurement.kind), ContractKind.SERVICES))


def threshold_for(
    *, contract_kind: str, buyer_category: str = BuyerCategory.SUB_CENTRAL, on: datetime.date | None = None
) -> EUThreshold | None:
    """The threshold in force on ``on`` (today by default) for the kind and buyer category."""
    day = on or timezone.localdate()
    return (
        EUThreshold.objects.filter(
            contract_kind=contract_kind, buyer_category=buyer_category, valid_from__lte=day, valid_to__gte=day
        )
        .order_by("-valid_from")
        .first()
    )


def reference_day(procurement: Procurement) -> datetime.date:
    """The threshold that counts is the one in force when the procurement is advertised."""
    return procurement.advertised_on or timezone.localdate()


def is_above(value: Decimal | None, threshold: EUThreshold | None) -> bool:
    return value is not None and threshold is not None and value >= threshold.amount_sek


def labour_signal(procurement: Procurement) -> list[str]:
    """The labour-intensive areas (Upphandlingsmyndigheten's ready-made areas, the CPV
    category rules of kind labour_conditions) that the procurement's CPV codes fall in."""
    from kravspar.procurements.policy import suggestions

    return sorted({s.label for s in suggestions(procurement) if s.kind == CategoryRuleKind.LABOUR_CONDITIONS})


def agreements_for(procurement: Procurement) -> list[CollectiveAgreement]:
    """Active agreements whose sector's CPV prefixes match the procurement's codes."""
    from kravspar.procurements.policy import cpv_codes_of

    codes = cpv_codes_of(procurement)
    return [
        a
        for a in CollectiveAgreement.objects.filter(is_active=True)
        if any(code.startswith(prefix) for code in codes for prefix in a.cpv_prefixes)
    ]


@dataclass(frozen=True)
class NeedFacts:
    contract_kind: str
    threshold: EUThreshold | None
    above_threshold: bool
    signal: list[str]

    @property
    def assessment_required(self) -> bool:
        return self.above_threshold and bool(self.signal)


def facts(procurement: Procurement, *, contract_kind: str | None = None) -> NeedFacts:
    kind = contract_kind or contract_kind_for(procurement)
    threshold = threshold_for(contract_kind=kind, on=reference_day(procurement))
    return NeedFacts(kind, threshold, is_above(procurement.estimated_value, threshold), labour_signal(procurement))


def gate_missing(procurement: Procurement) -> list[str]:
    """What the strategy gate still needs for labour-law conditions: a procurement at or
    above the threshold in a flagged area needs a recorded decision; a decision that
    conditions are needed needs the agreement and the three conditions."""
    from kravspar.labour.models import NeedsAssessment

    assessment = NeedsAssessment.objects.filter(procurement=procurement).only("decision", "agreement_id").first()
    if assessment is None:
        # facts(procurement).assessment_required, with the CPV areas read only above the threshold.
        threshold = threshold_for(contract_kind=contract_kind_for(procurement), on=reference_day(procurement))
        signal = labour_signal(procurement) if is_above(procurement.estimated_value, threshold) else []
        if signal:
            return [
                _(
                    "Labour-law conditions: record the needs assessment (LOU 17 kap. 2–5 §§); the procurement is "
                    "at or above the EU threshold in a labour-intensive area (%(areas)s)."
                )
                % {"areas": ", ".join(signal)}
            ]
        return []
    if assessment.decision != NeedDecision.NEEDED:
        return []
    missing: list[str] = []
    if assessment.agreement_id is None:
        missing.append(_("Labour-law conditions: name the central collective agreement."))
    have = set(assessment.conditions.values_list("condition", flat=True))
    for condition in Condition:
        if condition.value not in have:
            missing.append(
                _("Labour-law conditions: the condition on %(condition)s is not set.")
                % {"condition": str(condition.label).lower()}
            )
    return missing


# --- Sampling for step 2 -----------------------------------------------------------------


@dataclass(frozen=True)
class SamplePlan:
    employees: int
    months: list[str]  # "YYYY-MM"


MIN_SAMPLE = 3
MONTHS_PER_YEAR = 2


def sample(*, workforce: int, period_start: datetime.date, period_end: datetime.date) -> SamplePlan:
    """How many employees and which months to ask documents for.

    Employees: the square root of the workforce on the contract, rounded up, at least three
    and never more than the workforce (a small sample that still spans shifts and roles).
    Months: two per started year of the period, spread evenly over its whole months from
    the first to the last, so that both ends of the period are covered."""
    if workforce < 1:
        raise ValueError("workforce must be at least 1")
    if period_end < period_start:
        raise ValueError("the period ends before it starts")
    employees = min(workforce, max(MIN_SAMPLE, math.ceil(math.sqrt(workforce))))
    first = period_start.replace(day=1)
    months_all: list[datetime.date] = []
    month = first
    while month <= period_end:
        months_all.append(month)
        month = add_months(month, 1)
    years = math.ceil(len(months_all) / 12)
    wanted = min(len(months_all), max(1, MONTHS_PER_YEAR * years))
    if wanted == 1:
        picked = [months_all[-1]]
    else:
        step = (len(months_all) - 1) / (wanted - 1)
        picked = [months_all[round(i * step)] for i in range(wanted)]
    return SamplePlan(employees, [f"{m:%Y-%m}" for m in picked])


def retention_end(closed_on: datetime.date, months: int) -> datetime.date:
    return add_months(closed_on, months)
