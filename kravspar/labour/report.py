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

from django.db.models import Count

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


def dashboard_extension(scope: Any) -> dict[str, Any]:
    """The section on the reports dashboard (``reports.figures.EXTENSIONS``): the figures of
    the dashboard period's start year for each organisation in scope, each linked to its records."""
    from django.utils.translation import gettext as _

    from kravspar.labour.api import records_url
    from kravspar.reports.figures import Row

    year = scope.date_from.year
    labels = figure_labels()
    rows: list[Row] = []
    for f in labour_report(year=year, organisation_ids=scope.org_ids):
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
