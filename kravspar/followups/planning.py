"""The follow-up plan: a contract's requirement snapshot turned into dated activities.

One activity per (requirement, occurrence), not one per method. The unique key of
``Activity`` is (requirement, occurrence), so re-planning stays idempotent even when the
list of methods is edited; and one occurrence of a requirement is one piece of work for
one responsible unit, who may well use several methods in it (a questionnaire followed by
a document review). The activity carries the first method; the others are named in its
notes.

Re-planning (after an extension, or when dates change) only ever changes activities that
are still PLANNED: those are moved to their new date or cancelled when they fall outside
the contract period; started, done and cancelled work is never touched. The one
exception is an activity the planner itself cancelled earlier as outside the period: if
the period grows back over it, it is planned again (the unique key leaves no other way to
add it).

Everything is done in bulk so that 100,000 contracts plan in minutes: ``plan_contracts``
takes contracts in chunks and needs a handful of queries per chunk (load the contracts with
``PLAN_FIELDS``, or each one costs a query for a field left out). New activities and the
history events are written with one ``executemany`` each (``core.bulk``), not through the
ORM's insert compiler, and the method labels in the notes are translated once per run.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract, ContractExtension, ContractRequirement
from kravspar.contracts.selectors import effective_end, period_end
from kravspar.core.bulk import insert_rows
from kravspar.core.dates import add_months
from kravspar.core.errors import DomainError
from kravspar.followups.models import OPEN_STATUSES, Activity, ActivityStatus
from kravspar.organisations.models import Unit
from kravspar.procurements.models import Method, Responsible, Timing

if TYPE_CHECKING:
    from kravspar.accounts.models import User

# "The start-up follow-up is carried out within the first month of the contract": it is
# due on the first month's last day (a contract from 1 February: 28 February).
AT_START_MONTHS = 1
REPLAN_CANCEL_REASON = "outside the contract period after re-planning"
CHUNK = 500
# What planning reads of a contract: load contracts with ``.only(*PLAN_FIELDS)``.
PLAN_FIELDS = ("id", "uuid", "contract_number", "title", "starts_on", "ends_on", "ended_on")


@dataclass
class PlanResult:
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    replanned: int = 0  # planner-cancelled activities planned again because the period grew
    unchanged: int = 0
    kept: int = 0  # started, done or cancelled: left as they are
    skipped_requirements: int = 0  # no method, or no follow-up after signing
    overdue: int = 0  # open activities already past their due date after planning

    def add(self, other: PlanResult) -> None:
        for name in _RESULT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _RESULT_FIELDS}


_RESULT_FIELDS = [f.name for f in fields(PlanResult)]


def _effective_end(contract: Contract, extensions: Iterable[ContractExtension]) -> datetime.date:
    # The contracts app's rule, fed with extensions loaded in bulk for the whole batch.
    contract.months_used = sum(e.months for e in extensions)  # type: ignore[attr-defined]
    end = effective_end(contract)
    # A terminated contract is followed up no further than the day it ended.
    return min(end, contract.ended_on) if contract.ended_on else end


class _Requirement(NamedTuple):
    """What planning reads of a contract requirement: a row, not a model instance (a
    hundred thousand instances cost more than the activities' insert)."""

    pk: int
    contract_id: int
    methods: list[str]
    timing: str
    interval_months: int | None
    at_months: list[Any]
    responsible: str
    responsible_unit_id: int | None


_REQUIREMENT_FIELDS = (
    "id",
    "contract_id",
    "methods",
    "timing",
    "interval_months",
    "at_months",
    "responsible",
    "responsible_unit_id",
)

# A run plans many contracts that start on the same few hundred days with the same steps:
# the dates repeat, so they are computed once (add_months is a pure function).
_add_months = lru_cache(maxsize=65536)(add_months)


def occurrences(
    requirement: ContractRequirement | _Requirement, starts_on: datetime.date, ends_on: datetime.date
) -> list[datetime.date]:
    """The due dates of a requirement's follow-up within [starts_on, ends_on], in order;
    the index of each is its occurrence number."""
    if requirement.timing == Timing.AT_START:
        due = period_end(starts_on, AT_START_MONTHS)
        return [due] if due <= ends_on else []
    if requirement.timing == Timing.RECURRING:
        step = requirement.interval_months or 0
        if step <= 0:
            return []
        dates = []
        k = 1
        while (due := _add_months(starts_on, k * step)) <= ends_on:
            dates.append(due)
            k += 1
        return dates
    if requirement.timing == Timing.AT_MONTHS:
        months = sorted({int(m) for m in requirement.at_months or [] if int(m) >= 0})
        return [d for d in (_add_months(starts_on, m) for m in months) if d <= ends_on]
    # AT_EVALUATION (or no timing): verified before signing, nothing to do after.
    return []


_notes_cache: dict[tuple[str | None, tuple[str, ...]], str] = {}


def _notes_for(methods: list[str]) -> str:
    """ "Also by: …" naming the methods after the first, in the active language (cached:
    a run plans the same few method lists a hundred thousand times)."""
    if len(methods) < 2:
        return ""
    key = (get_language(), tuple(methods[1:]))
    notes = _notes_cache.get(key)
    if notes is None:
        others = [str(Method(m).label) if m in Method.values else m for m in methods[1:]]
        notes = _notes_cache[key] = gettext("Also by: %(methods)s.") % {"methods": ", ".join(others)}
    return notes


def _chunks(items: Iterable[Contract], size: int) -> Iterator[list[Contract]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def plan_contract(contract: Contract, *, actor: User | None = None, today: datetime.date | None = None) -> PlanResult:
    """Generate or re-plan one contract's follow-up activities."""
    return plan_contracts([contract], actor=actor, today=today)


class NoPlanError(DomainError):
    code = "no_plan"
    status = 409


def has_plan(contract: Contract) -> bool:
    """A contract has a follow-up plan once it follows an approved strategy: registering
    it from an awarded procurement, adopting a strategy and tying it to a procurement
    with one all generate the plan in the same transaction. (It may hold no activities
    yet, e.g. while its period is shorter than the first interval.) Activities made any
    other way, such as imported ones, are a plan too."""
    return not contract.strategy_missing or contract.activities.exists()


def contract_replan(*, actor: User | None, contract: Contract, today: datetime.date | None = None) -> PlanResult:
    """Re-plan a contract's existing plan, after an extension or changed dates. A contract
    without a plan has nothing to re-plan: its plan comes with an approved strategy."""
    if not has_plan(contract):
        raise NoPlanError(
            gettext(
                "This contract has no follow-up plan to re-plan. The plan is made when the contract follows an "
                "approved follow-up strategy: adopt the procurement's approved strategy, or tie the contract to "
                "its procurement first."
            )
        )
    return plan_contract(contract, actor=actor, today=today)


def plan_contracts(
    contracts: Iterable[Contract],
    *,
    actor: User | None = None,
    today: datetime.date | None = None,
    chunk_size: int = CHUNK,
) -> PlanResult:
    """Plan many contracts, ``chunk_size`` at a time, each chunk in one transaction."""
    today = today or timezone.localdate()
    total = PlanResult()
    for chunk in _chunks(contracts, chunk_size):
        with transaction.atomic():
            total.add(_plan_chunk(chunk, actor=actor, today=today))
    return total


def _plan_chunk(contracts: list[Contract], *, actor: User | None, today: datetime.date) -> PlanResult:
    ids = [c.pk for c in contracts]
    requirements: dict[int, list[_Requirement]] = defaultdict(list)
    for row in ContractRequirement.objects.filter(contract_id__in=ids).values_list(*_REQUIREMENT_FIELDS):
        req = _Requirement(*row)
        requirements[req.contract_id].append(req)
    # The named person: Inköp's follow-ups go to the procurement's responsible officer; the
    # ordering unit's to the unit's follow-up contact, or the whole unit if it names none.
    officers = dict(Contract.objects.filter(pk__in=ids).values_list("pk", "procurement__officer_id"))
    # The ordering unit's follow-ups go to its named follow-up contact, if it has one.
    unit_ids = {r.responsible_unit_id for reqs in requirements.values() for r in reqs if r.responsible_unit_id}
    unit_contacts = dict(
        Unit.objects.filter(pk__in=unit_ids, followup_contact__is_active=True).values_list("pk", "followup_contact_id")
    )
    extensions: dict[int, list[ContractExtension]] = defaultdict(list)
    for ext in ContractExtension.objects.filter(contract_id__in=ids).only("contract_id", "months"):
        extensions[ext.contract_id].append(ext)
    existing_by_contract: dict[int, dict[tuple[int, int], Activity]] = defaultdict(dict)
    for a in (
        Activity.objects.filter(contract_id__in=ids)
        .select_for_update()
        .only("id", "contract_id", "requirement_id", "occurrence", "status", "due_on", "cancel_reason", "version")
    ):
        existing_by_contract[a.contract_id][(a.requirement_id, a.occurrence)] = a

    to_create: list[dict[str, object]] = []
    to_update: list[Activity] = []
    events: list[dict[str, object]] = []
    total = PlanResult()
    for contract in contracts:
        result = PlanResult()
        end = _effective_end(contract, extensions[contract.pk])
        existing = existing_by_contract[contract.pk]
        wanted: set[tuple[int, int]] = set()
        for req in requirements[contract.pk]:
            methods = [m for m in req.methods or [] if m]
            dates = occurrences(req, contract.starts_on, end) if methods else []
            notes = _notes_for(methods) if dates else ""
            if not dates:
                result.skipped_requirements += 1
            for number, due in enumerate(dates):
                key = (req.pk, number)
                wanted.add(key)
                activity = existing.get(key)
                if activity is None:
                    to_create.append(
                        {
                            "contract_id": contract.pk,
                            "requirement_id": req.pk,
                            "occurrence": number,
                            "method": methods[0],
                            "due_on": due,
                            "responsible": req.responsible,
                            "responsible_unit_id": req.responsible_unit_id,
                            "responsible_person_id": officers.get(contract.pk)
                            if req.responsible == Responsible.PURCHASING
                            else unit_contacts.get(req.responsible_unit_id or 0),
                            "notes": notes,
                        }
                    )
                    result.created += 1
                    result.overdue += due < today
                elif activity.status == ActivityStatus.PLANNED:
                    if activity.due_on != due:
                        activity.due_on = due
                        activity.version += 1
                        to_update.append(activity)
                        result.moved += 1
                    else:
                        result.unchanged += 1
                    result.overdue += due < today
                elif activity.status == ActivityStatus.CANCELLED and activity.cancel_reason == REPLAN_CANCEL_REASON:
                    activity.status = ActivityStatus.PLANNED
                    activity.cancel_reason = ""
                    activity.due_on = due
                    activity.version += 1
                    to_update.append(activity)
                    result.replanned += 1
                else:
                    result.kept += 1
                    result.overdue += activity.status in OPEN_STATUSES and activity.due_on < today
        for key, activity in existing.items():
            if key in wanted:
                continue
            if activity.status == ActivityStatus.PLANNED:
                activity.status = ActivityStatus.CANCELLED
                activity.cancel_reason = REPLAN_CANCEL_REASON
                activity.version += 1
                to_update.append(activity)
                result.cancelled += 1
            else:
                result.kept += 1
        events.append(_event(contract, actor, result, end))
        total.add(result)

    now = timezone.now()
    insert_rows(Activity, to_create, now=now)
    if to_update:
        for activity in to_update:
            activity.updated_at = now
        Activity.objects.bulk_update(
            to_update, ["status", "due_on", "cancel_reason", "version", "updated_at"], batch_size=1000
        )
    # AuditEvent refuses update and delete, not inserts: one event per contract plan.
    insert_rows(AuditEvent, events, now=now)
    return total


def _event(contract: Contract, actor: User | None, result: PlanResult, end: datetime.date) -> dict[str, object]:
    """The history event of one contract's plan, as a row for ``insert_rows``."""
    return {
        "actor_id": actor.pk if actor else None,
        "actor_label": (actor.get_full_name() or actor.get_username()) if actor else "system",
        "action": "contract.planned",
        "object_type": Contract._meta.label_lower,
        "object_id": str(contract.uuid),
        "object_repr": f"{contract.contract_number} {contract.title}"[:300],
        "after": result.as_dict() | {"period_end": str(end)},
    }
