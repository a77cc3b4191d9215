"""Riksrevisionen's questions (2025:21), answered per organisation and year.

A procurement counts in the year its needs assessment was decided, for every buying
organisation. Of those assessed: found needing conditions (decision "needed"); with the
conditions set (an agreement named and all three conditions); followed up in step 1 (a
contract of the procurement has a labour follow-up with an answered self-declaration);
followed up in step 2 (one with a reviewed condition); the deviations those reviews
raised and the sanctions decided on them. share_followed_up = needed and followed up in
step 1 or 2, divided by needed. The same definitions are recounted in plain SQL by
kravspar/labour/tests/test_report.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F

from kravspar.findings.models import Sanction
from kravspar.labour.models import ConditionReview, DeclarationStatus, NeedDecision, NeedsAssessment, SelfDeclaration
from kravspar.organisations.models import Organisation

FIGURES = (
    "assessed",
    "needed",
    "conditions_set",
    "followed_up_step1",
    "followed_up_step2",
    "deviations",
    "sanctions",
)


@dataclass
class OrgFigures:
    organisation: Organisation
    year: int
    procurements: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    deviations: set[int] = field(default_factory=set)
    sanctions: set[int] = field(default_factory=set)

    def count(self, figure: str) -> int:
        if figure == "deviations":
            return len(self.deviations)
        if figure == "sanctions":
            return len(self.sanctions)
        return len(self.procurements[figure])

    @property
    def share_followed_up(self) -> float | None:
        needed = self.procurements["needed"]
        if not needed:
            return None
        followed = (self.procurements["followed_up_step1"] | self.procurements["followed_up_step2"]) & needed
        return round(len(followed) / len(needed), 3)

    def as_dict(self) -> dict[str, int | float | None]:
        return {f: self.count(f) for f in FIGURES} | {"share_followed_up": self.share_followed_up}


def labour_report(*, year: int, organisation_ids: Iterable[int] | None) -> list[OrgFigures]:
    """The figures per organisation (only those visible: ``organisation_ids`` None means all)
    that have a procurement assessed in ``year``, in name order. A fixed number of queries."""
    assessments = NeedsAssessment.objects.filter(decided_on__year=year).annotate(
        n_conditions=Count("conditions", distinct=True)
    )
    rows = list(assessments.values("procurement_id", "decision", "agreement_id", "n_conditions"))
    if not rows:
        return []
    procurement_ids = [r["procurement_id"] for r in rows]
    from kravspar.procurements.models import Procurement

    buyers: dict[int, list[int]] = defaultdict(list)
    for pid, oid in Procurement.buyers.through.objects.filter(procurement_id__in=procurement_ids).values_list(
        "procurement_id", "organisation_id"
    ):
        buyers[pid].append(oid)
    step1 = set(
        SelfDeclaration.objects.filter(
            status=DeclarationStatus.ANSWERED, followup__contract__procurement_id__in=procurement_ids
        ).values_list("followup__contract__procurement_id", flat=True)
    )
    reviews = list(
        ConditionReview.objects.filter(request__followup__contract__procurement_id__in=procurement_ids).values_list(
            "request__followup__contract__procurement_id", "deviation_id"
        )
    )
    step2 = {pid for pid, _ in reviews}
    deviations_by_procurement: dict[int, set[int]] = defaultdict(set)
    for pid, did in reviews:
        if did is not None:
            deviations_by_procurement[pid].add(did)
    all_deviations = set().union(*deviations_by_procurement.values()) if deviations_by_procurement else set()
    sanctions_by_deviation: dict[int, set[int]] = defaultdict(set)
    for sid, did in Sanction.deviations.through.objects.filter(deviation_id__in=all_deviations).values_list(
        "sanction_id", "deviation_id"
    ):
        sanctions_by_deviation[did].add(sid)

    wanted = None if organisation_ids is None else set(organisation_ids)
    org_ids = {oid for pid in procurement_ids for oid in buyers[pid]}
    if wanted is not None:
        org_ids &= wanted
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=org_ids)}
    figures: dict[int, OrgFigures] = {}
    for row in rows:
        pid = row["procurement_id"]
        for oid in buyers[pid]:
            if oid not in orgs:
                continue
            f = figures.setdefault(oid, OrgFigures(orgs[oid], year))
            f.procurements["assessed"].add(pid)
            if row["decision"] != NeedDecision.NEEDED:
                continue
            f.procurements["needed"].add(pid)
            if row["agreement_id"] is not None and row["n_conditions"] == 3:
                f.procurements["conditions_set"].add(pid)
            if pid in step1:
                f.procurements["followed_up_step1"].add(pid)
            if pid in step2:
                f.procurements["followed_up_step2"].add(pid)
            for did in deviations_by_procurement[pid]:
                f.deviations.add(did)
                f.sanctions |= sanctions_by_deviation[did]
    return sorted(figures.values(), key=lambda f: f.organisation.name)


@dataclass
class OrgCounts:
    """One organisation's figures counted in SQL (``labour_counts``): the same definitions as
    ``OrgFigures``, without the record ids."""

    organisation: Organisation
    year: int
    counts: dict[str, int]

    def count(self, figure: str) -> int:
        return self.counts[figure]

    @property
    def share_followed_up(self) -> float | None:
        needed = self.counts["needed"]
        return round(self.counts["followed_up"] / needed, 3) if needed else None

    def as_dict(self) -> dict[str, int | float | None]:
        return {f: self.counts[f] for f in FIGURES} | {"share_followed_up": self.share_followed_up}


def labour_counts(*, year: int, organisation_ids: Iterable[int] | None) -> list[OrgCounts]:
    """The figures of ``labour_report`` as aggregates in the database: one row per
    organisation comes back, however many procurements there are (three queries: the
    procurement counts, the deviation and sanction counts, the organisations)."""
    from django.db.models import Exists, OuterRef, Q

    from kravspar.contracts.models import Contract
    from kravspar.labour.models import ConditionItem
    from kravspar.procurements.models import Procurement

    through = Procurement.buyers.through.objects.filter(procurement__labour_assessment__decided_on__year=year)
    if organisation_ids is not None:
        through = through.filter(organisation_id__in=list(organisation_ids))
    needed = Q(procurement__labour_assessment__decision=NeedDecision.NEEDED)
    all_three = Exists(
        ConditionItem.objects.filter(assessment__procurement_id=OuterRef("procurement_id"))
        .values("assessment_id")
        .annotate(n=Count("id"))
        .filter(n=3)
    )
    step1 = Exists(
        SelfDeclaration.objects.filter(
            status=DeclarationStatus.ANSWERED, followup__contract__procurement_id=OuterRef("procurement_id")
        )
    )
    step2 = Exists(
        ConditionReview.objects.filter(request__followup__contract__procurement_id=OuterRef("procurement_id"))
    )
    rows = {
        r["organisation_id"]: r
        for r in through.values("organisation_id").annotate(
            assessed=Count("procurement_id", distinct=True),
            needed=Count("procurement_id", distinct=True, filter=needed),
            conditions_set=Count(
                "procurement_id",
                distinct=True,
                filter=Q(needed, all_three, procurement__labour_assessment__agreement__isnull=False),
            ),
            followed_up_step1=Count("procurement_id", distinct=True, filter=Q(needed, step1)),
            followed_up_step2=Count("procurement_id", distinct=True, filter=Q(needed, step2)),
            followed_up=Count("procurement_id", distinct=True, filter=Q(needed, Q(step1) | Q(step2))),
        )
    }
    if not rows:
        return []
    # Deviations raised by the reviews of needed procurements, and the sanctions decided on
    # them, per buying organisation (the buyers' join is the one in values()).
    contracts = Contract.objects.filter(
        procurement__labour_assessment__decided_on__year=year,
        procurement__labour_assessment__decision=NeedDecision.NEEDED,
    ).values("pk")
    findings = {
        r["organisation_id"]: r
        for r in ConditionReview.objects.filter(deviation__isnull=False, request__followup__contract__in=contracts)
        .values(organisation_id=F("request__followup__contract__procurement__buyers"))
        .annotate(
            deviations=Count("deviation_id", distinct=True), sanctions=Count("deviation__sanctions", distinct=True)
        )
    }
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=list(rows))}
    result = []
    for oid, row in rows.items():
        extra: dict[str, Any] = dict(findings.get(oid, {}))
        counts = {k: row[k] for k in ("assessed", "needed", "conditions_set", "followed_up_step1", "followed_up_step2")}
        counts |= {"deviations": extra.get("deviations", 0), "sanctions": extra.get("sanctions", 0)}
        counts["followed_up"] = row["followed_up"]
        result.append(OrgCounts(orgs[oid], year, counts))
    return sorted(result, key=lambda f: f.organisation.name)


def dashboard_extension(scope: Any) -> dict[str, Any]:
    """The section on the reports dashboard (``reports.figures.EXTENSIONS``): the figures of
    the dashboard period's start year for each organisation in scope, each linked to its records."""
    from django.utils.translation import gettext as _

    from kravspar.labour.api import records_url
    from kravspar.reports.figures import Row

    year = scope.date_from.year
    labels = figure_labels()
    rows: list[Row] = []
    for f in labour_counts(year=year, organisation_ids=scope.org_ids):
        values = f.as_dict()
        for figure in FIGURES:
            rows.append(
                Row(
                    key=f"{f.organisation.uuid}:{figure}",
                    label=f"{f.organisation.name}: {labels[figure]}",
                    counts={"n": values[figure]},
                    extra={"url": records_url(year=year, organisation=f.organisation.uuid, figure=figure)},
                )
            )
        share = f.share_followed_up
        rows.append(
            Row(
                key=f"{f.organisation.uuid}:share",
                label=f"{f.organisation.name}: {labels['share_followed_up']}",
                counts={"n": "–" if share is None else f"{round(share * 100)} %"},
            )
        )
    return {
        "title": _("Labour-law conditions %(year)s (LOU 17 kap.)") % {"year": year},
        "rows": rows,
        "how": _(
            "Riksrevisionen's questions (2025:21): procurements whose needs assessment was decided in the year, "
            "per buying organisation; of these, those found needing conditions, with the agreement and all three "
            "conditions set, followed up with self-declarations (step 1) and with reviewed documents (step 2); "
            "the deviations those reviews raised and the sanctions decided on them. The share is needed and "
            "followed up in step 1 or 2, of needed."
        ),
    }


def figure_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "assessed": _("assessed"),
        "needed": _("needing conditions"),
        "conditions_set": _("conditions set"),
        "followed_up_step1": _("followed up, step 1"),
        "followed_up_step2": _("followed up, step 2"),
        "deviations": _("deviations"),
        "sanctions": _("sanctions"),
        "share_followed_up": _("needed and followed up"),
    }
