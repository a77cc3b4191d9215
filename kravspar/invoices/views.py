"""Invoice pages: the list, one invoice with its lines, its original XML, the upload
page, and the import batches with the files they refused. Imports go through
``services``; who sees what is decided in ``selectors``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.invoices import originals, selectors
from kravspar.invoices.forms import InvoiceFilterForm, UploadForm
from kravspar.invoices.models import BatchSource, InvoiceDocument, ProblemSeverity
from kravspar.invoices.services import import_files
from kravspar.jobs.models import JobKind
from kravspar.jobs.services import job_start
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _list_template(request: HttpRequest, full: str, fragment: str) -> str:
    # htmx asks for just the results when the person types in the search field.
    return fragment if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
@require_safe
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    visible = selectors.invoices_visible_to(user)
    ids = access.visible_organisation_ids(user)
    organisations = Organisation.objects.order_by("name")
    if ids is not None:
        organisations = organisations.filter(pk__in=ids)
    form = InvoiceFilterForm(
        request.GET or None,
        organisations=organisations,
        suppliers=Supplier.objects.filter(pk__in=visible.filter(supplier__isnull=False).values("supplier_id")).order_by(
            "name"
        ),
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    page = paginate(request, selectors.invoice_list(user, **filters))
    return render(
        request,
        _list_template(request, "invoices/invoice_list.html", "invoices/_invoice_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_import": selectors.can_import(user),
        },
    )


@login_required
@require_safe
def invoice_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    document = selectors.invoice_for(user, key)
    lines = paginate(request, document.lines.order_by("position"), per_page=100)
    return render(
        request,
        "invoices/invoice_detail.html",
        {
            "document": document,
            "lines": lines,
            "querystring": querystring_without_page(request),
            "can_download": selectors.can_download_original(user),
            "credited": _credited(user, document),
            "credit_notes": _credit_notes(user, document),
        },
    )


def _credited(user: User, document: InvoiceDocument) -> InvoiceDocument | None:
    if not document.billing_reference:
        return None
    return (
        selectors.invoices_visible_to(user)
        .filter(seller_key=document.seller_key, number=document.billing_reference, kind="invoice")
        .only("uuid", "number")
        .first()
    )


def _credit_notes(user: User, document: InvoiceDocument) -> list[InvoiceDocument]:
    return list(
        selectors.invoices_visible_to(user)
        .filter(seller_key=document.seller_key, billing_reference=document.number)
        .exclude(pk=document.pk)
        .only("uuid", "number", "kind", "issue_date")[:20]
    )


@login_required
@require_safe
def invoice_original(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    document = selectors.invoice_for(user, key)
    if not selectors.can_download_original(user):
        raise PermissionDenied
    response = HttpResponse(originals.read(str(document.original.name)), content_type="application/xml")
    safe = "".join(c for c in document.number if c.isalnum() or c in "-_.")[:80] or "faktura"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.can_import(user):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        files = [(f.name or "faktura.xml", f.read()) for f in form.cleaned_data["invoice_files"]]
        if len(files) > settings.KRAVSPAR_UPLOAD_JOB_FILES:
            # Many files: a background job imports them while the page shows its progress.
            job = job_start(
                owner=user,
                kind=JobKind.INVOICE_UPLOAD,
                title=_("Upload of %(count)s invoice files") % {"count": len(files)},
                inputs=files,
                total=len(files),
            )
            return redirect("jobs:detail", job.uuid)
        batch, _outcomes = import_files(
            files, actor=user, source=BatchSource.UPLOAD, allowed_buyer_ids=access.visible_organisation_ids(user)
        )
        if batch.refused_count or batch.duplicate_count:
            messages.warning(
                request,
                _("%(imported)s of %(files)s files imported; %(duplicates)s duplicates and %(refused)s refused.")
                % {
                    "imported": batch.imported_count,
                    "files": batch.file_count,
                    "duplicates": batch.duplicate_count,
                    "refused": batch.refused_count,
                },
            )
        else:
            messages.success(request, _("%(count)s files imported.") % {"count": batch.imported_count})
        return redirect("invoices:batch", batch.uuid)
    return render(
        request,
        "invoices/upload.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def batch_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (selectors.can_import(user) or access.is_administrator(user)):
        raise PermissionDenied
    page = paginate(request, selectors.batches_visible_to(user).select_related("actor").order_by("-started_at", "-id"))
    return render(
        request,
        "invoices/batch_list.html",
        {"page": page, "querystring": querystring_without_page(request), "can_import": selectors.can_import(user)},
    )


@login_required
@require_safe
def batch_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    batch = selectors.batch_for(user, key)
    severity = request.GET.get("typ", "")
    problems = batch.problems.select_related("document").order_by("id")
    if severity in ProblemSeverity.values:
        problems = problems.filter(severity=severity)
    visible_ids = set(
        selectors.invoices_visible_to(user)
        .filter(pk__in=batch.problems.filter(document__isnull=False).values("document_id"))
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "invoices/batch_detail.html",
        {
            "batch": batch,
            "problems": paginate(request, problems, per_page=50),
            "severity": severity,
            "severities": ProblemSeverity.choices,
            "visible_ids": visible_ids,
            "querystring": querystring_without_page(request),
        },
    )
