"""The dashboard, the records behind its figures, exports, PDF reports and the contract import."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.reports import charts, exports, figures, importing, pdf, records
from kravspar.reports.forms import DashboardForm, MappingForm, UploadForm
from kravspar.reports.scope import ALL, ReportScope, resolve, scope_choices

SESSION_IMPORTS = "reports_imports"


def _scope_from(request: HttpRequest, form: DashboardForm) -> ReportScope:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    return resolve(
        request.user,
        key=data.get("scope") or ALL,
        date_from=data.get("from"),
        date_to=data.get("to"),
        today=today,
    )


def _link(scope: ReportScope, kind: str, /, **params: Any) -> str:
    query = scope.query() | {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{reverse('reports:records', args=[kind])}?{urlencode(query)}"


def _charts(d: figures.Dashboard) -> dict[str, charts.Chart]:
    s = d.scope
    state_series = [
        ("on_time", _("Done on time")),
        ("late", _("Done late")),
        ("overdue", _("Overdue")),
        ("upcoming", _("Not yet due")),
    ]

    def activity_chart(id: str, title: str, header: str, rows: list[figures.Row], dim: str) -> charts.Chart:
        return charts.chart(
            id=id,
            title=title,
            row_header=header,
            description=_("Follow-ups due in the period, by how they went. The table beside gives the numbers."),
            series=state_series,
            rows=rows,
            label=lambda r: r.label,
            value=lambda r, key: r.counts[key],
            url=lambda r, key: _link(s, "uppfoljningar", state=key, **{dim: r.key}),
            extra=[(pgettext("count", "Due"), lambda r: r.counts["due"])],
        )

    def count_chart(
        id: str, title: str, description: str, rows: list[figures.Row], kind: str, param: str, header: str
    ) -> charts.Chart:
        return charts.chart(
            id=id,
            title=title,
            row_header=header,
            description=description,
            series=[("n", pgettext("count", "Number"))],
            rows=rows,
            label=lambda r: r.label,
            value=lambda r, key: r.counts["n"],
            url=lambda r, key: _link(s, kind, **{param: r.key}),
        )

    light_series = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}
    suppliers = charts.chart(
        id="suppliers",
        title=_("Suppliers by status"),
        description=_("Suppliers on contracts live in the period, by the status their deviations give them today."),
        series=list(light_series.items()),
        rows=[_("Suppliers")],
        label=lambda r: str(r),
        value=lambda r, key: next(x.counts["n"] for x in d.suppliers_by_light if x.key == key),
        url=lambda r, key: _link(s, "leverantorer", light=key),
    )
    aims = charts.chart(
        id="aims",
        title=_("Policy-aim coverage"),
        description=_("Per aim: procurements addressing it and requirements serving it; follow-ups in the table."),
        series=[("procurements", _("Procurements")), ("requirements", _("Requirements"))],
        rows=d.aims,
        label=lambda r: r.label,
        value=lambda r, key: r.counts[key],
        url=lambda r, key: _link(s, "upphandlingar", aim=r.key),
        row_header=_("Aim"),
    )
    return {
        "by_method": activity_chart("by-method", _("Follow-ups per method"), _("Method"), d.by_method, "method"),
        "by_unit": activity_chart(
            "by-unit", _("Follow-ups per responsible unit"), _("Responsible unit"), d.by_unit, "unit"
        ),
        "by_type": activity_chart("by-type", _("Follow-ups per requirement type"), _("Type"), d.by_type, "type"),
        "severity": count_chart(
            "severity",
            _("Deviations by severity"),
            _("Deviations raised in the period, by severity."),
            d.deviations_by_severity,
            "avvikelser",
            "severity",
            _("Severity"),
        ),
        "kind": count_chart(
            "kind",
            _("Deviations by type"),
            _("Deviations raised in the period, by the area they concern."),
            d.deviations_by_kind,
            "avvikelser",
            "kind",
            _("Type"),
        ),
        "status": count_chart(
            "status",
            _("Deviations by status"),
            _("Deviations raised in the period, by where they stand now."),
            d.deviations_by_status,
            "avvikelser",
            "status",
            _("Status"),
        ),
        "suppliers": suppliers,
        "aims": aims,
    }


def _aim_rows(d: figures.Dashboard) -> list[dict[str, Any]]:
    s = d.scope
    return [
        {
            "row": row,
            "procurements_url": _link(s, "upphandlingar", aim=row.key),
            "states": [
                (row.counts[key], _link(s, "uppfoljningar", aim=row.key, state=key) if row.counts[key] else "")
                for key in ("due", "on_time", "late", "overdue")
            ],
            "chain": [
                (row.counts["deviations"], _link(s, "avvikelser", aim=row.key)),
                (row.counts["sanctions"], _link(s, "sanktioner", aim=row.key)),
            ],
        }
        for row in d.aims
    ]


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    choices = scope_choices(request.user)
    form = DashboardForm(request.GET or None, choices=choices)
    scope = _scope_from(request, form)
    d = figures.dashboard(scope)
    organisation = None
    if scope.key.startswith("org:"):
        organisation = scope.key.partition(":")[2]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "d": d,
            "charts": _charts(d),
            "aim_rows": _aim_rows(d),
            "how": figures.HOW,
            "link": {
                **{f"gate_{step}": _link(scope, "upphandlingar", gate=step) for step in figures.GATE_STEPS},
                "plan_all": _link(scope, "avtal", plan="active"),
                "plan_with": _link(scope, "avtal", plan="with"),
                "plan_without": _link(scope, "avtal", plan="without"),
                "due": _link(scope, "uppfoljningar", state="due"),
                "deviations": _link(scope, "avvikelser"),
                "plans_overdue": _link(scope, "avvikelser", plan_overdue=1),
                **{f"outcome_requirements_{p or 'all'}": _link(scope, "krav", planned=p) for p in ("", "with")},
                **{f"outcome_{o}": _link(scope, "uppfoljningar", outcome=o) for o in ("due", "on_time", "late")},
                **{
                    f"outcome_{o}": _link(scope, "avvikelser", outcome=o)
                    for o in ("major", "in_time", "not_in_time", "decided")
                },
                "live": _link(scope, "avtal"),
                "local": _link(scope, "avtal", local=1),
                "sme": _link(scope, "avtal", sme=1),
                **{f"labour_{step}": _link(scope, "avtal", labour=step) for step in d.labour},
            },
            "totals": [
                (d.activities_total[key], _link(scope, "uppfoljningar", state=key)) for key in figures.ACTIVITY_STATES
            ],
            "sanction_rows": [(r, _link(scope, "sanktioner", decision=r.key)) for r in d.sanctions],
            "goal_rows": [(r, _link(scope, "upphandlingar", goal=r.key)) for r in d.goals],
            "organisation": organisation,
            "year": scope.date_from.year,
            "can_import": access.has_perm(request.user, Perm.MANAGE_CONTRACTS),
        },
    )


@login_required
@require_safe
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    form = DashboardForm(request.GET or None, choices=scope_choices(request.user))
    scope = _scope_from(request, form)
    found = records.records(scope, kind, request.GET)
    page = paginate(request, found.rows)  # type: ignore[arg-type]
    back = reverse("reports:dashboard") + "?" + urlencode(scope.query())
    return render(
        request,
        "reports/records.html",
        {
            "records": found,
            "rows": [found.cells(obj) for obj in page.object_list],
            "page": page,
            "scope": scope,
            "back": back,
            "querystring": querystring_without_page(request),
        },
    )


# --- Exports -----------------------------------------------------------------------------


@login_required
@require_safe
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    maker = exports.LISTS.get(name)
    if maker is None or fmt not in ("csv", "xlsx"):
        raise Http404
    params = request.GET.copy()
    params.pop("sida", None)
    data = maker(request.user, params)
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            exports.csv_lines(data), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(data, "csv")}"'
        return response
    return FileResponse(
        exports.xlsx_file(data),
        as_attachment=True,
        filename=exports.filename(data, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_safe
def export_links(request: HttpRequest, name: str) -> HttpResponse:
    """The export links again, with the filter form's current values (htmx)."""
    if name not in exports.LISTS:
        raise Http404
    return render(
        request, "reports/_export_links.html", {"export": name, "querystring": querystring_without_page(request)}
    )


# --- PDF reports -------------------------------------------------------------------------


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def contract_report(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    contract = access.contract_for(user, key)
    # A contract with many follow-ups and deviations makes a long PDF: a background job makes
    # it (or the same job already made or making it, while nothing in the report changed),
    # and the link leads to its progress page rather than waiting inside this request.
    today = timezone.localdate()
    inputs = pdf.contract_report_inputs(contract, today=today)
    if inputs["size"] > settings.KRAVSPAR_CONTRACT_PDF_JOB_ROWS:
        from kravspar.jobs import services as job_services
        from kravspar.jobs.models import JobKind

        job = job_services.job_start_or_reuse(
            owner=user,
            kind=JobKind.CONTRACT_REPORT,
            title=_("Follow-up report %(number)s (PDF)") % {"number": contract.contract_number},
            params={"contract": str(contract.uuid), "version": inputs["version"]},
        )
        return redirect("jobs:detail", job.uuid)
    content = pdf.contract_report(contract, today=today)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in contract.contract_number)
    return _pdf(content, f"uppfoljningsrapport-{safe}.pdf")


@login_required
@require_safe
def annual_report(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    organisation = access.organisation_for(request.user, request.GET.get("organisation", ""))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except ValueError:
        raise Http404 from None
    scope = resolve(request.user, key=f"org:{organisation.uuid}", date_from=first, date_to=last, today=today)
    content = pdf.annual_report(organisation, figures.dashboard(scope), year=year)
    return _pdf(content, f"arsrapport-{organisation.org_number}-{year}.pdf")


# --- Contract import ---------------------------------------------------------------------


def _require_import(request: HttpRequest) -> None:
    access.require_perm(request.user, Perm.MANAGE_CONTRACTS)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, extension = importing.store_upload(form.cleaned_data["file"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            uploads = request.session.get(SESSION_IMPORTS, {})
            uploads[token] = {"extension": extension, "name": form.cleaned_data["file"].name}
            request.session[SESSION_IMPORTS] = uploads
            return redirect("reports:import_map", token=token)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/import_upload.html", {"form": form}, status=status)


@login_required
@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty register with the headings the mapping step recognises, and one example row."""
    _require_import(request)
    content = "\ufeff" + "".join(
        ";".join(cells) + "\r\n" for cells in importing.TEMPLATE
    )  # BOM and semicolons: what Swedish Excel opens directly
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="avtalsregister-mall.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, token: str) -> HttpResponse:
    _require_import(request)
    # Only the person who uploaded the file, in the same session, reaches it.
    meta = request.session.get(SESSION_IMPORTS, {}).get(token)
    path = importing.stored_path(token, meta["extension"]) if meta else None
    if meta is None or path is None:
        raise Http404
    try:
        sheet = importing.read_sheet(path)
    except importing.ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("reports:import")
    initial_mapping = importing.guess_mapping(sheet.headers)
    result = None
    trial_key = request.GET.get(importing.TRIAL_RUN_PARAMETER) if request.method == "GET" else None
    if trial_key:
        report = _trial_run_report(request, token, trial_key)
        if isinstance(report, HttpResponse):
            return report
        result, initial_mapping = report
    form = MappingForm(request.POST or None, headers=sheet.headers, initial_mapping=initial_mapping)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        for key, message in importing.validate_mapping(mapping, sheet.headers).items():
            form.add_error(key, message)
        if form.is_valid():
            commit = request.POST.get("action") == "import"
            if not isinstance(request.user, User):
                raise PermissionDenied
            if path.stat().st_size > settings.KRAVSPAR_IMPORT_JOB_BYTES:
                if commit:
                    return _import_as_job(request, request.user, token, path, meta, mapping)
                return _trial_run_as_job(request.user, token, path, meta, mapping)
            result = importing.run_import(actor=request.user, sheet=sheet, mapping=mapping, commit=commit)
            if result.committed:
                path.unlink(missing_ok=True)
                uploads = request.session.get(SESSION_IMPORTS, {})
                uploads.pop(token, None)
                request.session[SESSION_IMPORTS] = uploads
                messages.success(
                    request,
                    _("%(count)d contracts were registered, with %(suppliers)d new suppliers.")
                    % {"count": result.created, "suppliers": result.new_suppliers},
                )
                return redirect(reverse("contracts:list") + "?strategy_missing=on")
    status = 400 if request.method == "POST" and (not form.is_valid() or (result and not result.ok)) else 200
    return render(
        request,
        "reports/import_map.html",
        {
            "form": form,
            "sheet": sheet,
            "preview": sheet.rows[:5],
            "file_name": meta["name"],
            "result": result,
        },
        status=status,
    )


def _import_as_job(
    request: HttpRequest, user: User, token: str, path: Any, meta: dict[str, str], mapping: dict[str, int | None]
) -> HttpResponse:
    """A large register is imported by a background job (one transaction there too); the
    file moves from the upload folder to the job's inputs in the file storage."""
    from kravspar.jobs import services as job_services
    from kravspar.jobs.models import JobKind

    job = job_services.job_start(
        owner=user,
        kind=JobKind.CONTRACT_IMPORT,
        title=_("Contract register import: %(file)s") % {"file": meta["name"]},
        params={"mapping": mapping, "extension": meta["extension"]},
        inputs=[(meta["name"], path.read_bytes())],
    )
    path.unlink(missing_ok=True)
    uploads = request.session.get(SESSION_IMPORTS, {})
    uploads.pop(token, None)
    request.session[SESSION_IMPORTS] = uploads
    return redirect("jobs:detail", job.uuid)


def _trial_run_as_job(
    user: User, token: str, path: Any, meta: dict[str, str], mapping: dict[str, int | None]
) -> HttpResponse:
    """A large register's trial run is made by a background job; the upload stays where it
    is for the import that follows, and the job's result is the report on this page."""
    from kravspar.jobs import services as job_services
    from kravspar.jobs.models import JobKind

    job = job_services.job_start(
        owner=user,
        kind=JobKind.CONTRACT_TRIAL_RUN,
        title=_("Contract register trial run: %(file)s") % {"file": meta["name"]},
        params={"mapping": mapping, "extension": meta["extension"], "token": token},
        inputs=[(meta["name"], path.read_bytes())],
    )
    return redirect("jobs:detail", job.uuid)


def _trial_run_report(
    request: HttpRequest, token: str, key: str
) -> tuple[importing.Result, dict[str, int]] | HttpResponse:
    """The report of a trial run made by a job, and the mapping it used: for the person who
    started it, of this upload; its progress page while it is not done; 404 otherwise."""
    import json

    from kravspar.jobs.models import JobKind, JobStatus
    from kravspar.jobs.views import job_for

    assert isinstance(request.user, User)
    job = job_for(request.user, key)
    if job.kind != JobKind.CONTRACT_TRIAL_RUN or job.params.get("token") != token:
        raise Http404
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        return redirect("jobs:detail", job.uuid)
    with job.result_file.open("rb") as handle:
        result = importing.Result.from_data(json.load(handle))
    mapping = {key: int(index) for key, index in job.params["mapping"].items() if index is not None}
    return result, mapping
