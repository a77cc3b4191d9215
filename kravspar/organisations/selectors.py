"""Named reads of organisations and units that several pages share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kravspar.organisations.models import Unit, UnitKind


def purchasing_name() -> str:
    """The purchasing function as suppliers should read it: the region's name with the
    unit's, "Region Sörmland/Inköp", never a bare "Inköp" that does not say whose. The
    oldest active purchasing unit is the one that runs the follow-up (the joint Inköp
    unit of the two regions); without one, the word alone."""
    unit = (
        Unit.objects.filter(kind=UnitKind.PURCHASING, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("id")
        .first()
    )
    if unit is None:
        return _("Inköp")
    return f"{unit.organisation.name}/{unit.name}"
