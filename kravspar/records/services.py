"""Writes of the records app: the retention schedule and disposal under it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import Contract
from kravspar.core.errors import ConcurrentEditError, DomainError, NotAllowedError
from kravspar.organisations.models import Organisation
from kravspar.records import retention
from kravspar.records.models import PeriodUnit, RecordType, RetentionRule

RULE_FIELDS = ["organisation", "record_type", "anchor", "period", "unit", "decision"]
MAX_YEARS = 100


def can_manage_records(user: Any) -> bool:
    """The schedule, the register of processing and data subjects' requests are the
    administrators' (the registrar's and the DPO's work goes through them)."""
    return access.is_administrator(user)


def can_read_register(user: Any) -> bool:
    """The register of processing is read by administrators and the data protection officer."""
    return access.has_perm(user, Perm.VIEW_PROCESSING_REGISTER)


def _require(actor: User | None) -> None:
    if actor is not None and not can_manage_records(actor):
        raise NotAllowedError()


def _validate(*, record_type: str, anchor: str, period: int | None, unit: str, decision: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if record_type not in RecordType.values:
        errors["record_type"] = [_("Record type: choose one from the list.")]
    elif anchor not in retention.ANCHORS[record_type]:
        errors["anchor"] = [_("Counted from: this record type cannot be counted from that day.")]
    if unit not in PeriodUnit.values:
        errors["unit"] = [_("Unit: choose years or months.")]
    elif period is None or period < 1 or period > (MAX_YEARS if unit == PeriodUnit.YEARS else MAX_YEARS * 12):
        errors["period"] = [_("Period: give a whole number of at least 1 and at most 100 years.")]
    if not (decision or "").strip():
        errors["decision"] = [_("Decision: name the decision behind the rule, e.g. its diary number.")]
    return errors


@transaction.atomic
def retention_rule_create(
    *,
    actor: User | None,
    organisation: Organisation,
    record_type: str,
    anchor: str,
    period: int | None,
    unit: str,
    decision: str,
) -> RetentionRule:
    _require(actor)
    errors = _validate(record_type=record_type, anchor=anchor, period=period, unit=unit, decision=decision)
    if RetentionRule.objects.filter(organisation=organisation, record_type=record_type).exists():
        errors.setdefault("record_type", []).append(
            _("Record type: the organisation already has a rule for it; change that rule instead.")
        )
    if errors:
        raise ValidationError(errors)
    assert period is not None
    rule = RetentionRule.objects.create(
        organisation=organisation,
        record_type=record_type,
        anchor=anchor,
        period=period,
        unit=unit,
        decision=decision.strip(),
    )
    audit_record(
        actor=actor,
        action="retention_rule.created",
        obj=rule,
        organisation=organisation,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule


@transaction.atomic
def retention_rule_update(
    *,
    actor: User | None,
    rule: RetentionRule,
    expected_version: int | None,
    anchor: str,
    period: int | None,
    unit: str,
    decision: str,
) -> RetentionRule:
    _require(actor)
    locked = RetentionRule.objects.select_for_update().select_related("organisation").get(pk=rule.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    errors = _validate(record_type=locked.record_type, anchor=anchor, period=period, unit=unit, decision=decision)
    if errors:
        raise ValidationError(errors)
    assert period is not None
    before = snapshot(locked, RULE_FIELDS)
    locked.anchor, locked.period, locked.unit, locked.decision = anchor, period, unit, decision.strip()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="retention_rule.updated",
        obj=locked,
        organisation=locked.organisation,
        before=before,
        after=snapshot(locked, RULE_FIELDS),
    )
    return locked


@dataclass
class Disposal:
    record_type: str
    description: str
    contract_number: str
    due_on: datetime.date
    decision: str


def _organisation(contract: Contract) -> Organisation | None:
    org_id = retention.owning_organisation_id(contract)
    return next((b for b in contract.buyers.all() if b.pk == org_id), None)


def retention_apply(
    *, today: datetime.date | None = None, dry_run: bool = False, record_types: list[str] | None = None
) -> list[Disposal]:
    """Dispose of everything due (or, with ``dry_run``, only list it). Each item is disposed
    of in its own transaction with one history event saying what went under which decision;
    its files leave storage once that commits. A second run finds nothing more to do."""
    day = today or timezone.localdate()
    done: list[Disposal] = []
    for item in retention.due_items(today=day, record_types=record_types):
        disposal = Disposal(
            item.record_type, item.description, item.contract.contract_number, item.due_on, item.decision
        )
        if not dry_run:
            with transaction.atomic():
                details = item.dispose()
                audit_record(
                    actor=None,
                    action="records.disposed",
                    obj=item.contract,
                    organisation=_organisation(item.contract),
                    after={
                        "record_type": item.record_type,
                        "disposed": item.description,
                        "due": str(item.due_on),
                        "decision": item.decision,
                        **details,
                    },
                )
        done.append(disposal)
    return done


# --- Data subjects' requests ------------------------------------------------------------

# Rows that belong to the person's own account: removed with it, never a reason to keep it.
OWN_ACCOUNT = {
    "accounts.apitoken.user",
    "followups.calendarfeed.user",
    "otp_totp.totpdevice.user",
    "otp_static.staticdevice.user",
    # Security keys and single sign-on links (issue 13): log-in means of the account only.
    "django_otp_webauthn.webauthncredential.user",
    "django_otp_webauthn.webauthnuserhandle.user",
    "accounts.externalidentitylink.user",
}
# The invitation that made a supplier's contact: it stays, pointing at the erased account.
NOT_KEPT_FOR_THE_RECORD = OWN_ACCOUNT | {"portal.invitation.person"}
PERSON_FIELDS = ["first_name", "last_name", "email", "title", "hsa_id", "username"]


class ErasureRefused(DomainError):
    code = "erasure_refused"
    status = 409


def _key(f: Any) -> str:
    return f"{f.model._meta.label_lower}.{f.name}"


def erasure_blockers(person: User) -> list[tuple[str, str, int]]:
    """What still refers to the person: (record, field, how many). Every such row is a public
    record kept under the Archives Act, which GDPR art. 17.3 b puts before erasure; once it is
    disposed of under the schedule, it no longer stands in the way."""
    from kravspar.records.gdpr import person_references

    found = []
    for f in person_references():
        if _key(f) in NOT_KEPT_FOR_THE_RECORD:
            continue
        count = f.model._default_manager.filter(**{f.name: person}).count()
        if count:
            found.append((str(f.model._meta.verbose_name), str(f.verbose_name), count))
    return found


@transaction.atomic
def person_erase(*, actor: User | None, person: User) -> User:
    """Erase a person's data (GDPR art. 17) where no record needs it: the name becomes
    "gallrad", the account can never log in again, its tokens, devices and feeds go, and the
    history of the person's own account is redacted. Refused while the person is active or
    anything kept refers to them (``erasure_blockers``)."""
    from kravspar.audit.models import AuditEvent
    from kravspar.records.gdpr import person_references
    from kravspar.records.models import DISPOSED
    from kravspar.records.redaction import audit_redact

    _require(actor)
    locked = User.objects.select_for_update().get(pk=person.pk)
    if locked.is_active:
        raise ErasureRefused(_("Deactivate the person first; an active account cannot be erased."))
    blockers = erasure_blockers(locked)
    if blockers:
        listed = "; ".join(f"{model} ({field}): {count}" for model, field, count in blockers)
        raise ErasureRefused(
            _("Records that must be kept still refer to the person, so only correction is possible: %(list)s.")
            % {"list": listed}
        )
    for f in person_references():
        if _key(f) in OWN_ACCOUNT:
            f.model._default_manager.filter(**{f.name: locked}).delete()
    marker = f"{DISPOSED}-{locked.uuid.hex[:12]}"
    locked.first_name, locked.last_name, locked.title, locked.hsa_id = DISPOSED, "", "", ""
    locked.username, locked.email = marker, f"{marker}@{DISPOSED}.invalid"
    locked.set_unusable_password()
    locked.version += 1
    locked.save()
    audit_redact(events=AuditEvent.objects.filter(object_id=str(locked.uuid)), keys=PERSON_FIELDS, repr_too=True)
    audit_record(actor=actor, action="person.erased", obj=locked, organisation=locked.organisation)
    return locked
