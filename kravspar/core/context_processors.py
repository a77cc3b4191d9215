from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kravspar.accounts import access
from kravspar.accounts.roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the main navigation may show this person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    from kravspar.organisations.selectors import purchasing_name

    return {
        # "Region Sörmland/Inköp": read (one query) only by the pages that name it.
        "purchasing_name": SimpleLazyObject(purchasing_name),
        "nav": {
            "organisations": access.has_perm(user, Perm.VIEW_ORGANISATIONS),
            "people": access.has_perm(user, Perm.VIEW_PEOPLE),
            "history": access.has_perm(user, Perm.VIEW_AUDIT_LOG),
            "api": access.has_perm(user, Perm.USE_API),
            "procurements": access.has_perm(user, Perm.VIEW_PROCUREMENTS),
            "library": access.has_perm(user, Perm.MANAGE_LIBRARY),
            "contracts": access.has_perm(user, Perm.VIEW_CONTRACTS),
            "findings": access.has_perm(user, Perm.VIEW_CONTRACTS),
            "followups": access.has_perm(user, Perm.VIEW_CONTRACTS),
            "requests": access.has_perm(user, Perm.VIEW_CONTRACTS) or getattr(user, "supplier_id", None) is not None,
            "economy": access.has_perm(user, Perm.VIEW_CONTRACTS),
            "reports": access.has_perm(user, Perm.VIEW_CONTRACTS) or access.has_perm(user, Perm.VIEW_PROCUREMENTS),
            "supplier_documents": access.is_administrator(user) or access.has_perm(user, Perm.MANAGE_CONTRACTS),
            "portal": getattr(user, "supplier_id", None) is not None,
            "secrecy": access.has_perm(user, Perm.MANAGE_CONTRACTS),
            "downloads": access.has_perm(user, Perm.VIEW_DOWNLOAD_LOG),
            "register": access.has_perm(user, Perm.VIEW_PROCESSING_REGISTER),
            # Whoever can start a background job (an export, a report, an upload, the OCDS file).
            "jobs": access.has_perm(user, Perm.VIEW_CONTRACTS)
            or access.has_perm(user, Perm.VIEW_PROCUREMENTS)
            or access.is_administrator(user),
        },
    }
