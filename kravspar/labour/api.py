"""API of labour-law conditions, mounted at /api/v1/: Riksrevisionen's figures per
organisation and year, as the dashboard section shows them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.labour.report import FIGURES, labour_report

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
    rows = labour_report(year=query.year, organisation_ids=ids)
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
