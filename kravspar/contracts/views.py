"""Contract pages: the list, the contract with its snapshot and subcontractors,
registering (from a procurement or directly), editing, extensions and status.
Every change goes through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.contracts import selectors, services
from kravspar.contracts.forms import (
    ContractFilterForm,
    ContractForm,
    ExtensionForm,
    StatusForm,
    SubcontractorForm,
)
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.core.dates import add_months
from kravspar.core.errors import DomainError
from kravspar.core.forms import VersionedForm
from kravspar.core.formviews import form_page, saved
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.findings.selectors import attach_contract_statuses
from kravspar.followups.models import ActivityStatus
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import Procurement
from kravspar.suppliers.models import Supplier

CONTRACT_FORM_FIELDS = services.CONTRACT_FIELDS
# How many of the plan's follow-ups the contract page shows before pointing to the plan.
PLAN_PREVIEW = 12


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _list_template(request: HttpRequest, full: str, fragment: str) -> str:
    # htmx asks for just the results when the person types in the search field.
    return fragment if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
@require_safe
def contract_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    visible = access.contracts_visible_to(user)
    form = ContractFilterForm(
        request.GET or None,
        organisations=Organisation.objects.filter(
            pk__in=Contract.buyers.through.objects.filter(contract__in=visible).values("organisation_id")
        ).order_by("name"),
        suppliers=Supplier.objects.filter(
            pk__in=Contract.suppliers.through.objects.filter(contract__in=visible).values("supplier_id")
        ).order_by("name"),
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    page = paginate(request, selectors.contract_list(user, **filters))
    attach_contract_statuses(list(page.object_list), timezone.localdate())
    return render(
        request,
        _list_template(request, "contracts/contract_list.html", "contracts/_contract_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(user, Perm.MANAGE_CONTRACTS),
        },
    )


@login_required
@require_safe
def contract_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = selectors.contract_detail_queryset(access.contract_for(user, key))
    subcontractors = list(contract.subcontractors.all())
    # The plan is shown on the contract itself, so that a registered contract shows its
    # follow-ups at once; the plan page has all of them.
    plan = list(
        contract.activities.exclude(status=ActivityStatus.CANCELLED)
        .select_related("requirement", "responsible_unit", "responsible_person")
        .order_by("due_on", "id")[: PLAN_PREVIEW + 1]
    )
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "plan": plan[:PLAN_PREVIEW],
            "plan_has_more": len(plan) > PLAN_PREVIEW,
            "effective_end": selectors.effective_end(contract),
            "options_used": selectors.extensions_used(contract),
            "requirements": contract.requirements.all(),
            "subcontractors": subcontractors,
            "history": paginate(request, audit_events_for(contract), per_page=20),
            "can_manage": access.can_change_contract(user, contract),
            "is_active": contract.status == ContractStatus.ACTIVE,
            "strategy_to_adopt": services.approved_strategy_to_adopt(contract),
        },
    )


@login_required
@require_POST
def contract_link_procurement(request: HttpRequest, key: str) -> HttpResponse:
    """Tie a directly registered contract to its procurement, given its registry number."""
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    number = request.POST.get("registry_number", "").strip()
    procurement = (
        access.procurements_visible_to(user).filter(registry_number__iexact=number).first() if number else None
    )
    if procurement is None:
        messages.error(
            request,
            _("Registry number: no procurement %(number)s that you can see. Check the number.")
            % {"number": number or "–"},
        )
        return redirect("contracts:detail", key=contract.uuid)
    posted = VersionedForm(request.POST)
    version = posted.cleaned_data["version"] if posted.is_valid() else None
    try:
        services.contract_link_procurement(
            actor=user,
            contract=contract,
            procurement=procurement,
            expected_version=version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The contract is now tied to procurement %(number)s.") % {"number": procurement})
    return redirect("contracts:detail", key=contract.uuid)


@login_required
@require_POST
def contract_adopt_strategy(request: HttpRequest, key: str) -> HttpResponse:
    """Adopt the procurement's approved strategy (a contract flagged "strategy missing")."""
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    posted = VersionedForm(request.POST)
    version = posted.cleaned_data["version"] if posted.is_valid() else None
    try:
        services.contract_adopt_strategy(actor=user, contract=contract, expected_version=version)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The contract now follows the approved strategy, and its follow-up plan is made."))
    return redirect("contracts:detail", key=contract.uuid)


def _visible_buyers(user: User, contract: Contract | None = None) -> QuerySet[Organisation]:
    """Active organisations the person sees, and those the contract already names."""
    ids = access.visible_organisation_ids(user)
    cond = Q(is_active=True) if ids is None else Q(is_active=True, pk__in=ids)
    if contract is not None:
        cond |= Q(contracts=contract)
    return Organisation.objects.filter(cond).distinct().order_by("name")


def _contract_data(form: ContractForm) -> dict[str, Any]:
    data = {k: form.cleaned_data[k] for k in CONTRACT_FORM_FIELDS}
    for name in ("extension_options", "extension_months"):
        data[name] = data[name] or 0
    return data


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    """Register a contract: from a procurement with ``?upphandling=<uuid>``, else directly."""
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_CONTRACTS)
    procurement: Procurement | None = None
    suppliers: QuerySet[Supplier] = Supplier.objects.order_by("name")
    initial: dict[str, Any] = {"extension_options": 0, "extension_months": 0}
    if key := request.GET.get("upphandling"):
        procurement = access.procurement_for(user, key)
        awarded = Supplier.objects.filter(procurement_links__procurement=procurement).distinct()
        if awarded.exists():
            suppliers = awarded.order_by("name")
        initial |= {
            "title": procurement.title,
            "suppliers": [s.pk for s in awarded],
            "buyers": list(procurement.buyers.values_list("pk", flat=True)),
            "value": procurement.estimated_value,
        }
    form = ContractForm(request.POST or None, initial=initial, suppliers=suppliers, buyers=_visible_buyers(user))

    def save(data: dict[str, Any]) -> Contract:
        parties = {"suppliers": data["suppliers"], "buyers": data["buyers"]}
        if procurement is not None:
            return services.contract_create_from_procurement(
                actor=user, procurement=procurement, **parties, **_contract_data(form)
            )
        return services.contract_register_direct(actor=user, **parties, **_contract_data(form))

    def done(contract: Contract) -> HttpResponse:
        messages.success(request, _("Contract %(number)s was registered.") % {"number": contract.contract_number})
        if contract.strategy_missing:
            messages.warning(
                request, _("The contract has no approved follow-up strategy behind it and is marked as such.")
            )
        return redirect("contracts:detail", key=contract.uuid)

    return form_page(
        request,
        form,
        template="contracts/contract_form.html",
        save=save,
        done=done,
        context={"contract": None, "procurement": procurement},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    current_suppliers = list(contract.suppliers.values_list("pk", flat=True))
    initial = {f: getattr(contract, f) for f in CONTRACT_FORM_FIELDS} | {
        "suppliers": current_suppliers,
        "buyers": list(contract.buyers.values_list("pk", flat=True)),
        "version": contract.version,
    }
    form = ContractForm(
        request.POST or None,
        initial=initial,
        suppliers=Supplier.objects.order_by("name"),
        buyers=_visible_buyers(user, contract),
    )
    return form_page(
        request,
        form,
        template="contracts/contract_form.html",
        save=lambda data: services.contract_update(
            actor=user,
            contract=contract,
            expected_version=data["version"],
            suppliers=data["suppliers"],
            buyers=data["buyers"],
            **_contract_data(form),
        ),
        done=saved(request, _("Your changes were saved."), "contracts:detail", key=contract.uuid),
        context={"contract": contract, "procurement": contract.procurement},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_extend(request: HttpRequest, key: str) -> HttpResponse:
    """Use the next extension option, after a confirmation page."""
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    contract = selectors.contract_detail_queryset(contract)
    used = selectors.extensions_used(contract)
    end = selectors.effective_end(contract)
    return form_page(
        request,
        ExtensionForm(request.POST or None, initial={"version": contract.version}),
        template="contracts/confirm_extension.html",
        save=lambda data: services.contract_use_extension(
            actor=user, contract=contract, decided_on=data["decided_on"], expected_version=data["version"]
        ),
        done=saved(request, _("The extension was recorded."), "contracts:detail", key=contract.uuid),
        context={
            "contract": contract,
            "options_used": used,
            "options_left": max(contract.extension_options - used, 0),
            "effective_end": end,
            "new_end": add_months(end, contract.extension_months),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_status(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    return form_page(
        request,
        StatusForm(request.POST or None, initial={"version": contract.version, "to": ContractStatus.TERMINATED}),
        template="contracts/status_form.html",
        save=lambda data: services.contract_set_status(
            actor=user,
            contract=contract,
            to=data["to"],
            reason=data["reason"],
            ended_on=data["ended_on"],
            expected_version=data["version"],
        ),
        done=saved(request, _("The contract's status was changed."), "contracts:detail", key=contract.uuid),
        context={"contract": contract},
    )


# --- Subcontractors ---------------------------------------------------------------------


def _subcontractor_data(form: SubcontractorForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] or "" for k in services.SUBCONTRACTOR_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def subcontractor_create(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    form = SubcontractorForm(
        request.POST or None, initial={"country": "SE"}, suppliers=contract.suppliers.order_by("name")
    )
    return form_page(
        request,
        form,
        template="contracts/subcontractor_form.html",
        save=lambda data: services.subcontractor_add(
            actor=user, contract=contract, supplier=data["supplier"], **_subcontractor_data(form)
        ),
        done=saved(request, _("The subcontractor was added."), f"{contract_url(contract)}#subcontractors-heading"),
        context={"contract": contract, "subcontractor": None},
    )


def contract_url(contract: Contract) -> str:
    return reverse("contracts:detail", kwargs={"key": contract.uuid})


@login_required
@require_http_methods(["GET", "POST"])
def subcontractor_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    sub = selectors.subcontractor_for(user, key, change=True)
    initial = {f: getattr(sub, f) for f in services.SUBCONTRACTOR_FIELDS} | {"version": sub.version}
    form = SubcontractorForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="contracts/subcontractor_form.html",
        save=lambda data: services.subcontractor_update(
            actor=user, subcontractor=sub, expected_version=data["version"], **_subcontractor_data(form)
        ),
        done=saved(request, _("Your changes were saved."), f"{contract_url(sub.contract)}#subcontractors-heading"),
        context={"contract": sub.contract, "subcontractor": sub},
    )


@login_required
@require_POST
def subcontractor_set_active(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    sub = selectors.subcontractor_for(user, key, change=True)
    services.subcontractor_set_active(actor=user, subcontractor=sub, active=not sub.is_active)
    messages.success(
        request,
        (_("%(name)s was reactivated.") if not sub.is_active else _("%(name)s was deactivated.")) % {"name": sub.name},
    )
    return redirect(f"{contract_url(sub.contract)}#subcontractors-heading")
