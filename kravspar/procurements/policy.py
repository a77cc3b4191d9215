"""The purchasing policy of Region Sörmland and Region Västmanland, as code.

Read this module to know what Kravspår enforces; each rule quotes where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.procurements.models import (
    Aim,
    CategoryRule,
    CategoryRuleKind,
    Kraljic,
    Method,
    Procurement,
    Responsible,
    Strategy,
    StrategyEntry,
    StrategyStatus,
    Tier,
    Timing,
)
from kravspar.requirements.models import Requirement, RequirementType, VerifiedWhen

if TYPE_CHECKING:
    from kravspar.procurements.models import EnvironmentalGoal

# "Strategin avgör vilken enhet hos köparen som ansvarar för uppföljningen: vissa
# kvalitetskrav följs upp av beställaren; avtalsrättsliga frågor samt sociala och
# miljömässiga krav följs upp av Inköp." (domain.md § 3)
# Labour conditions are social requirements. Animal welfare and economy are not named
# in the policy; we give them to Inköp, which owns contract terms and price follow-up.
RESPONSIBLE_BY_TYPE: dict[str, Responsible] = {
    RequirementType.QUALITY: Responsible.ORDERING_UNIT,
    RequirementType.CONTRACT_LAW: Responsible.PURCHASING,
    RequirementType.SOCIAL: Responsible.PURCHASING,
    RequirementType.LABOUR: Responsible.PURCHASING,
    RequirementType.ENVIRONMENT: Responsible.PURCHASING,
    RequirementType.ANIMAL_WELFARE: Responsible.PURCHASING,
    RequirementType.ECONOMY: Responsible.PURCHASING,
}


def responsible_for(requirement_type: str) -> Responsible:
    return RESPONSIBLE_BY_TYPE[requirement_type]


# --- Classification -------------------------------------------------------------------
# Value bands in SEK. The threshold for the top band follows the size at which the
# regions treat a contract as strategic; the middle band starts near the EU threshold
# for goods and services bought by regions (about 2.3 MSEK in 2026).
VALUE_BANDS = [(Decimal(50_000_000), 3), (Decimal(2_300_000), 2), (Decimal(0), 1)]


def value_band(value: Decimal) -> int:
    for floor, band in VALUE_BANDS:
        if value >= floor:
            return band
    return 1


def kraljic(procurement: Procurement) -> Kraljic | None:
    """Importance (value and business criticality) × supply risk."""
    if procurement.estimated_value is None or procurement.criticality is None or procurement.supply_risk is None:
        return None
    important = value_band(procurement.estimated_value) + procurement.criticality >= 4
    risky = procurement.supply_risk >= 2
    if important:
        return Kraljic.STRATEGIC if risky else Kraljic.LEVERAGE
    return Kraljic.BOTTLENECK if risky else Kraljic.NON_CRITICAL


TIER_A_SCORE = 8
TIER_B_SCORE = 6


def computed_tier(procurement: Procurement) -> Tier | None:
    """SKR's example: the top 10 % of contracts (A) get statistics and three meetings a
    year, the next 30 % (B) statistics and one meeting, the remaining 60 % (C) statistics
    and a follow-up every second year. We approximate the percentiles with a score of
    value band + criticality + supply risk (3–9)."""
    if procurement.estimated_value is None or procurement.criticality is None or procurement.supply_risk is None:
        return None
    score = value_band(procurement.estimated_value) + procurement.criticality + procurement.supply_risk
    if score >= TIER_A_SCORE:
        return Tier.A
    if score >= TIER_B_SCORE:
        return Tier.B
    return Tier.C


def tier(procurement: Procurement) -> Tier | None:
    return Tier(procurement.tier_override) if procurement.tier_override else computed_tier(procurement)


# --- Follow-up methods and the proposal from the tier ----------------------------------

# "Social follow-up is staged: self-assessment → desk audit (document review plus
# interviews ...) → on-site audit (factory/subcontractor) if risk is found." (domain § 4)
# Every list of methods (choices, forms, the strategy, the plan's notes) uses this order;
# the other methods follow in the order Method declares them.
STAGED_METHODS: tuple[Method, ...] = (
    Method.SELF_ASSESSMENT,
    Method.DOCUMENT_REVIEW,
    Method.DESK_AUDIT,
    Method.ON_SITE_AUDIT,
)
METHOD_ORDER: tuple[Method, ...] = STAGED_METHODS + tuple(m for m in Method if m not in STAGED_METHODS)
_METHOD_RANK = {m.value: rank for rank, m in enumerate(METHOD_ORDER)}


def ordered_methods(methods: Iterable[str]) -> list[str]:
    """The methods once each, in the staged order (unknown values last, as given)."""
    unique = list(dict.fromkeys(methods))
    return sorted(unique, key=lambda m: (_METHOD_RANK.get(m, len(_METHOD_RANK)), unique.index(m)))


def method_choices() -> list[tuple[str, str]]:
    return [(m.value, str(m.label)) for m in METHOD_ORDER]


def method_labels(methods: Iterable[str]) -> list[str]:
    return [str(Method(m).label) if m in Method.values else m for m in ordered_methods(methods)]


@dataclass(frozen=True)
class FollowUpProposal:
    """What the tier and the Kraljic class propose for one requirement."""

    methods: tuple[str, ...]
    timing: str
    interval_months: int | None

    def matches(self, methods: Iterable[str], timing: str, interval_months: int | None) -> bool:
        if set(methods) != set(self.methods) or timing != self.timing:
            return False
        return timing != Timing.RECURRING or interval_months == self.interval_months


# SKR's tiering (domain § 4): "top 10 % of contracts get statistics + 3 meetings a year,
# next 30 % statistics + 1 meeting a year, remaining 60 % statistics + follow-up every
# second year." Tier A adds an audit. Statistics come from the invoices (the economy checks),
# so an economy requirement is proposed an invoice and price check in every tier.
TIER_FOLLOW_UP: dict[Tier, tuple[tuple[Method, ...], int]] = {
    Tier.A: ((Method.SUPPLIER_MEETING, Method.DESK_AUDIT), 4),
    Tier.B: ((Method.SUPPLIER_MEETING,), 12),
    Tier.C: ((Method.SELF_ASSESSMENT,), 24),
}
# Social and labour requirements follow the staged order from its first step; "on-site
# audit if risk is found": where the Kraljic class says the supply risk is high.
SOCIAL_STAGES: dict[Tier, tuple[Method, ...]] = {
    Tier.A: (Method.SELF_ASSESSMENT, Method.DESK_AUDIT),
    Tier.B: (Method.SELF_ASSESSMENT, Method.DESK_AUDIT),
    Tier.C: (Method.SELF_ASSESSMENT,),
}
HIGH_SUPPLY_RISK = (Kraljic.STRATEGIC, Kraljic.BOTTLENECK)
# "Follow-up during the procurement (e.g. verifying qualification requirements at
# evaluation)" (domain § 3): the tender's documents are reviewed before award.
AT_EVALUATION_PROPOSAL = FollowUpProposal((Method.DOCUMENT_REVIEW.value,), Timing.AT_EVALUATION.value, None)


def proposed_follow_up(procurement: Procurement, requirement: Requirement) -> FollowUpProposal | None:
    """The methods and frequency the risk tier proposes; None while the procurement is not
    classified (no tier). The officer may choose otherwise, with a reason."""
    if requirement.verified_when == VerifiedWhen.AT_EVALUATION:
        return AT_EVALUATION_PROPOSAL
    level = tier(procurement)
    if level is None:
        return None
    base, interval = TIER_FOLLOW_UP[level]
    methods: list[str] = list(base)
    if requirement.type in (RequirementType.SOCIAL, RequirementType.LABOUR):
        methods += SOCIAL_STAGES[level]
        if kraljic(procurement) in HIGH_SUPPLY_RISK:
            methods.append(Method.ON_SITE_AUDIT)
    if requirement.type == RequirementType.ECONOMY:
        methods.append(Method.INVOICE_CHECK)
    return FollowUpProposal(tuple(ordered_methods(str(m) for m in methods)), Timing.RECURRING.value, interval)


# --- Suggestions from CPV -------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    kind: str
    label: str
    source: str
    message: str


SUGGESTION_MESSAGES: dict[str, Callable[[], str]] = {
    CategoryRuleKind.HIGH_RISK_SOCIAL: lambda: _(
        "High-risk category for social follow-up: add the code of conduct and plan a staged follow-up "
        "(self-assessment, desk audit, on-site audit if risk is found)."
    ),
    CategoryRuleKind.ENVIRONMENT_PRIORITY: lambda: _(
        "Environment-priority area: an environment specialist from the region's environmental organisation "
        "must take part."
    ),
    CategoryRuleKind.ANIMAL_PRODUCTS: lambda: _(
        "Animal products: aim 5 (animal welfare) is relevant; require Swedish animal protection law or equivalent."
    ),
    CategoryRuleKind.LABOUR_CONDITIONS: lambda: _(
        "Labour-intensive service: make the needs assessment for labour-law conditions (LOU 17:2–5)."
    ),
}


def cpv_codes_of(procurement: Procurement) -> list[str]:
    codes = [procurement.cpv_main_id] if procurement.cpv_main_id else []
    codes += [c.code for c in procurement.cpv_additional.all()]
    return [c for c in codes if c]


def suggestions_for_codes(codes: Iterable[str]) -> list[Suggestion]:
    codes = list(codes)
    found: dict[tuple[str, str], Suggestion] = {}
    for rule in CategoryRule.objects.filter(is_active=True):
        key = (rule.kind, rule.label)
        # The message is translated once per suggestion, not once per matching rule.
        if key not in found and any(code.startswith(rule.cpv_prefix) for code in codes):
            found[key] = Suggestion(rule.kind, rule.label, rule.source, str(SUGGESTION_MESSAGES[rule.kind]()))
    return sorted(found.values(), key=lambda s: (s.kind, s.label))


def suggestions(procurement: Procurement) -> list[Suggestion]:
    return suggestions_for_codes(cpv_codes_of(procurement))


def needs_environment_specialist(procurement: Procurement) -> bool:
    return any(s.kind == CategoryRuleKind.ENVIRONMENT_PRIORITY for s in suggestions(procurement))


# --- The gate ---------------------------------------------------------------------------


def goals_for(procurement: Procurement) -> list[EnvironmentalGoal]:
    """The environmental goals of the buying regions valid today. A company or foundation
    brings its parent region's programme."""
    from kravspar.procurements.models import EnvironmentalGoal

    today = timezone.localdate()
    regions = {b.parent_id or b.id for b in procurement.buyers.all()}
    return list(
        EnvironmentalGoal.objects.filter(organisation_id__in=regions, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .select_related("organisation")
    )


def current_strategy(procurement: Procurement) -> Strategy | None:
    return procurement.strategies.exclude(status=StrategyStatus.SUPERSEDED).order_by("-number").first()


class GateItem(str):
    """One thing the gate misses, as text, knowing the planning step that fixes it
    (``aims``, ``goals``, ``requirements``, ``strategy`` or ``approval``: see steps.py)."""

    step: str

    def __new__(cls, text: str, step: str) -> GateItem:
        item = super().__new__(cls, text)
        item.step = step
        return item


def strategy_gate_missing(
    procurement: Procurement, *, require_approval: bool = True, current: Strategy | None = None
) -> list[str]:
    """Everything that stops the procurement from leaving planning or being advertised.

    "All procurement work is preceded by a strategy for how follow-up and supplier audit
    will be done, during the procurement and after the contract is signed, which decides
    who is responsible." An empty list means the gate is open. ``current``: the
    procurement's current strategy when the caller has just read it (else it is read here)."""
    missing: list[str] = []
    assessed = {a.aim: a for a in procurement.aim_assessments.all()}
    for aim in Aim:
        assessment = assessed.get(aim.value)
        if assessment is None:
            text = _("Aim %(number)d (%(aim)s) is not assessed.") % {"number": aim.value, "aim": aim.label}
            missing.append(GateItem(text, "aims"))
        elif not assessment.how.strip():
            text = _("Aim %(number)d (%(aim)s): say how the procurement serves it, or why it is not relevant.") % {
                "number": aim.value,
                "aim": aim.label,
            }
            missing.append(GateItem(text, "aims"))
    goal_ids = {g.goal_id for g in procurement.goal_assessments.all()}
    for goal in goals_for(procurement):
        if goal.id not in goal_ids:
            text = _("Environmental goal “%(goal)s” of %(region)s is not considered.") % {
                "goal": goal.title,
                "region": goal.organisation.name,
            }
            missing.append(GateItem(text, "goals"))
    from kravspar.labour.policy import gate_missing as labour_gate_missing

    missing += labour_gate_missing(procurement)
    requirements = list(procurement.requirements.filter(removed=False))
    if not requirements:
        missing.append(GateItem(_("The procurement has no requirements."), "requirements"))
    strategy = current if current is not None else current_strategy(procurement)
    if strategy is None:
        missing.append(GateItem(_("There is no follow-up strategy."), "strategy"))
        return missing
    entries = {e.requirement_id: e for e in strategy.entries.all()}
    for requirement in requirements:
        entry = entries.get(requirement.id)
        if entry is None:
            text = _("Requirement “%(title)s” has no follow-up in the strategy.") % {"title": requirement.title}
            missing.append(GateItem(text, "strategy"))
            continue
        for problem in entry_problems(entry):
            text = _("Requirement “%(title)s”: %(problem)s") % {"title": requirement.title, "problem": problem}
            missing.append(GateItem(text, "strategy"))
    if require_approval and strategy.status != StrategyStatus.APPROVED:
        text = _("Strategy version %(number)d is not approved (status: %(status)s).") % {
            "number": strategy.number,
            "status": strategy.get_status_display(),
        }
        missing.append(GateItem(text, "approval"))
    return missing


def entry_problems(entry: StrategyEntry) -> list[str]:
    """What is incomplete in one strategy entry."""
    problems: list[str] = []
    if not entry.methods:
        problems.append(_("choose at least one method."))
    if not entry.timing:
        problems.append(_("say when it is followed up."))
    elif entry.timing == Timing.RECURRING and not entry.interval_months:
        problems.append(_("say how many months between follow-ups."))
    elif entry.timing == Timing.AT_MONTHS and not entry.at_months:
        problems.append(_("say in which months after signing."))
    if not entry.responsible:
        problems.append(_("say who is responsible."))
    return problems
