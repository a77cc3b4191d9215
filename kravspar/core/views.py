from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.procurements import selectors as procurement_selectors


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: for a procurement officer, what waits for their action or approval."""
    user: User = request.user  # type: ignore[assignment]
    if user.supplier_id is not None:
        return redirect("portal:home")  # a supplier contact's start page is their own
    roles = access.roles_of(user)
    plans = access.has_perm(user, Perm.MANAGE_PROCUREMENTS)
    return render(
        request,
        "core/home.html",
        {
            "role_labels": [Role(r).label for r in sorted(roles)],
            "organisations": access.organisations_visible_to(user).filter(is_active=True)[:10],
            "planning": procurement_selectors.my_planning(user)[:10] if plans else [],
            "awaiting": procurement_selectors.strategies_awaiting_approval(user)[:10] if plans else [],
            "plans": plans,
        },
    )


# The accessibility statement (tillgänglighetsredogörelse) that lagen (2018:1937) om
# tillgänglighet till digital offentlig service, 12 §, requires, after DIGG's model. Update
# the date and the known shortcomings whenever the service is assessed again.
ACCESSIBILITY_ASSESSED_ON = datetime.date(2026, 12, 3)


def _accessibility_statement(request: HttpRequest, lang: str) -> HttpResponse:
    from kravspar.supplierinfo.models import RegionContact

    contacts = RegionContact.objects.select_related("organisation").order_by("organisation__name")
    with translation.override(lang):
        response = render(
            request,
            f"core/accessibility_{lang}.html",
            {"contacts": contacts, "assessed_on": ACCESSIBILITY_ASSESSED_ON, "page_lang": lang},
        )
    response["Content-Language"] = lang
    return response


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Tillgänglighetsredogörelse, in Swedish at a fixed address; public, no login."""
    return _accessibility_statement(request, "sv")


@require_GET
def accessibility_statement_en(request: HttpRequest) -> HttpResponse:
    """The accessibility statement in English, at its own fixed address."""
    return _accessibility_statement(request, "en")
