"""The two tables administrators maintain for labour-law conditions, one service per change
(atomic, audited): the EU thresholds per period, buyer category and contract kind, and the
central collective agreements the conditions name.

Amounts arrive as text from pages and commands ("2 447 280") and are read with
``core.numbers.parse_decimal``, like every other amount from outside."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import NotAllowedError
from kravspar.core.numbers import NumberRefused, parse_decimal
from kravspar.labour import policy
from kravspar.labour.models import BuyerCategory, CollectiveAgreement, EUThreshold

THRESHOLD_FIELDS = ["valid_from", "valid_to", "buyer_category", "contract_kind", "amount_eur", "amount_sek", "source"]
AGREEMENT_FIELDS = ["name", "parties", "sector", "valid_from", "valid_to", "cpv_prefixes", "source", "is_active"]
_CPV_PREFIX = re.compile(r"\d{2,8}")


def _require_administrator(actor: User | None) -> None:
    # Commands pass actor=None; on pages and in the API only administrators keep the tables.
    if actor is not None and not accounts_access.is_administrator(actor):
        raise NotAllowedError(_("Only administrators maintain the threshold table and the agreements."))


def _amount(value: Any, field: str, label: str, errors: dict[str, list[str]]) -> Any:
    try:
        amount = parse_decimal(value, places=0, digits=12, negative=False, round_places=True)
    except NumberRefused:
        errors[field] = [_("%(label)s: write a whole amount, e.g. 2 447 280.") % {"label": label}]
        return None
    if amount <= 0:
        errors[field] = [_("%(label)s: write an amount above zero.") % {"label": label}]
        return None
    return amount


@transaction.atomic
def threshold_set(
    *,
    actor: User | None,
    valid_from: datetime.date,
    valid_to: datetime.date,
    buyer_category: str,
    contract_kind: str,
    amount_eur: Any,
    amount_sek: Any,
    source: str,
) -> EUThreshold:
    """Add or correct one row of the threshold table (e.g. the kronor values of a new period
    once the Commission has published them). A row is found by its period's first day,
    buyer category and contract kind."""
    _require_administrator(actor)
    errors: dict[str, list[str]] = {}
    if valid_from is None:
        errors["valid_from"] = [_("Valid from: give the first day of the period.")]
    if valid_to is None:
        errors["valid_to"] = [_("Valid to: give the last day of the period.")]
    elif valid_from is not None and valid_to < valid_from:
        errors["valid_to"] = [_("Valid to: the period cannot end before it starts.")]
    if buyer_category not in BuyerCategory.values:
        errors["buyer_category"] = [_("Buyer category: choose central or sub-central.")]
    if contract_kind not in policy.ContractKind.values:
        errors["contract_kind"] = [_("Contract kind: choose works, services, supplies or social services.")]
    eur = _amount(amount_eur, "amount_eur", _("Threshold (EUR)"), errors)
    sek = _amount(amount_sek, "amount_sek", _("Threshold (SEK)"), errors)
    source = (source or "").strip()
    if not source:
        errors["source"] = [_("Source: name where the value comes from.")]
    elif len(source) > 300:
        errors["source"] = [_("Source: write at most %(limit)d characters.") % {"limit": 300}]
    if errors:
        raise ValidationError(errors)
    row = (
        EUThreshold.objects.select_for_update()
        .filter(valid_from=valid_from, buyer_category=buyer_category, contract_kind=contract_kind)
        .first()
    )
    before = snapshot(row, THRESHOLD_FIELDS) if row else None
    if row is None:
        row = EUThreshold(valid_from=valid_from, buyer_category=buyer_category, contract_kind=contract_kind)
    else:
        row.version += 1
    row.valid_to = valid_to
    row.amount_eur = eur
    row.amount_sek = sek
    row.source = source
    row.save()
    audit_record(
        actor=actor, action="labour.threshold_set", obj=row, before=before, after=snapshot(row, THRESHOLD_FIELDS)
    )
    return row


def _clean_agreement(agreement: CollectiveAgreement) -> None:
    errors: dict[str, list[str]] = {}
    for field, label, limit in (
        ("name", _("Agreement"), 200),
        ("parties", _("Parties"), 300),
        ("sector", _("Sector"), 100),
    ):
        value = str(getattr(agreement, field) or "").strip()
        setattr(agreement, field, value)
        if not value:
            errors[field] = [_("%(label)s: this cannot be empty.") % {"label": label}]
        elif len(value) > limit:
            errors[field] = [_("%(label)s: write at most %(limit)d characters.") % {"label": label, "limit": limit}]
    agreement.source = str(agreement.source or "").strip()[:300]
    if agreement.valid_from is None:
        errors["valid_from"] = [_("Valid from: give the day the agreement period starts.")]
    elif agreement.valid_to is not None and agreement.valid_to < agreement.valid_from:
        errors["valid_to"] = [_("Valid to: the period cannot end before it starts.")]
    prefixes = [str(p).strip() for p in agreement.cpv_prefixes or [] if str(p).strip()]
    if any(not _CPV_PREFIX.fullmatch(p) for p in prefixes):
        errors["cpv_prefixes"] = [_("CPV prefixes: write 2 to 8 digits each, e.g. 9091 for cleaning.")]
    agreement.cpv_prefixes = list(dict.fromkeys(prefixes))
    if "name" not in errors and agreement.valid_from is not None:
        same = CollectiveAgreement.objects.filter(name=agreement.name, valid_from=agreement.valid_from)
        if agreement.pk is not None:
            same = same.exclude(pk=agreement.pk)
        if same.exists():
            errors["name"] = [_("Agreement: the list already has this agreement for a period starting that day.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    name: str,
    parties: str,
    sector: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None = None,
    cpv_prefixes: list[str] | None = None,
    source: str = "",
) -> CollectiveAgreement:
    """Add a central collective agreement to the maintained list (e.g. a new agreement
    period after a bargaining round: the old period stays, deactivated, for the history)."""
    _require_administrator(actor)
    agreement = CollectiveAgreement(
        name=name,
        parties=parties,
        sector=sector,
        valid_from=valid_from,  # type: ignore[misc]  # None is refused by _clean_agreement
        valid_to=valid_to,
        cpv_prefixes=cpv_prefixes or [],
        source=source,
        is_active=True,
    )
    _clean_agreement(agreement)
    agreement.save()
    audit_record(
        actor=actor, action="labour.agreement_created", obj=agreement, after=snapshot(agreement, AGREEMENT_FIELDS)
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor: User | None, agreement: CollectiveAgreement, expected_version: int | None, **changes: Any
) -> CollectiveAgreement:
    """Change an agreement. Agreements are never deleted (assessments and follow-ups name
    them): one that no longer applies is deactivated and is no longer offered."""
    _require_administrator(actor)
    locked = core_services.lock(CollectiveAgreement.objects.all(), agreement.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=AGREEMENT_FIELDS,
        changes=changes,
        clean=_clean_agreement,
        action="labour.agreement_updated",
    )
    return locked
