"""The supplier registry: shared reference data that every buyer role may read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.contracts.selectors import with_extensions
from kravspar.core import pickers
from kravspar.core.formviews import created, form_page, saved
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.findings.selectors import attach_supplier_statuses
from kravspar.suppliers import selectors, services
from kravspar.suppliers.forms import SupplierFilterForm, SupplierForm
from kravspar.suppliers.services import REGISTRY_FIELDS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _list_template(request: HttpRequest, full: str, fragment: str) -> str:
    # htmx asks for just the results when the person types in the search field.
    return fragment if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


def _data(cleaned: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in cleaned.items() if k in REGISTRY_FIELDS}
    for key, value in data.items():
        if value is None and key not in ("f_tax",):
            data[key] = ""
    return data


@login_required
@require_safe
def supplier_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form = SupplierFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = form.cleaned_data
    page = paginate(request, selectors.supplier_search(selectors.suppliers_visible_to(user), **filters))
    attach_supplier_statuses(page.object_list, timezone.localdate())
    return render(
        request,
        _list_template(request, "suppliers/supplier_list.html", "suppliers/_supplier_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(user, Perm.MANAGE_CONTRACTS),
        },
    )


@login_required
@require_safe
def supplier_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    supplier = selectors.supplier_for(user, key)
    contracts = (
        with_extensions(access.contracts_visible_to(user).filter(suppliers=supplier))
        .prefetch_related("suppliers", "buyers")
        .order_by("-signed_on", "contract_number")
    )
    return render(
        request,
        "suppliers/supplier_detail.html",
        {
            "supplier": supplier,
            "contracts": contracts,
            "history": paginate(request, audit_events_for(supplier), per_page=20),
            "can_manage": selectors.can_change_supplier(user, supplier),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_CONTRACTS)
    return form_page(
        request,
        SupplierForm(request.POST or None, initial={"country": "SE"}),
        template="suppliers/supplier_form.html",
        save=lambda data: services.supplier_create(actor=user, **_data(data)),
        done=created(
            request, lambda supplier: _("%(name)s was registered.") % {"name": supplier.name}, "suppliers:detail"
        ),
        context={"supplier": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    supplier = selectors.supplier_for(user, key, change=True)
    initial = {f: getattr(supplier, f) for f in REGISTRY_FIELDS} | {"version": supplier.version}
    return form_page(
        request,
        SupplierForm(request.POST or None, initial=initial),
        template="suppliers/supplier_form.html",
        save=lambda data: services.supplier_update(
            actor=user, supplier=supplier, expected_version=data["version"], **_data(data)
        ),
        done=saved(request, _("Your changes were saved."), "suppliers:detail", key=supplier.uuid),
        context={"supplier": supplier},
    )


@login_required
@require_safe
def supplier_options(request: HttpRequest) -> HttpResponse:
    """The options of a supplier picker while typing (an htmx fragment): at most
    ``pickers.LIMIT`` suppliers, by name or organisation number."""
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    context = pickers.options_context(selectors.suppliers_visible_to(request.user), request.GET.get("q", "")[:100])
    return render(request, "includes/_picker_options.html", context)
