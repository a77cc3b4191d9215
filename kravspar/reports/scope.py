"""Which organisations and which period a report covers, limited to what the person sees.

A scope is "everything I see", one organisation (a region counts with its companies and
foundations), or a purchasing unit such as the joint Inköp (its own organisation and every
organisation it serves). Whatever is chosen is intersected with
``access.visible_organisation_ids``: a Läsare of Västmanland never gets Sörmland's figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.core.ids import is_uuid
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind

ALL = ""


@dataclass(frozen=True)
class ReportScope:
    key: str  # "" (everything visible), "org:<uuid>" or "unit:<uuid>"
    label: str
    org_ids: frozenset[int] | None  # None: every organisation (administrators)
    date_from: datetime.date
    date_to: datetime.date
    today: datetime.date

    def query(self) -> dict[str, str]:
        """The scope as query parameters, for links to the records behind a figure."""
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.key:
            params["scope"] = self.key
        return params


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def scope_choices(user: access.AnyUser) -> list[tuple[str, str]]:
    """What the scope selector offers this person: all they see, each organisation they see,
    and each purchasing unit they see (e.g. the joint Inköp)."""
    choices = [(ALL, _("Everything I can see"))]
    orgs = access.organisations_visible_to(user).filter(is_active=True).select_related("parent")
    ordered = sorted(orgs, key=lambda o: ((o.parent.name if o.parent else o.name), o.parent_id is not None, o.name))
    for org in ordered:
        label = org.name if org.kind != OrganisationKind.REGION else _("%(name)s with companies") % {"name": org.name}
        choices.append((f"org:{org.uuid}", label))
    units = (
        access.units_visible_to(user).filter(kind=UnitKind.PURCHASING, is_active=True).select_related("organisation")
    )
    for unit in units.order_by("name"):
        choices.append((f"unit:{unit.uuid}", _("%(unit)s (everything it serves)") % {"unit": unit.name}))
    return choices


def _org_ids_for(user: access.AnyUser, key: str) -> tuple[frozenset[int] | None, str]:
    visible = access.visible_organisation_ids(user)
    if key == ALL:
        return visible, _("Everything I can see")
    kind, _sep, value = key.partition(":")
    if not is_uuid(value):
        raise Http404
    ids: set[int]
    if kind == "org":
        org: Organisation = access.organisation_for(user, value)
        ids = {org.pk}
        if org.kind == OrganisationKind.REGION:
            ids |= set(Organisation.objects.filter(parent=org).values_list("id", flat=True))
        label = org.name
    elif kind == "unit":
        unit: Unit = access.unit_for(user, value)
        roots = {unit.organisation_id, *unit.serves.values_list("id", flat=True)}
        ids = set(Organisation.objects.filter(Q(pk__in=roots) | Q(parent_id__in=roots)).values_list("id", flat=True))
        label = unit.name
    else:
        raise Http404
    if visible is not None:
        ids &= visible
    return frozenset(ids), label


def resolve(
    user: access.AnyUser,
    *,
    key: str = ALL,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    today: datetime.date,
) -> ReportScope:
    """The scope for ``key``; 404 for an organisation or unit the person does not see."""
    first, last = default_period(today)
    org_ids, label = _org_ids_for(user, key)
    return ReportScope(
        key=key,
        label=label,
        org_ids=org_ids,
        date_from=date_from or first,
        date_to=date_to or last,
        today=today,
    )


def as_params(scope: ReportScope, **extra: Any) -> dict[str, Any]:
    return scope.query() | {k: v for k, v in extra.items() if v not in (None, "")}
