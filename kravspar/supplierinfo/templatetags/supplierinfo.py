"""``{% unacknowledged_versions as pending %}`` for ``supplierinfo/_acknowledge_panel.html``,
so a page can include the panel without preparing anything in its view."""

from __future__ import annotations

from typing import Any

from django import template

from kravspar.supplierinfo.models import PolicyDocumentVersion
from kravspar.supplierinfo.selectors import unacknowledged_versions_for

register = template.Library()


@register.simple_tag(takes_context=True)
def unacknowledged_versions(context: dict[str, Any]) -> list[PolicyDocumentVersion]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return list(unacknowledged_versions_for(user))
