"""Reading procurements for the pages: the filtered list, the work waiting for a person,
and strategy versions laid out as rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.ids import is_uuid
from kravspar.cpv import codes
from kravspar.organisations.models import Organisation
from kravspar.procurements import policy
from kravspar.procurements.models import (
    DATA_QUALITY_ANY,
    Method,
    Procurement,
    ProcurementStatus,
    Strategy,
    StrategyEntry,
    StrategyStatus,
    Tier,
    Timing,
    Verification,
)
from kravspar.requirements.models import Requirement

# The list filters on policy.computed_tier's rule in SQL so that the filter works with
# pagination; test_views checks that both give the same tier.
TIER_A_SCORE = policy.TIER_A_SCORE
TIER_B_SCORE = policy.TIER_B_SCORE


def _value_band_expression() -> Case:
    whens = [When(estimated_value__gte=floor, then=Value(band)) for floor, band in policy.VALUE_BANDS]
    return Case(*whens, default=Value(1), output_field=IntegerField())


def with_tier(qs: QuerySet[Procurement]) -> QuerySet[Procurement]:
    """Annotate ``tier_value``: the hand-set tier, else the tier the policy computes."""
    score = _value_band_expression() + F("criticality") + F("supply_risk")
    computed = Case(
        When(
            Q(estimated_value__isnull=True) | Q(criticality__isnull=True) | Q(supply_risk__isnull=True),
            then=Value(None, output_field=CharField()),
        ),
        When(Q(tier_score__gte=TIER_A_SCORE), then=Value(Tier.A.value)),
        When(Q(tier_score__gte=TIER_B_SCORE), then=Value(Tier.B.value)),
        default=Value(Tier.C.value),
        output_field=CharField(),
    )
    return qs.annotate(tier_score=score).annotate(
        tier_value=Case(
            When(~Q(tier_override=""), then=F("tier_override")),
            default=computed,
            output_field=CharField(),
        )
    )


def _current_strategy_status() -> Subquery:
    return Subquery(
        Strategy.objects.filter(procurement=OuterRef("pk"))
        .exclude(status=StrategyStatus.SUPERSEDED)
        .order_by("-number")
        .values("status")[:1]
    )


def with_list_columns(qs: QuerySet[Procurement]) -> QuerySet[Procurement]:
    """What a procurement list row shows, in a constant number of queries."""
    return (
        with_tier(qs)
        .annotate(strategy_status=_current_strategy_status())
        .select_related("officer", "cpv_main")
        .prefetch_related("buyers")
    )


def strategy_missing_q() -> Q:
    """In planning without an approved strategy: the procurements the gate still holds."""
    approved = Strategy.objects.filter(procurement=OuterRef("pk"), status=StrategyStatus.APPROVED)
    return Q(status=ProcurementStatus.PLANNING) & ~Q(Exists(approved))


def procurement_list(
    user: User,
    *,
    q: str = "",
    organisation: Organisation | None = None,
    status: str = "",
    cpv: str = "",
    officer: User | None = None,
    tier: str = "",
    strategy_missing: bool = False,
    data_quality: str = "",
) -> QuerySet[Procurement]:
    qs = access.procurements_visible_to(user)
    if q := q.strip():
        qs = qs.filter(Q(registry_number__icontains=q) | Q(title__icontains=q))
    if organisation is not None:
        qs = qs.filter(
            pk__in=Procurement.buyers.through.objects.filter(organisation=organisation).values("procurement_id")
        )
    if status:
        qs = qs.filter(status=status)
    if cpv and (prefix := codes.code_prefix(cpv)):
        additional = Procurement.cpv_additional.through.objects.filter(cpvcode__code__startswith=prefix)
        qs = qs.filter(Q(cpv_main__code__startswith=prefix) | Q(pk__in=additional.values("procurement_id")))
    if officer is not None:
        qs = qs.filter(officer=officer)
    if strategy_missing:
        qs = qs.filter(strategy_missing_q())
    if data_quality == DATA_QUALITY_ANY:
        qs = qs.exclude(data_quality="")
    elif data_quality:
        qs = qs.filter(data_quality__contains=data_quality)  # codes are space-separated words
    qs = with_list_columns(qs)
    if tier:
        qs = qs.filter(Q(tier_value=tier))  # an annotation; Q keeps the stubs from looking for a field
    return qs.order_by("-created_at", "-pk")


def officers_of_visible_procurements(user: User) -> QuerySet[User]:
    return User.objects.filter(pk__in=access.procurements_visible_to(user).values("officer_id")).order_by(
        "first_name", "last_name"
    )


def my_planning(user: User) -> QuerySet[Procurement]:
    """Procurements the person is responsible for that are still being planned."""
    qs = access.procurements_visible_to(user).filter(officer=user, status=ProcurementStatus.PLANNING)
    return with_list_columns(qs).order_by("-updated_at", "-pk")


def strategies_awaiting_approval(user: User) -> QuerySet[Strategy]:
    """Current strategy versions waiting for a second person, that this person did not submit."""
    if not access.has_perm(user, Perm.APPROVE_STRATEGY):
        return Strategy.objects.none()
    newer = Strategy.objects.filter(procurement=OuterRef("procurement"), number__gt=OuterRef("number"))
    return (
        Strategy.objects.filter(
            status=StrategyStatus.SUBMITTED,
            procurement__in=access.procurements_visible_to(user),
        )
        .exclude(submitted_by=user)
        .exclude(Exists(newer))
        .select_related("procurement", "submitted_by")
        .order_by("submitted_at", "pk")
    )


# --- One procurement -------------------------------------------------------------------


def requirement_of(procurement: Procurement, key: str) -> Requirement:
    """A requirement of the procurement (not removed), or 404."""
    if not is_uuid(key):
        raise Http404
    requirement = procurement.requirements.filter(removed=False, uuid=key).first()
    if requirement is None:
        raise Http404
    requirement.procurement = procurement
    return requirement


def verification_of(procurement: Procurement, key: str) -> Verification:
    """A verification record of the procurement, or 404."""
    if not is_uuid(key):
        raise Http404
    verification = procurement.verifications.filter(uuid=key).select_related("requirement").first()
    if verification is None:
        raise Http404
    verification.procurement = procurement
    return verification


def strategy_version(procurement: Procurement, number: int) -> Strategy:
    """One version of the procurement's strategy, or 404."""
    strategy = (
        procurement.strategies.filter(number=number).select_related("created_by", "submitted_by", "approved_by").first()
    )
    if strategy is None:
        raise Http404
    return strategy


def schedule_text(timing: str, interval_months: int | None, at_months: list[int]) -> str:
    if timing == Timing.RECURRING and interval_months:
        return ngettext("Every month after signing", "Every %(months)d months after signing", interval_months) % {
            "months": interval_months
        }
    if timing == Timing.AT_MONTHS and at_months:
        return _("At months %(months)s after signing") % {"months": ", ".join(str(m) for m in at_months)}
    return str(Timing(timing).label) if timing else ""


def timing_text(entry: StrategyEntry) -> str:
    return schedule_text(entry.timing, entry.interval_months, entry.at_months)


@dataclass(frozen=True)
class EntryRow:
    """One requirement of a strategy with how, when and by whom it is followed up."""

    requirement: Requirement
    entry: StrategyEntry | None
    methods: list[str]
    timing: str
    policy_responsible: str
    problems: list[str]
    # What the risk tier proposed, shown beside a choice that differs from it.
    proposal: str = ""

    @property
    def overridden(self) -> bool:
        return self.entry is not None and self.entry.responsible != self.policy_responsible


def _row(requirement: Requirement, entry: StrategyEntry | None) -> EntryRow:
    return EntryRow(
        requirement=requirement,
        entry=entry,
        methods=policy.method_labels(m for m in entry.methods if m in Method.values) if entry else [],
        timing=timing_text(entry) if entry else "",
        policy_responsible=policy.responsible_for(requirement.type),
        problems=policy.entry_problems(entry) if entry else [],
        proposal=_proposal_text(entry) if entry is not None and entry.differs_from_proposal else "",
    )


def _proposal_text(entry: StrategyEntry) -> str:
    methods = ", ".join(policy.method_labels(entry.proposed_methods))
    return f"{methods} – {schedule_text(entry.proposed_timing, entry.proposed_interval_months, [])}"


def strategy_entries(strategy: Strategy) -> QuerySet[StrategyEntry]:
    return strategy.entries.select_related("requirement", "responsible_unit__organisation").order_by(
        "requirement__position", "requirement_id"
    )


def current_rows(requirements: list[Requirement], strategy: Strategy | None) -> list[EntryRow]:
    """Every requirement of the procurement with its entry in the current strategy, if any."""
    entries = {e.requirement_id: e for e in strategy_entries(strategy)} if strategy else {}
    return [_row(r, entries.get(r.pk)) for r in requirements]


def version_rows(strategy: Strategy) -> list[EntryRow]:
    """The entries of one (possibly old) version, including requirements removed since."""
    return [_row(e.requirement, e) for e in strategy_entries(strategy)]
