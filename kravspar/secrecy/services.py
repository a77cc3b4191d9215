"""Every change to secrecy marks, disclosure decisions and provisions (atomic, audited),
and the download log's one writer."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.audit.services import audit_record
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.secrecy import access
from kravspar.secrecy.models import (
    DiaryNumberRule,
    DisclosureDecision,
    DisclosureOutcome,
    DownloadKind,
    DownloadLog,
    DownloadReason,
    Provision,
    SecrecyMark,
)
from kravspar.secrecy.targets import target


class SecrecyStateError(DomainError):
    code = "invalid_transition"
    status = 409


def _organisation(contract: Any) -> Any:
    if contract is None:
        return None
    return contract.buyers.order_by("id").first()


@transaction.atomic
def mark_set(*, actor: User, kind: str, item: Any, provision: Provision | None, reason: str) -> SecrecyMark:
    """Mark an item as secret under ``provision``: a prior assessment, not the decision."""
    if not access.can_mark(actor):
        raise NotAllowedError
    errors: dict[str, list[str]] = {}
    if provision is None or not provision.active:
        errors["provision"] = [_("Provision: choose a provision from the list.")]
    if not reason.strip():
        errors["reason"] = [_("Reason: say why the item is marked.")]
    if errors:
        raise ValidationError(errors)
    assert provision is not None
    if access.active_marks(kind).filter(object_id=item.pk).exists():
        raise SecrecyStateError(_("The item is already secrecy-marked."))
    spec = target(kind)
    mark = SecrecyMark.objects.create(
        kind=kind,
        object_id=item.pk,
        title=str(spec.title(item))[:300],
        item_date=spec.date(item),
        contract=spec.contract(item),
        supplier=spec.supplier(item),
        provision=provision,
        reason=reason.strip(),
        marked_by=actor,
        marked_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="secrecy.marked",
        obj=mark,
        organisation=_organisation(mark.contract),
        after={"kind": kind, "provision": provision.code, "reason": mark.reason},
    )
    return mark


@transaction.atomic
def mark_remove(*, actor: User, mark: SecrecyMark, reason: str) -> SecrecyMark:
    if not access.can_mark(actor):
        raise NotAllowedError
    mark = SecrecyMark.objects.select_for_update(of=("self",)).select_related("provision", "contract").get(pk=mark.pk)
    if not mark.active:
        raise SecrecyStateError(_("The mark has already been removed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Reason: say why the mark is removed.")]})
    mark.removed_by = actor
    mark.removed_at = timezone.now()
    mark.removal_reason = reason.strip()
    mark.version += 1
    mark.save(update_fields=["removed_by", "removed_at", "removal_reason", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="secrecy.unmarked",
        obj=mark,
        organisation=_organisation(mark.contract),
        before={"provision": mark.provision.code},
        after={"provision": None, "reason": mark.removal_reason},
    )
    return mark


@transaction.atomic
def disclosure_record(
    *,
    actor: User,
    mark: SecrecyMark,
    requested_on: datetime.date | None,
    requester: str,
    outcome: str,
    masked: str,
    provision: Provision | None,
    reason: str,
    decided_on: datetime.date | None,
) -> DisclosureDecision:
    """The decision on a request for a marked public document (TF 2 kap.; OSL decides per
    request): disclosed, partly disclosed with what was masked, or refused under a provision."""
    if not access.can_mark(actor):
        raise NotAllowedError
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if outcome not in DisclosureOutcome.values:
        errors["outcome"] = [_("Decision: choose disclosed, partly disclosed or refused.")]
    if requested_on is None:
        errors["requested_on"] = [_("Request received: give the date.")]
    if decided_on is None:
        errors["decided_on"] = [_("Decided: give the date.")]
    elif decided_on > today:
        errors["decided_on"] = [_("Decided: the date cannot be in the future.")]
    elif requested_on is not None and decided_on < requested_on:
        errors["decided_on"] = [_("Decided: the decision cannot come before the request.")]
    if outcome == DisclosureOutcome.PARTLY and not masked.strip():
        errors["masked"] = [_("What was masked: say what was withheld.")]
    if outcome in (DisclosureOutcome.PARTLY, DisclosureOutcome.REFUSED) and provision is None:
        errors["provision"] = [_("Provision: a refusal or masking must cite the provision.")]
    if errors:
        raise ValidationError(errors)
    assert requested_on is not None and decided_on is not None
    decision = DisclosureDecision.objects.create(
        mark=mark,
        requested_on=requested_on,
        requester=requester.strip(),
        outcome=outcome,
        masked=masked.strip() if outcome == DisclosureOutcome.PARTLY else "",
        provision=provision if outcome != DisclosureOutcome.DISCLOSED else None,
        reason=reason.strip(),
        decided_on=decided_on,
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action="secrecy.disclosure_decided",
        obj=decision,
        organisation=_organisation(mark.contract),
        after={
            "outcome": outcome,
            "masked": decision.masked,
            "provision": decision.provision.code if decision.provision else None,
            "decided_on": decided_on.isoformat() if decided_on else None,
        },
    )
    return decision


PROVISION_FIELDS = [
    "code",
    "title",
    "description",
    "officers_on_contract",
    "concerned_supplier",
    "roles",
    "personal_data",
    "active",
]
_CODE = re.compile(r"^OSL \d+ kap\. \d+[a-z]? §$")


@transaction.atomic
def provision_save(*, actor: User, provision: Provision | None = None, **fields: Any) -> Provision:
    """Create or change an OSL provision (administrators)."""
    if not access.can_maintain_provisions(actor):
        raise NotAllowedError
    errors: dict[str, list[str]] = {}
    code = str(fields.get("code", "")).strip()
    if not _CODE.match(code):
        errors["code"] = [_("Provision: write it as “OSL 31 kap. 16 §”.")]
    elif Provision.objects.filter(code=code).exclude(pk=provision.pk if provision else 0).exists():
        errors["code"] = [_("Provision: this provision is already in the list.")]
    if not str(fields.get("title", "")).strip():
        errors["title"] = [_("Title: say what the provision protects.")]
    roles = list(fields.get("roles") or [])
    if set(roles) - (set(Role.values) - {Role.SUPPLIER_CONTACT}):
        errors["roles"] = [_("Roles: choose buyer roles from the list.")]
    if errors:
        raise ValidationError(errors)
    before = None
    if provision is None:
        provision = Provision()
    else:
        provision = Provision.objects.select_for_update().get(pk=provision.pk)
        before = {f: getattr(provision, f) for f in PROVISION_FIELDS}
        provision.version += 1
    for name in PROVISION_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(provision, name, value.strip() if isinstance(value, str) else value)
    provision.code = code
    provision.roles = roles
    provision.save()
    audit_record(
        actor=actor,
        action="secrecy.provision_saved",
        obj=provision,
        before=before,
        after={f: getattr(provision, f) for f in PROVISION_FIELDS},
    )
    return provision


def download_logged(
    *, user: Any, kind: str, item: Any, file_name: str, contract: Any = None, personal_data: bool = False
) -> DownloadLog | None:
    """Log a download of ``item`` if it is marked or holds personal data; call it from the
    download view after the access check and before sending the file. Outside the
    history: a download changes nothing."""
    kinds: dict[str, str] = {DownloadKind.EVIDENCE: "evidence", DownloadKind.SUPPLIER_DOCUMENT: "supplier_document"}
    mark_kind = kinds.get(kind)
    mark = access.mark_of(mark_kind, item) if mark_kind else None
    if mark is None and kind == DownloadKind.ANSWER_FILE:
        mark = access.mark_of("answers", item.request)
    if mark is None and not personal_data:
        return None
    if not isinstance(user, User):
        return None
    return DownloadLog.objects.create(
        user=user,
        kind=kind,
        reason=DownloadReason.MARKED if mark is not None else DownloadReason.PERSONAL_DATA,
        object_uuid=item.uuid,
        file_name=file_name[:255],
        contract=contract,
        mark=mark,
    )


def require_visible(user: Any, kind: str, item: Any) -> None:
    """404 for a marked item the person may not see (as if it did not exist)."""
    from django.http import Http404

    mark = access.mark_of(kind, item)
    if mark is not None and not access.may_see(user, mark):
        raise Http404


@transaction.atomic
def diary_rule_set(*, actor: User, organisation: Any, pattern: str, example: str) -> DiaryNumberRule | None:
    """Set, change or (with an empty pattern and example) remove an organisation's diary
    number rule (administrators)."""
    from kravspar.accounts import access as accounts_access
    from kravspar.secrecy.diary import pattern_error

    if not accounts_access.is_administrator(actor):
        raise NotAllowedError
    pattern, example = pattern.strip(), example.strip()
    rule = DiaryNumberRule.objects.select_for_update().filter(organisation=organisation).first()
    before = {"pattern": rule.pattern, "example": rule.example} if rule else {"pattern": "", "example": ""}
    if not pattern and not example:
        if rule is not None:
            audit_record(
                actor=actor,
                action="secrecy.diary_rule_set",
                obj=rule,
                organisation=organisation,
                before=before,
                after={"pattern": "", "example": ""},
            )
            rule.delete()
        return None
    if errors := pattern_error(pattern, example):
        raise ValidationError(errors)
    if rule is None:
        rule = DiaryNumberRule(organisation=organisation)
    else:
        rule.version += 1
    rule.pattern, rule.example = pattern, example
    rule.save()
    audit_record(
        actor=actor,
        action="secrecy.diary_rule_set",
        obj=rule,
        organisation=organisation,
        before=before,
        after={"pattern": pattern, "example": example},
    )
    return rule
