"""Pages of the two maintained tables: the central collective agreements and the EU
thresholds. Every buyer who reads procurements may read them (the needs assessment rests
on them); only administrators change them, and every change is in the history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.formatting import kronor
from kravspar.core.formviews import form_page
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate
from kravspar.labour import tables
from kravspar.labour.forms import AgreementForm, ThresholdForm
from kravspar.labour.models import CollectiveAgreement, EUThreshold


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    return user


def _keeper(request: HttpRequest) -> User:
    user = _reader(request)
    if not access.is_administrator(user):
        raise PermissionDenied
    return user


def _by_uuid(model: Any, key: str) -> Any:
    obj = model.objects.filter(uuid=key).first() if is_uuid(key) else None
    if obj is None:
        raise Http404
    return obj


@login_required
@require_safe
def agreement_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return render(
        request,
        "labour/agreement_list.html",
        {
            "agreements": CollectiveAgreement.objects.order_by("-is_active", "sector", "name", "-valid_from"),
            "can_manage": access.is_administrator(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    user = _keeper(request)
    form = AgreementForm(request.POST or None)
    del form.fields["is_active"]  # a new agreement is offered at once

    def done(agreement: CollectiveAgreement) -> HttpResponse:
        messages.success(request, _("The agreement %(name)s was added.") % {"name": agreement.name})
        return redirect("labour:agreements")

    return form_page(
        request,
        form,
        template="labour/agreement_form.html",
        save=lambda _data: tables.agreement_create(actor=user, **form.service_data()),
        done=done,
        context={"agreement": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_detail(request: HttpRequest, key: str) -> HttpResponse:
    """The agreement with its history; administrators change it here."""
    user = _reader(request)
    agreement: CollectiveAgreement = _by_uuid(CollectiveAgreement, key)
    can_manage = access.is_administrator(user)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    initial = {f: getattr(agreement, f) for f in tables.AGREEMENT_FIELDS} | {
        "cpv_prefixes": ", ".join(agreement.cpv_prefixes),
        "version": agreement.version,
    }
    form = AgreementForm(request.POST or None, initial=initial)

    def done(_agreement: CollectiveAgreement) -> HttpResponse:
        messages.success(request, _("Your changes were saved."))
        return redirect("labour:agreements")

    return form_page(
        request,
        form,
        template="labour/agreement_form.html",
        save=lambda data: tables.agreement_update(
            actor=user, agreement=agreement, expected_version=data["version"], **form.service_data()
        ),
        done=done,
        context={
            "agreement": agreement,
            "can_manage": can_manage,
            "history": paginate(request, audit_events_for(agreement), per_page=20),
        },
    )


@login_required
@require_safe
def threshold_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return render(
        request,
        "labour/threshold_list.html",
        {
            "rows": [
                (t, kronor(t.amount_eur, unit="€"))
                for t in EUThreshold.objects.order_by("-valid_from", "buyer_category", "contract_kind")
            ],
            "can_manage": access.is_administrator(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def threshold_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    """Add a row (no key) or correct one; a row is the same row when its period starts on
    the same day for the same buyer category and contract kind."""
    user = _reader(request)
    row: EUThreshold | None = _by_uuid(EUThreshold, key) if key else None
    can_manage = access.is_administrator(user)
    if (request.method == "POST" or row is None) and not can_manage:
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if row is not None:
        initial = {f: getattr(row, f) for f in tables.THRESHOLD_FIELDS}
        initial["amount_eur"] = f"{row.amount_eur:.0f}"
        initial["amount_sek"] = f"{row.amount_sek:.0f}"
    form = ThresholdForm(request.POST or None, initial=initial)

    def done(saved: EUThreshold) -> HttpResponse:
        messages.success(request, _("The threshold was saved."))
        return redirect("labour:thresholds")

    return form_page(
        request,
        form,
        template="labour/threshold_form.html",
        save=lambda data: tables.threshold_set(actor=user, **data),
        done=done,
        context={
            "row": row,
            "eur": kronor(row.amount_eur, unit="€") if row else "",
            "can_manage": can_manage,
            "history": paginate(request, audit_events_for(row), per_page=20) if row else None,
        },
    )
