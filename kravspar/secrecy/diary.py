"""Diary numbers (diarienummer): checked against the form each organisation registers its
cases in. A joint procurement or contract is registered in one of its buyers' diaries, so a
number passes when it has the form of any buyer's rule (a company without a rule of its own
uses its region's); buyers without any rule accept every number."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from kravspar.organisations.models import Organisation
from kravspar.secrecy.models import DiaryNumberRule

MAX_LENGTH = 60


def rules_for(organisations: Iterable[Organisation]) -> list[DiaryNumberRule] | None:
    """The buyers' rules, or None when a buyer has none (then every number is accepted)."""
    orgs = list(organisations)
    ids = {o.pk for o in orgs} | {o.parent_id for o in orgs if o.parent_id}
    by_org = {
        r.organisation_id: r
        for r in DiaryNumberRule.objects.filter(organisation_id__in=ids).select_related("organisation")
    }
    rules: list[DiaryNumberRule] = []
    for org in orgs:
        rule = by_org.get(org.pk) or (by_org.get(org.parent_id) if org.parent_id else None)
        if rule is None:
            return None
        if rule not in rules:
            rules.append(rule)
    return rules


def diary_number_error(number: str, organisations: Iterable[Organisation], *, label: str | None = None) -> str | None:
    """None if the number is acceptable, else the Swedish message naming the expected form."""
    label = label or _("Diary number")
    if not number:
        return None
    if len(number) > MAX_LENGTH:
        return _("%(label)s: at most %(max)d characters.") % {"label": label, "max": MAX_LENGTH}
    rules = rules_for(organisations)
    if not rules or any(re.fullmatch(rule.pattern, number) for rule in rules):
        return None
    examples = ", ".join(f"{rule.example} ({rule.organisation.name})" for rule in rules)
    return _("%(label)s: write it in the form of the case management system, e.g. %(examples)s.") % {
        "label": label,
        "examples": examples,
    }


def pattern_error(pattern: str, example: str) -> dict[str, list[str]]:
    """Errors of a rule: the pattern must compile and the example must match it."""
    errors: dict[str, list[str]] = {}
    try:
        compiled = re.compile(pattern)
    except re.error:
        errors["pattern"] = [_("Pattern: not a valid regular expression.")]
        return errors
    if not pattern.strip():
        errors["pattern"] = [_("Pattern: write the regular expression, e.g. RS-\\d{4}-\\d{4}.")]
    if not example.strip():
        errors["example"] = [_("Example: write a diary number of the right form.")]
    elif not compiled.fullmatch(example.strip()):
        errors["example"] = [_("Example: does not match the pattern.")]
    return errors
