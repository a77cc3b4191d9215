"""Category tables, maintained by the library keepers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.cpv.models import CpvCode
from kravspar.procurements.models import CategoryRule, CategoryRuleKind
from kravspar.procurements.services.common import _require

if TYPE_CHECKING:
    from kravspar.accounts.models import User


CATEGORY_RULE_FIELDS = ["kind", "cpv_prefix", "label", "source", "is_active"]
_CPV_PREFIX = re.compile(r"[0-9]{2,8}")


def _max_length(field: str) -> int:
    return int(getattr(CategoryRule._meta.get_field(field), "max_length", 0) or 0)


def _clean_category_rule(rule: CategoryRule) -> None:
    """Every row must say where it comes from and name a real part of the vocabulary;
    one table holds a prefix once among its active rows, so a suggestion has one source."""
    errors: dict[str, list[str]] = {}
    rule.cpv_prefix = str(rule.cpv_prefix or "").strip()
    rule.label = str(rule.label or "").strip()
    rule.source = str(rule.source or "").strip()
    if rule.kind not in CategoryRuleKind.values:
        errors["kind"] = [_("Kind: choose one of the category tables.")]
    if not _CPV_PREFIX.fullmatch(rule.cpv_prefix):
        errors["cpv_prefix"] = [_("CPV prefix: write 2 to 8 digits, e.g. 15 for all food or 9091 for cleaning.")]
    elif not CpvCode.objects.filter(code__startswith=rule.cpv_prefix).exists():
        errors["cpv_prefix"] = [_("CPV prefix: no CPV code starts with %(prefix)s.") % {"prefix": rule.cpv_prefix}]
    if not rule.label:
        errors["label"] = [_("Category: name the category, e.g. Städ.")]
    elif len(rule.label) > _max_length("label"):
        errors["label"] = [_("Category: write at most %(limit)d characters.") % {"limit": _max_length("label")}]
    if not rule.source:
        errors["source"] = [_("Source: say where the rule comes from.")]
    elif len(rule.source) > _max_length("source"):
        errors["source"] = [_("Source: write at most %(limit)d characters.") % {"limit": _max_length("source")}]
    if rule.is_active and not errors:
        duplicate = CategoryRule.objects.filter(kind=rule.kind, cpv_prefix=rule.cpv_prefix, is_active=True)
        if rule.pk is not None:
            duplicate = duplicate.exclude(pk=rule.pk)
        if duplicate.exists():
            errors["cpv_prefix"] = [
                _("CPV prefix: the table already has an active rule for %(prefix)s.") % {"prefix": rule.cpv_prefix}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_rule_create(*, actor: User | None, kind: str, cpv_prefix: str, label: str, source: str) -> CategoryRule:
    _require(actor, Perm.MANAGE_LIBRARY)
    rule = CategoryRule(kind=kind, cpv_prefix=cpv_prefix, label=label, source=source, is_active=True)
    _clean_category_rule(rule)
    rule.save()
    audit_record(actor=actor, action="category_rule.created", obj=rule, after=snapshot(rule, CATEGORY_RULE_FIELDS))
    return rule


@transaction.atomic
def category_rule_update(
    *, actor: User | None, rule: CategoryRule, expected_version: int | None, **changes: Any
) -> CategoryRule:
    """Change a rule. A rule that no longer applies is deactivated, not deleted, so that
    the history says which suggestions it gave and on what source."""
    _require(actor, Perm.MANAGE_LIBRARY)
    locked = core_services.lock(CategoryRule.objects.all(), rule.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=CATEGORY_RULE_FIELDS,
        changes=changes,
        clean=_clean_category_rule,
        action="category_rule.updated",
    )
    return locked
