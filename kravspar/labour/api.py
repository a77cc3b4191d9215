"""API of labour-law conditions, mounted at /api/v1/: Riksrevisionen's figures per
organisation and year, as the dashboard section shows them; the needs assessments with
their conditions, read by whoever sees the procurement; and the maintained agreements."""

# No `from __future__ import annotations`: ninja reads the paginated view's annotations.
import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.labour.models import CollectiveAgreement, NeedsAssessment
from kravspar.labour.report import FIGURES, labour_counts

router = Router(tags=["Labour-law conditions"])


class LabourQuery(Schema):
    year: int = Field(..., ge=2000, le=2100, description="The year the needs assessments were decided.")


class OrganisationRef(Schema):
    uuid: UUID
    name: str
    org_number: str


class LabourFiguresOut(Schema):
    organisation: OrganisationRef
    year: int
    assessed: int = Field(description="Procurements whose needs assessment was decided in the year.")
    needed: int = Field(description="Of these, found to need labour-law conditions.")
    conditions_set: int = Field(description="Of these, with the agreement named and all three conditions set.")
    followed_up_step1: int = Field(description="Of the needed, followed up with self-declarations (step 1).")
    followed_up_step2: int = Field(description="Of the needed, followed up with reviewed documents (step 2).")
    deviations: int = Field(description="Deviations raised by the step-2 reviews of these procurements.")
    sanctions: int = Field(description="Sanctions decided on those deviations.")
    share_followed_up: float | None = Field(description="Needed and followed up (step 1 or 2) / needed; null if none.")
    links: dict[str, str] = Field(description="For each count, the page listing its records.")


class LabourReportOut(Schema):
    year: int
    organisations: list[LabourFiguresOut]


def records_url(*, year: int, organisation: UUID, figure: str) -> str:
    query = urlencode({"year": str(year), "organisation": str(organisation), "figure": figure})
    return f"{reverse('labour:records')}?{query}"


@router.get("/reports/labour-conditions", response=LabourReportOut, summary="Labour-law conditions per organisation")
def labour_conditions(request: HttpRequest, query: Query[LabourQuery]) -> dict[str, Any]:
    """Per organisation you see: procurements assessed, needing conditions, with conditions
    set, followed up in step 1 and step 2, deviations, sanctions and the share followed up."""
    access.require_perm(request.user, Perm.VIEW_PROCUREMENTS)
    ids = access.visible_organisation_ids(request.user)
    rows = labour_counts(year=query.year, organisation_ids=ids)
    return {
        "year": query.year,
        "organisations": [
            {
                "organisation": {
                    "uuid": f.organisation.uuid,
                    "name": f.organisation.name,
                    "org_number": f.organisation.org_number,
                },
                "year": f.year,
                **f.as_dict(),
                "links": {
                    figure: request.build_absolute_uri(
                        records_url(year=f.year, organisation=f.organisation.uuid, figure=figure)
                    )
                    for figure in FIGURES
                },
            }
            for f in rows
        ],
    }


# --- Needs assessments, conditions and agreements --------------------------------------------


class AgreementOut(Schema):
    uuid: UUID
    name: str
    parties: str
    sector: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    cpv_prefixes: list[str]
    source: str
    is_active: bool


class ConditionOut(Schema):
    condition: str = Field(description="wages, holiday or working_hours")
    requirement: UUID = Field(alias="requirement.uuid", description="The procurement's requirement that sets it.")


class AssessmentOut(Schema):
    procurement: UUID = Field(alias="procurement.uuid")
    registry_number: str = Field(alias="procurement.registry_number")
    contract_kind: str
    buyer_category: str
    estimated_value: Decimal | None
    threshold_sek: Decimal | None = Field(None, alias="threshold.amount_sek")
    above_threshold: bool
    work_location: str
    labour_intensive: bool
    signal: str = Field(description="The labour-intensive areas found from the CPV codes.")
    decision: str = Field(description="needed or not_needed")
    reason: str
    agreement: AgreementOut | None
    decided_on: datetime.date
    conditions: list[ConditionOut]
    version: int


class AssessmentFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Only decisions of this year.")
    decision: str | None = Field(None, pattern="^(needed|not_needed)$")


def assessments_visible_to(user: access.AnyUser) -> QuerySet[NeedsAssessment]:
    """A needs assessment is read by whoever sees its procurement (accounts.access)."""
    return (
        NeedsAssessment.objects.filter(procurement__in=access.procurements_visible_to(user))
        .select_related("procurement", "threshold", "agreement")
        .prefetch_related("conditions__requirement")
        .order_by("-decided_on", "id")
    )


@router.get("/labour/assessments", response=list[AssessmentOut], summary="Needs assessments for labour-law conditions")
@paginate(LimitOffsetPagination)
def list_assessments(request: HttpRequest, filters: Query[AssessmentFilters]) -> QuerySet[NeedsAssessment]:
    """The needs assessments of the procurements you see, newest decision first, each with
    the conditions set (one requirement per condition) and the named agreement."""
    access.require_perm(request.user, Perm.VIEW_PROCUREMENTS)
    qs = assessments_visible_to(request.user)
    if filters.year:
        qs = qs.filter(decided_on__year=filters.year)
    if filters.decision:
        qs = qs.filter(decision=filters.decision)
    return qs


@router.get(
    "/procurements/{key}/labour-assessment",
    response=AssessmentOut,
    summary="The needs assessment of a procurement",
)
def get_assessment(request: HttpRequest, key: UUID) -> NeedsAssessment:
    access.require_perm(request.user, Perm.VIEW_PROCUREMENTS)
    assessment = assessments_visible_to(request.user).filter(procurement__uuid=key).first()
    if assessment is None:
        raise Http404
    return assessment


@router.get("/labour/agreements", response=list[AgreementOut], summary="Central collective agreements")
def list_agreements(request: HttpRequest) -> QuerySet[CollectiveAgreement]:
    """The maintained list the conditions name, active first."""
    access.require_perm(request.user, Perm.VIEW_PROCUREMENTS)
    return CollectiveAgreement.objects.order_by("-is_active", "sector", "name", "-valid_from")
