"""``{% portal_supplier_panel supplier %}``: the portal's part of the buyer's supplier page —
contact people and invitations, the evidence library and its warnings, declarations waiting
for review."""

from __future__ import annotations

from typing import Any

from django import template

from kravspar.portal import access, selectors

register = template.Library()


@register.inclusion_tag("portal/_supplier_panel.html", takes_context=True)
def portal_supplier_panel(context: dict[str, Any], supplier: Any) -> dict[str, Any]:
    user = context["request"].user
    if access.is_supplier_contact(user):
        return {"show": False}
    documents = list(selectors.library_with_flags(access.supplier_library_for(user, supplier)))
    return {
        "show": True,
        "supplier": supplier,
        "can_invite": access.can_manage_invitations(user),
        "documents": documents,
        "warnings": [d for d in documents if d.warning],
        "pending_declarations": list(selectors.pending_declarations(user, supplier=supplier)[:20]),
    }
