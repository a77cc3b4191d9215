"""Every main list to Excel (.xlsx) and CSV, with the list's own filters and access rules.

Each export reads the list's filter form from the query string and calls the list's own
selector, which starts from the ``*_visible_to`` queryset of ``accounts.access``: a file
never holds a row its list would not show.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.contracts import selectors as contract_selectors
from kravspar.contracts.forms import ContractFilterForm
from kravspar.contracts.models import Contract
from kravspar.findings import selectors as finding_selectors
from kravspar.findings.forms import DeviationFilterForm
from kravspar.findings.models import Deviation
from kravspar.followups import selectors as followup_selectors
from kravspar.followups.forms import WorkListFilterForm
from kravspar.followups.models import Activity
from kravspar.organisations.models import Organisation
from kravspar.procurements import selectors as procurement_selectors
from kravspar.procurements.forms import ProcurementFilterForm
from kravspar.procurements.models import Procurement
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy.models import MarkKind
from kravspar.suppliers import selectors as supplier_selectors
from kravspar.suppliers.forms import SupplierFilterForm
from kravspar.suppliers.models import Supplier

CHUNK = 2000  # rows fetched per database round trip; memory stays flat however long the list


@dataclass
class Export:
    filename: str  # without extension
    sheet: str
    headers: list[str]
    rows: Iterable[list[Any]]


def _labels(model: Any, field: str) -> dict[str, str]:
    """A field's choice labels, translated once: get_FOO_display() per cell costs more than
    the database does on a long export."""
    return {str(k): str(v) for k, v in model._meta.get_field(field).flatchoices}


def _filters(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}


def _names(objects: Iterable[Any]) -> str:
    return ", ".join(o.name for o in objects)


def contracts(user: Any, params: QueryDict) -> Export:
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    visible = access.contracts_visible_to(user)
    form = ContractFilterForm(
        params or None,
        organisations=Organisation.objects.filter(
            pk__in=Contract.buyers.through.objects.filter(contract__in=visible).values("organisation_id")
        ),
        suppliers=Supplier.objects.filter(
            pk__in=Contract.suppliers.through.objects.filter(contract__in=visible).values("supplier_id")
        ),
    )
    qs = contract_selectors.contract_list(user, **_filters(form))

    c_labels = {f: _labels(Contract, f) for f in ("status",)}

    def rows() -> Iterator[list[Any]]:
        for c in qs.iterator(chunk_size=CHUNK):
            yield [
                c.contract_number,
                c.title,
                _names(c.suppliers.all()),
                _names(c.buyers.all()),
                c.signed_on,
                c.starts_on,
                c.ends_on,
                contract_selectors.effective_end(c),
                f"{contract_selectors.extensions_used(c)}/{c.extension_options}",
                c.value,
                c_labels["status"].get(c.status, c.status),
                _("Yes") if c.strategy_missing else _("No"),
                c.diary_number,
            ]

    headers = [
        _("Contract number"),
        _("Title"),
        _("Suppliers"),
        _("Organisations that may call off"),
        _("Signed"),
        _("Starts"),
        _("Ends"),
        _("Ends with extensions used"),
        _("Extension options used"),
        _("Value (SEK)"),
        _("Status"),
        _("Strategy missing"),
        _("Diary number"),
    ]
    return Export("avtal", _("Contracts"), headers, rows())


def procurements(user: Any, params: QueryDict) -> Export:
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    form = ProcurementFilterForm(
        params or None, user=user, officers=procurement_selectors.officers_of_visible_procurements(user)
    )
    qs = procurement_selectors.procurement_list(user, **_filters(form))

    p_labels = {f: _labels(Procurement, f) for f in ("kind", "procedure", "status")}

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=CHUNK):
            yield [
                p.registry_number,
                p.title,
                _names(p.buyers.all()),
                p_labels["kind"].get(p.kind, p.kind),
                p_labels["procedure"].get(p.procedure, p.procedure),
                p_labels["status"].get(p.status, p.status),
                p.cpv_main.code if p.cpv_main else "",
                p.estimated_value,
                p.officer.get_full_name() if p.officer else "",
                getattr(p, "tier_value", "") or "",
                timezone.localtime(p.created_at).date(),
            ]

    headers = [
        _("Registry number"),
        _("Title"),
        _("Buying organisations"),
        _("Kind"),
        _("Procedure"),
        _("Status"),
        _("Main CPV code"),
        _("Estimated value (SEK)"),
        _("Procurement officer"),
        _("Follow-up tier"),
        _("Created"),
    ]
    return Export("upphandlingar", _("Procurements"), headers, rows())


def deviations(user: Any, params: QueryDict) -> Export:
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    today = timezone.localdate()
    form = DeviationFilterForm(params or None)
    filters: dict[str, Any] = {}
    # As on the deviation list: an unknown or invisible contract number matches nothing.
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "severity": data["severity"],
            "status": data["status"],
            "decision_needed": data["decision_needed"],
            "diary_number": data["diary_number"],
        }
        if number := data["contract"].strip():
            contract = access.contracts_visible_to(user).filter(contract_number=number).first()
            filters["contract"] = contract
            if contract is None:
                filters["severity"] = "__none__"
    qs = finding_selectors.deviation_list(user, today=today, **filters)
    # A secrecy-marked deviation leaves only for those its provision allows (issue 14).
    qs = secrecy_access.without_hidden(user, MarkKind.DEVIATION, qs)

    d_labels = {f: _labels(Deviation, f) for f in ("severity", "kind", "status")}

    # Plain values, not model instances: on a long export building the objects costs most.
    columns = qs.values_list(
        "raised_on",
        "title",
        "contract__contract_number",
        "supplier__name",
        "requirement__title",
        "severity",
        "kind",
        "status",
        "deadline",
        "fixed_on",
        "closed_on",
        "diary_number",
    )

    def rows() -> Iterator[list[Any]]:
        for raised, title, number, supplier, requirement, severity, kind, status, *dates, diary in columns.iterator(
            chunk_size=CHUNK
        ):
            yield [
                raised,
                title,
                number,
                supplier or "",
                requirement or "",
                d_labels["severity"].get(severity, severity),
                d_labels["kind"].get(kind, kind),
                d_labels["status"].get(status, status),
                *dates,
                diary,
            ]

    headers = [
        _("Raised"),
        _("Title"),
        _("Contract number"),
        _("Supplier"),
        _("Requirement"),
        _("Severity"),
        _("Type"),
        _("Status"),
        _("Deadline"),
        _("Fixed"),
        _("Closed"),
        _("Diary number"),
    ]
    return Export("avvikelser", _("Deviations"), headers, rows())


def activities(user: Any, params: QueryDict) -> Export:
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form = WorkListFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = followup_selectors.work_list(
        user,
        today=timezone.localdate(),
        view=data.get("view") or "open",
        scope=data.get("scope") or "mine",
        status=data.get("status", ""),
        q=data.get("q", ""),
    )

    a_labels = {f: _labels(Activity, f) for f in ("method", "status", "outcome")}

    columns = qs.values_list(
        "due_on",
        "contract__contract_number",
        "contract__title",
        "requirement__title",
        "method",
        "responsible_unit__name",
        "responsible_person__first_name",
        "responsible_person__last_name",
        "status",
        "outcome",
        "completed_on",
    )

    def rows() -> Iterator[list[Any]]:
        for due, number, title, requirement, method, unit, first, last, status, outcome, completed in columns.iterator(
            chunk_size=CHUNK
        ):
            yield [
                due,
                number,
                title,
                requirement,
                a_labels["method"].get(method, method),
                unit or "",
                f"{first or ''} {last or ''}".strip(),
                a_labels["status"].get(status, status),
                a_labels["outcome"].get(outcome, outcome),
                completed,
            ]

    headers = [
        _("Due"),
        _("Contract number"),
        _("Contract"),
        _("Requirement"),
        _("Method"),
        _("Responsible unit"),
        _("Responsible person"),
        _("Status"),
        _("Outcome"),
        _("Completed"),
    ]
    return Export("uppfoljningar", _("Follow-ups"), headers, rows())


def suppliers(user: Any, params: QueryDict) -> Export:
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form = SupplierFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = supplier_selectors.supplier_search(supplier_selectors.suppliers_visible_to(user), **filters)

    s_labels = {f: _labels(Supplier, f) for f in ("size_class", "sector", "collective_agreement")}

    def rows() -> Iterator[list[Any]]:
        for s in qs.iterator(chunk_size=CHUNK):
            yield [
                s.name,
                s.org_number,
                s.country,
                s.city,
                s.county,
                s_labels["size_class"].get(s.size_class, s.size_class),
                s_labels["sector"].get(s.sector, s.sector),
                s_labels["collective_agreement"].get(s.collective_agreement, s.collective_agreement),
                "" if s.f_tax is None else (_("Yes") if s.f_tax else _("No")),
            ]

    headers = [
        _("Name"),
        _("Organisation number"),
        _("Country"),
        _("City"),
        _("County"),
        _("Size class"),
        _("Sector"),
        _("Collective agreement"),
        _("Approved for F-tax"),
    ]
    return Export("leverantorer", _("Suppliers"), headers, rows())


def invoices(user: Any, params: QueryDict) -> Export:
    """The e-invoice list (``invoices:list``) with its own filters and visibility."""
    from kravspar.invoices import selectors as invoice_selectors
    from kravspar.invoices.forms import InvoiceFilterForm
    from kravspar.invoices.models import InvoiceDocument

    access.require_perm(user, Perm.VIEW_CONTRACTS)
    visible = invoice_selectors.invoices_visible_to(user)
    ids = access.visible_organisation_ids(user)
    organisations = Organisation.objects.all() if ids is None else Organisation.objects.filter(pk__in=ids)
    form = InvoiceFilterForm(
        params or None,
        organisations=organisations,
        suppliers=Supplier.objects.filter(pk__in=visible.filter(supplier__isnull=False).values("supplier_id")),
    )
    filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")} if form.is_valid() else {}
    qs = invoice_selectors.invoice_list(user, **filters)
    kinds = _labels(InvoiceDocument, "kind")

    def rows() -> Iterator[list[Any]]:
        for d in qs.iterator(chunk_size=CHUNK):
            yield [
                d.number,
                kinds.get(d.kind, d.kind),
                d.issue_date,
                d.due_date,
                d.seller_name,
                d.seller_org_number,
                d.supplier.name if d.supplier else "",
                d.buyer_organisation.name if d.buyer_organisation else d.buyer_name,
                d.contract_reference,
                d.tax_exclusive_amount,
                d.payable_amount,
                d.currency,
                d.line_count,
            ]

    headers = [
        _("Invoice number"),
        _("Kind"),
        _("Issue date"),
        _("Due date"),
        _("Seller"),
        _("Seller's organisation number"),
        _("Supplier in the registry"),
        _("Buyer"),
        _("Contract reference"),
        _("Total excluding VAT"),
        _("Amount due"),
        _("Currency"),
        _("Lines"),
    ]
    return Export("fakturor", _("Invoices"), headers, rows())


LISTS: dict[str, Callable[[Any, QueryDict], Export]] = {
    "fakturor": invoices,
    "avtal": contracts,
    "upphandlingar": procurements,
    "avvikelser": deviations,
    "uppfoljningar": activities,
    "leverantorer": suppliers,
}


# --- Writers -------------------------------------------------------------------------------

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Swedish Excel reads a decimal comma; values in SEK are whole numbers anyway.
        return str(value).replace(".", ",")
    return str(_text(value))


class _Line:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(export: Export) -> Iterator[str]:
    """CSV the way Swedish Excel opens it with a double click: UTF-8 with a byte-order mark
    (else å, ä and ö come out garbled) and semicolons (Excel with Swedish regional settings
    expects ';' because ',' is the decimal separator)."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(export.headers)
    for row in export.rows:
        yield writer.writerow([_csv_value(v) for v in row])


def write_xlsx(export: Export, target: IO[bytes]) -> None:
    """The rows in a write-only workbook: openpyxl writes each row out as it comes and keeps
    none of them in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.sheet[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in export.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export.rows:
        sheet.append([_text(v) for v in row])
    workbook.save(target)


def xlsx_file(export: Export) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), rewound for streaming."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(export, handle)
    handle.seek(0)
    return handle


def filename(export: Export, extension: str) -> str:
    return f"{export.filename}-{timezone.localdate():%Y-%m-%d}.{extension}"
