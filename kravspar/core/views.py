from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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
