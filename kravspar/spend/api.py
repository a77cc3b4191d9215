"""API endpoints of spend, mounted at /api/v1/: the figures of the economic follow-up.
The same selectors as the figures page; only organisations the caller sees count."""

import datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.spend import figures

router = Router(tags=["Economic follow-up"])


class FigureFilters(Schema):
    date_from: datetime.date | None = Field(None, alias="from", description="First invoice date (inclusive).")
    date_to: datetime.date | None = Field(None, alias="to", description="Last invoice date (inclusive).")
    organisation: UUID | None = Field(None, description="Only this buying organisation.")
    group: str = Field("organisation", description="organisation, unit, cpv or supplier.")


class FigureRowOut(Schema):
    key: str = Field(..., description='uuid (or CPV code) of the group; "none" for the empty group.')
    label: str
    lines: int
    spend: Decimal = Field(..., description="Net amount excluding VAT, credit notes negative (SEK).")
    contracted_spend: Decimal
    on_terms_spend: Decimal
    supplier_compliance: Decimal | None = Field(..., description="Leverantörstrohet, percent of spend.")
    contract_compliance: Decimal | None = Field(..., description="Avtalstrohet, percent of spend.")
    price_deviation: Decimal = Field(
        ..., description="What lines above the tolerance cost beyond the agreed price (SEK)."
    )


class ContractSpendOut(Schema):
    contract: UUID
    contract_number: str
    spend: Decimal
    value: Decimal | None
    share_of_value: Decimal | None
    price_deviation: Decimal


class FiguresOut(Schema):
    group: str
    total: FigureRowOut
    rows: list[FigureRowOut]
    contracts: list[ContractSpendOut] = Field(..., description="The 50 contracts with the most spend.")
    foreign_currency_documents: int = Field(
        0, description="Documents in another currency than SEK in the selection, left out of every figure above."
    )


def _row(row: figures.FigureRow) -> FigureRowOut:
    return FigureRowOut(
        key=row.key,
        label=row.label,
        lines=row.lines,
        spend=row.total,
        contracted_spend=row.contracted,
        on_terms_spend=row.on_terms,
        supplier_compliance=row.supplier_share,
        contract_compliance=row.contract_share,
        price_deviation=row.overcharge,
    )


@router.get("/spend/figures", response=FiguresOut, summary="Supplier and contract compliance of invoiced spend")
def spend_figures(request: HttpRequest, filters: Query[FigureFilters]) -> FiguresOut:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    if filters.group not in figures.GROUPS:
        raise ValidationError({"group": [_("Group: choose organisation, unit, cpv or supplier.")]})
    organisation = access.organisation_for(request.user, filters.organisation) if filters.organisation else None
    scoped = figures.scoped(
        request.user, date_from=filters.date_from, date_to=filters.date_to, organisation=organisation
    )
    qs = figures.in_kronor(scoped)
    contracts = figures.with_contracts(list(figures.contract_spend(qs)[:50]))
    return FiguresOut(
        group=filters.group,
        total=_row(figures.totals(qs)),
        rows=[_row(r) for r in figures.figure_rows(qs, filters.group)],
        contracts=[
            ContractSpendOut(
                contract=c["contract"].uuid,
                contract_number=c["contract"].contract_number,
                spend=c["spent"],
                value=c["contract"].value,
                share_of_value=c["share"],
                price_deviation=c["overcharge"],
            )
            for c in contracts
        ],
        foreign_currency_documents=figures.foreign_documents(scoped),
    )
