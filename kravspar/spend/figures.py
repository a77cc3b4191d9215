"""The figures of the economic follow-up, each one aggregate query over ``LineMatch``.

- **Leverantörstrohet** (supplier compliance): the share of spend that went to a supplier
  under a contract with this buyer, i.e. invoices matched to a contract.
- **Avtalstrohet** (contract compliance): the share of spend bought on the contract's terms:
  lines matched to a contract and a price-list article, at or below the agreed price.
- **Price deviation (SEK)**: what lines priced above the tolerance cost beyond the agreed price.

Spend is the invoice lines' net amounts excluding VAT; credit notes count negative, so they
net against what they credit. Only the organisations the person sees are counted, and only
documents in kronor (``policy.KRONOR``): an amount in euro is never added to kronor, so a
document in another currency is left out of every figure and the pages say how many were.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.contracts.models import Contract
from kravspar.core.ids import is_uuid
from kravspar.cpv.models import CpvCode
from kravspar.organisations.models import Organisation, Unit
from kravspar.spend import policy
from kravspar.spend.models import LineMatch, LineStatus
from kravspar.suppliers.models import Supplier

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=19, decimal_places=2))

# grouping -> (field on LineMatch, label)
GROUPS: dict[str, tuple[str, Any]] = {
    "organisation": ("organisation_id", gettext_lazy("Organisation")),
    "unit": ("unit_id", gettext_lazy("Unit")),
    "cpv": ("contract__procurement__cpv_main_id", gettext_lazy("CPV category")),
    "supplier": ("supplier_id", gettext_lazy("Supplier")),
}
SELECTIONS = {
    "contracted": Q(contracted=True),
    "not_contracted": Q(contracted=False),
    "on_terms": Q(on_terms=True),
    "not_on_terms": Q(on_terms=False),
    "over_price": Q(over_price=True),
}
# The lines the figures leave out: documents in another currency than kronor.
FOREIGN = "foreign_currency"
NONE_KEY = "none"


@dataclass
class FigureRow:
    key: str  # the uuid or code used in the line list's filter; "none" for the empty group
    label: str
    lines: int
    total: Decimal
    contracted: Decimal
    on_terms: Decimal
    overcharge: Decimal

    @property
    def supplier_share(self) -> Decimal | None:
        return _share(self.contracted, self.total)

    @property
    def contract_share(self) -> Decimal | None:
        return _share(self.on_terms, self.total)


def _share(part: Decimal, total: Decimal) -> Decimal | None:
    if not total or total <= 0:
        return None
    return (part * 100 / total).quantize(Decimal("0.1"))


def line_matches_visible_to(user: access.AnyUser) -> QuerySet[LineMatch]:
    """Matched lines of the organisations the person sees; lines of unknown buyers only
    for those who see every organisation."""
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return LineMatch.objects.none()
    ids = access.visible_organisation_ids(user)
    if ids is None:
        return LineMatch.objects.all()
    return LineMatch.objects.filter(organisation_id__in=ids)


def in_kronor(qs: QuerySet[LineMatch]) -> QuerySet[LineMatch]:
    """Only lines of documents in kronor: the only ones any sum may add up."""
    return qs.filter(currency=policy.KRONOR)


def not_in_kronor(qs: QuerySet[LineMatch]) -> QuerySet[LineMatch]:
    return qs.exclude(currency=policy.KRONOR)


def foreign_documents(qs: QuerySet[LineMatch]) -> int:
    """How many documents among these lines are in another currency (left out of the sums)."""
    return not_in_kronor(qs).values("invoice_match_id").distinct().count()


def scoped(
    user: access.AnyUser,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[LineMatch]:
    """The lines a person sees in a period and organisation, in any currency."""
    qs = line_matches_visible_to(user)
    if date_from:
        qs = qs.filter(issue_date__gte=date_from)
    if date_to:
        qs = qs.filter(issue_date__lte=date_to)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def filtered(
    user: access.AnyUser,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[LineMatch]:
    """The lines the figures add up: as ``scoped``, in kronor only."""
    return in_kronor(scoped(user, date_from=date_from, date_to=date_to, organisation=organisation))


AGGREGATES = {
    "n": Count("id"),
    "total": Coalesce(Sum("net_amount"), ZERO),
    "contracted_sum": Coalesce(Sum(Case(When(contracted=True, then=F("net_amount")), default=ZERO)), ZERO),
    "on_terms_sum": Coalesce(Sum(Case(When(on_terms=True, then=F("net_amount")), default=ZERO)), ZERO),
    "over_sum": Coalesce(Sum("overcharge"), ZERO),
}


def totals(qs: QuerySet[LineMatch]) -> FigureRow:
    row = qs.aggregate(**AGGREGATES)
    return FigureRow(
        key="",
        label=_("All"),
        lines=row["n"],
        total=row["total"],
        contracted=row["contracted_sum"],
        on_terms=row["on_terms_sum"],
        overcharge=row["over_sum"],
    )


def not_price_checked(qs: QuerySet[LineMatch]) -> dict[str, Any]:
    """Lines from a financial-system export without article (ledger app): counted in the
    spend and both loyalty figures, their prices not checked. The report says so."""
    return qs.filter(status=LineStatus.NOT_PRICE_CHECKED).aggregate(
        lines=Count("id"), total=Coalesce(Sum("net_amount"), ZERO)
    )


def _labels(group: str, keys: set[Any]) -> dict[Any, tuple[str, str]]:
    """key -> (public key, label), in one query."""
    keys.discard(None)
    if not keys:
        return {}
    if group == "organisation":
        return {
            pk: (str(u), name)
            for pk, u, name in Organisation.objects.filter(pk__in=keys).values_list("id", "uuid", "name")
        }
    if group == "unit":
        return {
            pk: (str(u), f"{name} ({org})")
            for pk, u, name, org in Unit.objects.filter(pk__in=keys).values_list(
                "id", "uuid", "name", "organisation__name"
            )
        }
    if group == "supplier":
        return {
            pk: (str(u), name) for pk, u, name in Supplier.objects.filter(pk__in=keys).values_list("id", "uuid", "name")
        }
    return {
        code: (code, f"{code} {label}")
        for code, label in CpvCode.objects.filter(code__in=keys).values_list("code", "label_sv")
    }


def _none_label(group: str) -> str:
    return {
        "organisation": _("Unknown buyer"),
        "unit": _("No unit: the buyer reference names no unit"),
        "cpv": _("No contract or no CPV code"),
        "supplier": _("Unknown supplier"),
    }[group]


def figure_rows(qs: QuerySet[LineMatch], group: str) -> list[FigureRow]:
    """One row per organisation, unit, CPV category or supplier, largest spend first."""
    field_name = GROUPS[group][0]
    grouped = list(qs.values(field_name).annotate(**AGGREGATES).order_by("-total"))
    labels = _labels(group, {r[field_name] for r in grouped})
    rows = []
    for r in grouped:
        key, label = labels.get(r[field_name], (NONE_KEY, _none_label(group)))
        rows.append(
            FigureRow(
                key=key,
                label=label,
                lines=r["n"],
                total=r["total"],
                contracted=r["contracted_sum"],
                on_terms=r["on_terms_sum"],
                overcharge=r["over_sum"],
            )
        )
    return rows


def contract_spend(qs: QuerySet[LineMatch]) -> QuerySet[Any]:
    """Spend per contract, for paginating; ``with_contracts`` adds the contracts."""
    return (
        qs.filter(contract__isnull=False)
        .values("contract_id")
        .annotate(spent=Sum("net_amount"), overcharge=Sum("overcharge"), n=Count("id"))
        .order_by("-spent", "contract_id")
    )


def with_contracts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    contracts = Contract.objects.in_bulk([r["contract_id"] for r in rows])
    result = []
    for r in rows:
        contract = contracts[r["contract_id"]]
        share = (r["spent"] * 100 / contract.value).quantize(Decimal("0.1")) if contract.value else None
        result.append(
            r | {"contract": contract, "share": share, "over": bool(contract.value and r["spent"] > contract.value)}
        )
    return result


def apply_group_filter(qs: QuerySet[LineMatch], group: str, key: str) -> QuerySet[LineMatch]:
    """The lines behind one figure row (``key`` as in ``FigureRow.key``)."""
    if group not in GROUPS or not key:
        return qs
    if key == NONE_KEY:
        return qs.filter(**{f"{GROUPS[group][0]}__isnull": True})
    if group == "cpv":
        return qs.filter(contract__procurement__cpv_main_id=key)
    if not is_uuid(key):
        return qs.none()
    return qs.filter(**{f"{group}__uuid": key})


def dashboard_extension(scope: Any) -> dict[str, Any]:
    """The e-invoice figures on the reports dashboard (``reports.figures.EXTENSIONS``), for
    the dashboard's scope and period; each number links to the economy page or the invoice
    lines behind it. A unit scope counts the organisations the unit covers."""
    from django.urls import reverse
    from django.utils.formats import number_format
    from django.utils.http import urlencode

    from kravspar.reports.figures import Row

    everything = LineMatch.objects.filter(issue_date__gte=scope.date_from, issue_date__lte=scope.date_to)
    if scope.org_ids is not None:
        everything = everything.filter(organisation_id__in=scope.org_ids)
    qs = in_kronor(everything)
    foreign = foreign_documents(everything)
    total = totals(qs)
    period = {"date_from": scope.date_from.isoformat(), "date_to": scope.date_to.isoformat()}
    if scope.key.startswith("org:"):
        period["organisation"] = scope.key.removeprefix("org:")

    def url(name: str, **extra: str) -> str:
        return reverse(name) + "?" + urlencode(period | extra)

    def percent(value: Decimal | None) -> str:
        return "–" if value is None else f"{number_format(value, 1)} %"

    how = _(
        "Matched e-invoice lines issued in the period for the organisations in scope: net amounts excluding "
        "VAT in SEK, credit notes negative. Leverantörstrohet: the share of spend with a contracted supplier; "
        "avtalstrohet: the share on a contract's price list at or below the agreed price (a line in another "
        "unit is converted where UN/ECE Recommendation 20 gives a fixed factor, otherwise it is not on terms)."
    )
    how += " " + (
        ngettext(
            "%(count)d document in another currency than SEK is not counted.",
            "%(count)d documents in another currency than SEK are not counted.",
            foreign,
        )
        % {"count": foreign}
        if foreign
        else _("Documents in another currency than SEK are not counted; there are none in the period.")
    )
    return {
        "title": _("E-invoices: supplier and contract compliance"),
        "how": how,
        "rows": [
            Row(key="lines", label=_("Invoice lines"), counts={"n": total.lines}, extra={"url": url("spend:lines")}),
            Row(
                key="spend",
                label=_("Spend (SEK, net)"),
                counts={"n": number_format(total.total, 0, force_grouping=True)},
                extra={"url": url("spend:figures")},
            ),
            Row(
                key="supplier_share",
                label=_("Leverantörstrohet: share of spend with contracted suppliers"),
                counts={"n": percent(total.supplier_share)},
                extra={"url": url("spend:lines", urval="not_contracted")},
            ),
            Row(
                key="contract_share",
                label=_("Avtalstrohet: share of spend on the contract's terms and prices"),
                counts={"n": percent(total.contract_share)},
                extra={"url": url("spend:lines", urval="not_on_terms")},
            ),
            Row(
                key="overcharge",
                label=_("Charged above the agreed prices (SEK)"),
                counts={"n": number_format(total.overcharge, 0, force_grouping=True)},
                extra={"url": url("spend:lines", urval="over_price")},
            ),
        ],
    }
