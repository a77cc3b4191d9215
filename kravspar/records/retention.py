"""What each record type of the retention schedule is, when an item of it is due, and how it
is disposed of. The schedule (``RetentionRule``) says how long; this module says what.

A contract's records are counted from the day it ends (the day a terminated contract ended,
otherwise the end with the extensions used) and follow the rule of its first buyer, the
organisation that registered it. A labour-conditions follow-up's records are counted from
the day it closed. Files attached to questionnaire answers belong to their request's contract.
A supplier's library document belongs to no contract: it is counted from the end of the
supplier's last contract and kept as long as the longest rule of those contracts' owners
says (when one of them has no rule, it is kept).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.contracts.selectors import effective_end
from kravspar.core.dates import add_months
from kravspar.followups.models import Evidence
from kravspar.labour.models import FollowUpStatus, LabourFollowUp, ProofDocument, UnionConsultation
from kravspar.portal.models import SupplierDocument
from kravspar.questionnaires.models import AnswerFile, Response, Submission
from kravspar.records.models import DISPOSED, Anchor, PeriodUnit, RecordType, RetentionRule
from kravspar.records.redaction import audit_redact

# Which anchors a rule may count from, per record type.
ANCHORS: dict[str, tuple[str, ...]] = {
    RecordType.EVIDENCE: (Anchor.CONTRACT_END,),
    RecordType.LABOUR_DOCUMENT: (Anchor.FOLLOWUP_CLOSED, Anchor.CONTRACT_END),
    RecordType.UNION_CONTACT: (Anchor.FOLLOWUP_CLOSED, Anchor.CONTRACT_END),
    RecordType.ANSWER_FILE: (Anchor.CONTRACT_END,),
    RecordType.SUPPLIER_DOCUMENT: (Anchor.CONTRACT_END,),
}

# The fields each record type's disposal removes: the register of processing shows them.
DISPOSED_FIELDS: dict[str, tuple[str, ...]] = {
    RecordType.EVIDENCE: ("file", "original_name"),
    RecordType.LABOUR_DOCUMENT: ("file", "original_name"),
    RecordType.UNION_CONTACT: ("contact",),
    RecordType.ANSWER_FILE: ("file", "original_name"),
    RecordType.SUPPLIER_DOCUMENT: ("file", "original_name"),
}

# Without a rule, step-2 documents keep the deletion day set when their follow-up closed
# (KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS), the labour app's rule before the schedule.
SETTING_DECISION = "KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS"


def contract_end(contract: Contract) -> datetime.date:
    if contract.status == ContractStatus.TERMINATED and contract.ended_on:
        return contract.ended_on
    return effective_end(contract)


def rule_end(rule: RetentionRule, start: datetime.date) -> datetime.date:
    months = rule.period * 12 if rule.unit == PeriodUnit.YEARS else rule.period
    return add_months(start, months)


def owning_organisation_id(contract: Contract) -> int | None:
    ids = [b.pk for b in contract.buyers.all()]
    return min(ids) if ids else None


@dataclass
class DueItem:
    """One record whose disposal day has come."""

    record_type: str
    obj: models.Model
    contract: Contract
    due_on: datetime.date
    decision: str
    rule: RetentionRule | None
    description: str
    dispose: Callable[[], dict[str, Any]] = field(repr=False)


def _rules() -> dict[tuple[int, str], RetentionRule]:
    return {(r.organisation_id, r.record_type): r for r in RetentionRule.objects.all()}


def _contracts(qs: models.QuerySet[Contract]) -> models.QuerySet[Contract]:
    return qs.distinct().prefetch_related("buyers", "extensions")


def _start(rule: RetentionRule, contract: Contract, closed_on: datetime.date | None) -> datetime.date | None:
    if rule.anchor == Anchor.CONTRACT_END:
        return contract_end(contract)
    return closed_on


def _delete_file(file: Any) -> None:
    name, storage = file.name, file.storage
    if name and name != DISPOSED:
        transaction.on_commit(functools.partial(storage.delete, name))


# --- Step-2 labour documents ------------------------------------------------------------


def _dispose_labour_document(document: ProofDocument) -> dict[str, Any]:
    _delete_file(document.file)
    # The row is the document and nothing points at it: it goes with the file, as it always did.
    ProofDocument.objects.filter(pk=document.pk).delete()
    return {"kind": document.kind, "request": str(document.request.uuid), "sha256": document.sha256}


def _due_labour_documents(rules: dict[tuple[int, str], RetentionRule], today: datetime.date) -> Iterator[DueItem]:
    followups = (
        LabourFollowUp.objects.filter(status=FollowUpStatus.CLOSED, document_requests__documents__isnull=False)
        .distinct()
        .select_related("contract")
        .prefetch_related("contract__buyers", "contract__extensions")
        .order_by("id")
    )
    for followup in followups:
        contract = followup.contract
        rule = rules.get((owning_organisation_id(contract) or 0, RecordType.LABOUR_DOCUMENT))
        documents = ProofDocument.objects.filter(request__followup=followup).select_related("request").order_by("id")
        for document in documents:
            if rule is not None:
                start = _start(rule, contract, followup.closed_on)
                due = rule_end(rule, start) if start else None
                decision = rule.decision
            else:
                due, decision = document.delete_after, SETTING_DECISION
            if due is None or due > today:
                continue
            yield DueItem(
                RecordType.LABOUR_DOCUMENT,
                document,
                contract,
                due,
                decision,
                rule,
                f"{document.get_kind_display()} {document.uuid}",
                functools.partial(_dispose_labour_document, document),
            )


# --- Union contacts ---------------------------------------------------------------------


def _dispose_union_contact(consultation: UnionConsultation) -> dict[str, Any]:
    UnionConsultation.objects.filter(pk=consultation.pk).update(contact=DISPOSED)
    return {"union": consultation.union, "held_on": str(consultation.held_on)}


def _due_union_contacts(rules: dict[tuple[int, str], RetentionRule], today: datetime.date) -> Iterator[DueItem]:
    consultations = (
        UnionConsultation.objects.exclude(contact=DISPOSED)
        .select_related("followup__contract")
        .prefetch_related("followup__contract__buyers", "followup__contract__extensions")
        .order_by("id")
    )
    for consultation in consultations:
        followup = consultation.followup
        contract = followup.contract
        rule = rules.get((owning_organisation_id(contract) or 0, RecordType.UNION_CONTACT))
        if rule is None or (rule.anchor == Anchor.FOLLOWUP_CLOSED and followup.status != FollowUpStatus.CLOSED):
            continue
        start = _start(rule, contract, followup.closed_on)
        if start is None or rule_end(rule, start) > today:
            continue
        yield DueItem(
            RecordType.UNION_CONTACT,
            consultation,
            contract,
            rule_end(rule, start),
            rule.decision,
            rule,
            f"{consultation._meta.verbose_name} {consultation.uuid}",
            functools.partial(_dispose_union_contact, consultation),
        )


# --- Uploaded files: evidence, answer files and the supplier library ----------------------


@dataclass(frozen=True)
class FileRecord:
    """A record type whose items are uploaded files, disposed of by emptying the file and its
    name. Its items are grouped by what their disposal day is counted for (``group``, the
    path from the file: its contract, or its supplier, whose contracts ``contracts`` reaches
    from the contract's side); a group is due on the latest day its contracts' owners' rules
    give, and not at all while one of those owners has no rule."""

    record_type: str
    model: type[Any]
    group: str
    contracts: str
    holder: str  # what holds the file and has the history that names it ("" for the file itself)
    history_type: str  # that history's object type
    summary: Callable[[Any], dict[str, Any]]  # what the disposal's history event keeps
    also: Callable[[Any], None] | None = None  # other places that name the file


def _path(obj: Any, path: str) -> Any:
    return functools.reduce(getattr, path.split("__"), obj) if path else obj


def _without_name(answers: Any, key: str) -> tuple[Any, bool]:
    """The answers with the file ``key``'s name replaced by "gallrad"."""
    if not isinstance(answers, dict):
        return answers, False
    changed = False
    out = dict(answers)
    for question, value in answers.items():
        if isinstance(value, dict) and value.get("file") == key and value.get("name") != DISPOSED:
            out[question] = value | {"name": DISPOSED}
            changed = True
    return out, changed


def _forget_answered_name(answer_file: AnswerFile) -> None:
    """The working answers and every submitted version name the file too."""
    key = str(answer_file.uuid)
    for model in (Response, Submission):
        for pk, answers in model.objects.filter(request_id=answer_file.request_id).values_list("pk", "answers"):
            new, changed = _without_name(answers, key)
            if changed:
                model.objects.filter(pk=pk).update(answers=new)


FILE_RECORDS = (
    FileRecord(
        RecordType.EVIDENCE,
        Evidence,
        group="activity__contract_id",
        contracts="pk",
        # The history of the follow-up named the file when it was added or removed.
        holder="activity",
        history_type="followups.activity",
        summary=lambda evidence: {"sha256": evidence.sha256, "size": evidence.size},
    ),
    FileRecord(
        RecordType.ANSWER_FILE,
        AnswerFile,
        group="request__contract_id",
        contracts="pk",
        holder="request",
        history_type="questionnaires.supplierrequest",
        summary=lambda answer_file: {"sha256": answer_file.sha256, "size": answer_file.size},
        also=_forget_answered_name,
    ),
    FileRecord(
        RecordType.SUPPLIER_DOCUMENT,
        SupplierDocument,
        group="supplier_id",
        contracts="suppliers",
        holder="",
        history_type="portal.supplierdocument",
        summary=lambda document: {"title": document.title, "sha256": document.sha256},
    ),
)


def _dispose_file(kind: FileRecord, item: Any) -> dict[str, Any]:
    name = item.original_name
    _delete_file(item.file)
    kind.model.objects.filter(pk=item.pk).update(file=DISPOSED, original_name=DISPOSED)
    if kind.also is not None:
        kind.also(item)
    owner = _path(item, kind.holder)
    events = AuditEvent.objects.filter(object_type=kind.history_type, object_id=str(owner.uuid))
    redacted = audit_redact(events=events, keys=["file"], value=name)
    return kind.summary(item) | {"history_redacted": redacted}


def _group_due(
    rules: dict[tuple[int, str], RetentionRule], record_type: str, contracts: list[Contract]
) -> tuple[Contract, datetime.date, RetentionRule] | None:
    """The day a group's files are due: the latest of its contracts' owners' rules, counted
    from each contract's end; None when a contract's owner has no rule."""
    latest: tuple[Contract, datetime.date, RetentionRule] | None = None
    for contract in contracts:
        rule = rules.get((owning_organisation_id(contract) or 0, record_type))
        if rule is None:
            return None
        day = rule_end(rule, contract_end(contract))
        if latest is None or day > latest[1]:
            latest = (contract, day, rule)
    return latest


def _due_files(
    kind: FileRecord, rules: dict[tuple[int, str], RetentionRule], today: datetime.date
) -> Iterator[DueItem]:
    if not any(record_type == kind.record_type for _org, record_type in rules):
        return
    kept = kind.model.objects.exclude(original_name=DISPOSED)
    groups = kept.values(kind.group)
    counted = Contract.objects.filter(**{f"{kind.contracts}__in": groups})
    members: dict[int, list[int]] = {}
    for group, contract_id in counted.values_list(kind.contracts, "pk").distinct().order_by("pk"):
        members.setdefault(group, []).append(contract_id)
    contracts = {c.pk: c for c in _contracts(counted)}
    due: dict[int, tuple[Contract, datetime.date, RetentionRule]] = {}
    for group in sorted(members):
        found = _group_due(rules, kind.record_type, [contracts[pk] for pk in members[group]])
        if found is not None and found[1] <= today:
            due[group] = found
    ids = list(due)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):  # SQLite's limit on parameters
        items = kept.filter(**{f"{kind.group}__in": chunk}).order_by(kind.group, "id")
        if kind.holder:
            items = items.select_related(kind.holder)
        for item in items:
            contract, day, rule = due[_path(item, kind.group)]
            yield DueItem(
                kind.record_type,
                item,
                contract,
                day,
                rule.decision,
                rule,
                f"{item._meta.verbose_name} {item.uuid}",
                functools.partial(_dispose_file, kind, item),
            )


_FILES = {kind.record_type: kind for kind in FILE_RECORDS}
FINDERS: dict[str, Callable[[dict[tuple[int, str], RetentionRule], datetime.date], Iterator[DueItem]]] = {
    RecordType.EVIDENCE: functools.partial(_due_files, _FILES[RecordType.EVIDENCE]),
    RecordType.LABOUR_DOCUMENT: _due_labour_documents,
    RecordType.UNION_CONTACT: _due_union_contacts,
    RecordType.ANSWER_FILE: functools.partial(_due_files, _FILES[RecordType.ANSWER_FILE]),
    RecordType.SUPPLIER_DOCUMENT: functools.partial(_due_files, _FILES[RecordType.SUPPLIER_DOCUMENT]),
}


def due_items(*, today: datetime.date, record_types: list[str] | None = None) -> list[DueItem]:
    """Everything whose disposal day is ``today`` or earlier, per record type in schedule order."""
    rules = _rules()
    items: list[DueItem] = []
    for record_type, finder in FINDERS.items():
        if record_types is None or record_type in record_types:
            items.extend(finder(rules, today))
    return items
