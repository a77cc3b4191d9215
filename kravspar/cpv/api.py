"""CPV codes over the API, for clients that classify procurements themselves."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kravspar.cpv.models import CpvCode
from kravspar.cpv.selectors import cpv_search

router = Router(tags=["cpv"])


class CpvCodeOut(Schema):
    code: str = Field(..., description="Eight digits, without the check digit, e.g. 15100000")
    division: str
    label_sv: str
    label_en: str


class CpvFilters(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="The first digits of a code (15100000-9 and 1510 0000 work too), "
        "or words that must all appear in the Swedish or English name",
    )
    limit: int = Field(20, ge=1, le=100)


@router.get("/cpv", response=list[CpvCodeOut], summary="Search CPV 2008 codes")
def search_cpv_codes(request: HttpRequest, filters: Query[CpvFilters]) -> list[CpvCode]:
    return cpv_search(filters.q, limit=filters.limit)
