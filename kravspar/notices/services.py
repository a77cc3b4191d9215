"""Importing eForms notices: one notice, one transaction, all or nothing.

- A contract notice (cn) links to the procurement with the same procedure identifier
  (an earlier notice of it) or the buyer's reference as registry number, or creates it.
- A contract award notice (can) records each contract with its winners and registers it
  through ``contracts.services``: with the procurement's approved strategy and its plan
  where there is one, else flagged "strategy missing" as a contract registered by hand.
- A modification notice (can-modif) records the change on the contract with its history;
  a longer duration re-plans the follow-ups (``followups.planning.contract_replan``),
  which never touches started or completed ones.

A notice already imported (same bytes, or the same notice id and version) is reported
as a duplicate and changes nothing. Entry points: ``import_one`` (upload, API) and
``import_paths`` (the command).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record
from kravspar.contracts import services as contract_services
from kravspar.contracts.models import Contract
from kravspar.core import failures
from kravspar.core.dates import add_months
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.cpv.models import CpvCode
from kravspar.notices.eforms import Award, Code, Kind, NoticeRefused, ParsedNotice, parse
from kravspar.notices.models import ContractModification, Notice, NoticeAward
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation
from kravspar.procurements import policy
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Procurement, ProcurementStatus, StrategyStatus
from kravspar.suppliers import services as supplier_services
from kravspar.suppliers.models import ProcurementSupplier, Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User

MAX_BYTES = 10 * 1024 * 1024
IMPORTED, DUPLICATE, REFUSED = "imported", "duplicate", "refused"
SOURCE = "eForms"
# An award notice for a procurement whose approved strategy was followed: the steps the
# procurement still has to take to be awarded, each through procurements.services.
_TO_AWARDED = {
    ProcurementStatus.STRATEGY_APPROVED: ["advertised", "evaluation", "awarded"],
    ProcurementStatus.ADVERTISED: ["evaluation", "awarded"],
    ProcurementStatus.EVALUATION: ["awarded"],
}


@dataclass
class Outcome:
    name: str
    status: str
    code: str = ""
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notice: Notice | None = None
    contracts: list[Contract] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "notice": str(self.notice.uuid) if self.notice else None,
            "contracts": [c.contract_number for c in self.contracts],
        }


def can_import(user: Any) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS) and access.has_perm(user, Perm.MANAGE_PROCUREMENTS)


def import_one(
    name: str, data: bytes, *, actor: User | None, allowed_buyer_ids: frozenset[int] | set[int] | None = None
) -> Outcome:
    """Import one notice. ``allowed_buyer_ids``: the organisations the importing person
    works for (None: all, for the command)."""
    if actor is not None and not can_import(actor):
        raise NotAllowedError()
    # A bug met by this one notice refuses it as an internal error (logged with a reference);
    # the command, the upload page and the API go on. Inside a caller's transaction it gets a
    # savepoint, so that a failed query does not poison the notices after it.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            return _import_one(name, data, actor=actor, allowed_buyer_ids=allowed_buyer_ids)
    except Exception as exc:
        reference = failures.log_internal_error(f"notice file {name}", exc)
        return Outcome(
            name, REFUSED, failures.INTERNAL_ERROR, failures.internal_error_text(reference), {"reference": reference}
        )


def _import_one(
    name: str, data: bytes, *, actor: User | None, allowed_buyer_ids: frozenset[int] | set[int] | None
) -> Outcome:
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Notice.objects.filter(sha256=sha256).first()
    if existing is not None:
        return _duplicate(name, existing)
    try:
        parsed = parse(data)
    except NoticeRefused as exc:
        return Outcome(name, REFUSED, str(exc.code), exc.message, exc.details)
    existing = Notice.objects.filter(notice_id=parsed.notice_id, version_id=parsed.version_id).first()
    if existing is not None:
        return _duplicate(name, existing)
    try:
        with transaction.atomic():
            notice, contracts = _store(name, data, sha256, parsed, actor=actor, allowed=allowed_buyer_ids)
    except NoticeRefused as exc:
        return Outcome(name, REFUSED, str(exc.code), exc.message, exc.details)
    except ValidationError as exc:
        return Outcome(name, REFUSED, str(Code.INVALID_CONTRACT), " ".join(exc.messages))
    except NotAllowedError as exc:
        return Outcome(name, REFUSED, str(Code.NOT_ALLOWED), exc.message)
    except DomainError as exc:
        return Outcome(name, REFUSED, str(Code.NOT_AWARDABLE), exc.message, getattr(exc, "details", {}) or {})
    except IntegrityError:
        # A parallel import stored the same notice between our look-up and the insert.
        existing = Notice.objects.filter(notice_id=parsed.notice_id, version_id=parsed.version_id).first()
        if existing is None:
            raise
        return _duplicate(name, existing)
    return Outcome(name, IMPORTED, notice=notice, contracts=contracts)


def _duplicate(name: str, existing: Notice) -> Outcome:
    return Outcome(
        name,
        DUPLICATE,
        str(Code.DUPLICATE),
        _("Notice %(id)s was already imported on %(date)s; nothing was changed.")
        % {"id": existing.notice_id, "date": existing.created_at.date().isoformat()},
        {"notice": str(existing.uuid)},
        notice=existing,
    )


def _buyers(parsed: ParsedNotice, allowed: frozenset[int] | set[int] | None) -> list[Organisation]:
    buyers: list[Organisation] = []
    for buyer in parsed.buyers:
        try:
            digits = normalise_org_number(buyer.company_id)
        except ValidationError:
            digits = ""
        org = Organisation.objects.filter(org_number=digits).first() if digits else None
        if org is None:
            raise NoticeRefused(
                Code.UNKNOWN_BUYER,
                _("Kravspår does not serve the buyer %(name)s (organisation number %(number)s).")
                % {"name": buyer.name or "?", "number": buyer.company_id},
                {"org_number": buyer.company_id},
            )
        if allowed is not None and org.pk not in allowed:
            raise NoticeRefused(
                Code.BUYER_NOT_ALLOWED,
                _("The notice is for %(name)s, which you do not work for.") % {"name": org.name},
                {"org_number": buyer.company_id},
            )
        buyers.append(org)
    return buyers


def _procurement(parsed: ParsedNotice, buyers: list[Organisation], actor: User | None) -> Procurement:
    if parsed.changed_notice:
        original = Notice.objects.filter(notice_id=parsed.changed_notice.rsplit("-", 1)[0]).first()
        if original is not None and original.folder_id != parsed.folder_id:
            raise NoticeRefused(
                Code.CHANGE_MISMATCH,
                _("The change notice names procedure %(new)s, but the notice it changes belongs to %(old)s.")
                % {"new": parsed.folder_id, "old": original.folder_id},
            )
    earlier = Notice.objects.filter(folder_id=parsed.folder_id).select_related("procurement").first()
    if earlier is not None:
        return earlier.procurement
    registry_number = (parsed.internal_id or parsed.folder_id)[:60]
    found = Procurement.objects.filter(registry_number__iexact=registry_number).first()
    if found is not None:
        if not set(found.buyers.values_list("pk", flat=True)) & {b.pk for b in buyers}:
            raise NoticeRefused(
                Code.BUYER_NOT_ALLOWED,
                _("Procurement %(number)s in Kravspår belongs to other buyers than the notice's.")
                % {"number": found.registry_number},
            )
        return found
    sek = parsed.currency == "SEK"
    return procurement_services.procurement_create(
        actor=actor,
        buyers=buyers,
        cpv_additional=list(CpvCode.objects.filter(code__in=parsed.cpv_additional)),
        registry_number=registry_number,
        title=parsed.title[:300],
        description=parsed.description,
        cpv_main=CpvCode.objects.filter(code=parsed.cpv_main).first(),
        kind=parsed.procurement_kind,
        procedure=parsed.procedure,
        agreement_type="contract",
        estimated_value=parsed.estimated_value if sek else None,
        duration_months=parsed.duration_months,
        # A notice was published in the tender system: the procurement is under way (or
        # awarded). The gate still lists what its follow-up strategy lacks.
        status=ProcurementStatus.ADVERTISED if parsed.kind == Kind.CONTRACT_NOTICE else ProcurementStatus.AWARDED,
        source=f"{SOURCE} {parsed.notice_id}"[:100],
    )


def _store(
    name: str,
    data: bytes,
    sha256: str,
    parsed: ParsedNotice,
    *,
    actor: User | None,
    allowed: frozenset[int] | set[int] | None,
) -> tuple[Notice, list[Contract]]:
    buyers = _buyers(parsed, allowed)
    procurement = _procurement(parsed, buyers, actor)
    notice = Notice.objects.create(
        kind=str(parsed.kind),
        notice_id=parsed.notice_id[:100],
        version_id=parsed.version_id[:20],
        folder_id=parsed.folder_id[:100],
        internal_id=parsed.internal_id[:100],
        issue_date=parsed.issue_date,
        title=parsed.title[:500],
        procurement=procurement,
        file_name=os.path.basename(name)[:255],
        sha256=sha256,
        original=data,
        summary=parsed.summary(),
        imported_by=actor,
    )
    audit_record(
        actor=actor,
        action="notice.imported",
        obj=notice,
        organisation=buyers[0],
        after={
            "kind": notice.kind,
            "notice": notice.notice_id,
            "procurement": procurement.registry_number,
            "file": notice.file_name,
        },
    )
    contracts: list[Contract] = []
    if parsed.kind == Kind.AWARD:
        contracts = _register_awards(notice, parsed, procurement, buyers, actor)
    elif parsed.kind == Kind.MODIFICATION:
        contracts = _modify(notice, parsed, procurement, actor)
    return notice, contracts


def _grouped(awards: list[Award]) -> dict[str, list[Award]]:
    """One contract may cover several lots: one entry per contract in the notice."""
    grouped: dict[str, list[Award]] = {}
    for award in awards:
        grouped.setdefault(award.contract_key, []).append(award)
    return grouped


def _winner_rows(awards: list[Award]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for award in awards:
        for winner in award.winners:
            rows.setdefault(
                winner.key,
                {
                    "name": winner.name,
                    "company_id": winner.company_id,
                    "country": winner.country,
                    "size": winner.size,
                    "sme": winner.size in ("micro", "small", "medium") if winner.size else None,
                    "withheld": winner.withheld,
                },
            )
    return list(rows.values())


def _supplier(row: dict[str, Any], actor: User | None) -> Supplier | None:
    if not row["name"]:
        return None
    org_number = ""
    if row["country"] in ("", "SWE"):
        try:
            org_number = normalise_org_number(row["company_id"])
        except ValidationError:
            org_number = ""
    supplier, _created = supplier_services.supplier_get_or_create(
        actor=actor, name=row["name"], org_number=org_number, size_class=row["size"], source=SOURCE
    )
    row["supplier"] = str(supplier.uuid)
    return supplier


def _period(
    parsed: ParsedNotice, awards: list[Award], signed: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    lots = {lot.lot_id: lot for lot in parsed.lots}
    for award in awards:
        lot = lots.get(award.lot_id)
        if lot is None:
            continue
        starts = max(lot.starts_on or signed, signed)
        months = lot.duration_months or parsed.duration_months
        if lot.ends_on:
            ends = lot.ends_on
        elif months:
            ends = add_months(starts, months) - datetime.timedelta(days=1)
        else:
            continue
        return starts, max(ends, starts)
    return None


def _approved(procurement: Procurement) -> bool:
    strategy = policy.current_strategy(procurement)
    return strategy is not None and strategy.status == StrategyStatus.APPROVED


def _register_awards(
    notice: Notice, parsed: ParsedNotice, procurement: Procurement, buyers: list[Organisation], actor: User | None
) -> list[Contract]:
    contracts: list[Contract] = []
    for key, awards in _grouped(parsed.awards).items():
        withheld = sorted({code for a in awards for code in a.withheld} | set(parsed.withheld))
        values = [a.value for a in awards if a.value is not None]
        currency = next((a.currency for a in awards if a.currency), "")
        reference = next((a.contract_reference for a in awards if a.contract_reference), "")
        rows = _winner_rows(awards)
        award = NoticeAward(
            notice=notice,
            contract_key=key[:50],
            lots=[a.lot_id for a in awards],
            contract_reference=reference[:100],
            winners=rows,
            value=sum(values, Decimal(0)) if values else None,
            currency=currency[:3],
            withheld=withheld,
        )
        contract = _contract_for(notice, parsed, procurement, buyers, awards, award, rows, actor)
        award.contract = contract
        award.save()
        if contract is not None and contract not in contracts:
            contracts.append(contract)
    return contracts


def _contract_for(
    notice: Notice,
    parsed: ParsedNotice,
    procurement: Procurement,
    buyers: list[Organisation],
    awards: list[Award],
    award: NoticeAward,
    rows: list[dict[str, Any]],
    actor: User | None,
) -> Contract | None:
    number = (award.contract_reference or f"{procurement.registry_number}/{award.contract_key}")[:60]
    existing = Contract.objects.filter(contract_number=number).first()
    if existing is not None:
        award.note = _("Linked to contract %(number)s, already registered.") % {"number": number}
        return existing
    suppliers = [s for s in (_supplier(row, actor) for row in rows) if s is not None]
    if not suppliers:
        award.note = _("The winner is withheld from publication or not named: the contract was not registered.")
        return None
    for supplier in suppliers:  # the suppliers awarded in the procurement, per lot
        for lot in award.lots:
            ProcurementSupplier.objects.get_or_create(
                procurement=procurement, supplier=supplier, lot_reference=lot[:100], defaults={"source": SOURCE}
            )
    signed = next((a.signed_on for a in awards if a.signed_on), None) or parsed.issue_date or notice.created_at.date()
    period = _period(parsed, awards, signed)
    if period is None:
        award.note = _("The notice gives no contract period: the contract was not registered.")
        return None
    fields: dict[str, Any] = {
        "contract_number": number,
        "title": (parsed.title if len(parsed.lots) < 2 else f"{parsed.title} – {', '.join(award.lots)}")[:300],
        "signed_on": signed,
        "starts_on": period[0],
        "ends_on": period[1],
        "value": award.value.quantize(Decimal(1)) if award.value is not None and award.currency == "SEK" else None,
    }
    if procurement.status in _TO_AWARDED and _approved(procurement):
        for status in _TO_AWARDED[ProcurementStatus(procurement.status)]:
            procurement = procurement_services.procurement_transition(actor=actor, procurement=procurement, to=status)
    if procurement.status in contract_services.CONTRACTABLE:
        return contract_services.contract_create_from_procurement(
            actor=actor, procurement=procurement, suppliers=suppliers, buyers=buyers, **fields
        )
    if procurement.status == ProcurementStatus.CANCELLED:
        raise NoticeRefused(
            Code.NOT_AWARDABLE,
            _("Procurement %(number)s is cancelled in Kravspår; its award notice was not imported.")
            % {"number": procurement.registry_number},
        )
    # Still in planning, without an approved strategy: registered as a contract made by
    # hand is, flagged "strategy missing" until a strategy is approved and adopted.
    return contract_services.contract_register_direct(
        actor=actor, procurement=procurement, suppliers=suppliers, buyers=buyers, **fields
    )


def _modify(notice: Notice, parsed: ParsedNotice, procurement: Procurement, actor: User | None) -> list[Contract]:
    # Imported here: follow-up planning builds on contracts, and notices build on both.
    from kravspar.followups.planning import contract_replan, has_plan

    results = {a.contract_key: a for a in parsed.awards}
    changed: list[Contract] = []
    for mod in parsed.modifications:
        award = results.get(mod.contract_key)
        contract = _modified_contract(parsed, mod.contract_key, award)
        before_value, before_end = contract.value, contract.ends_on
        changes: dict[str, Any] = {}
        if award is not None and award.value is not None and award.currency == "SEK":
            changes["value"] = award.value.quantize(Decimal(1))
        period = _period(parsed, [award], contract.signed_on) if award is not None else None
        if period is not None and period[1] != contract.ends_on:
            changes["ends_on"] = period[1]
        if changes:
            contract = contract_services.contract_update(
                actor=actor, contract=contract, expected_version=None, **changes
            )
        ContractModification.objects.create(
            contract=contract,
            notice=notice,
            description=mod.description,
            reason_code=mod.reason_code[:50],
            reason_description=mod.reason_description,
            value_before=before_value,
            value_after=contract.value,
            ends_before=before_end,
            ends_after=contract.ends_on,
        )
        audit_record(
            actor=actor,
            action="contract.modified",
            obj=contract,
            organisation=contract.buyers.order_by("name").first(),
            before={"value": _str(before_value), "ends_on": _str(before_end)},
            after={
                "value": _str(contract.value),
                "ends_on": _str(contract.ends_on),
                "notice": notice.notice_id,
                "reason_code": mod.reason_code,
                "description": mod.description,
            },
        )
        if "ends_on" in changes and has_plan(contract):
            contract_replan(actor=actor, contract=contract)
        changed.append(contract)
    return changed


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _modified_contract(parsed: ParsedNotice, key: str, award: Award | None) -> Contract:
    linked = (
        NoticeAward.objects.filter(notice__folder_id=parsed.folder_id, contract_key=key, contract__isnull=False)
        .select_related("contract")
        .order_by("-id")
        .first()
    )
    if linked is not None and linked.contract is not None:
        return linked.contract
    if award is not None and award.contract_reference:
        found = Contract.objects.filter(contract_number=award.contract_reference).first()
        if found is not None:
            return found
    reference = award.contract_reference if award is not None and award.contract_reference else key
    raise NoticeRefused(
        Code.UNKNOWN_CONTRACT,
        _("The modified contract %(contract)s is not in Kravspår: import its award notice first.")
        % {"contract": reference},
        {"contract": reference},
    )


# --- Files and folders ----------------------------------------------------------------------


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, Path | None]]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*.xml")):
                if found.is_file():
                    yield str(found), found
        elif path.is_file():
            yield str(path), path
        else:
            yield str(path), None


def import_paths(paths: Iterable[str | os.PathLike[str]], *, actor: User | None = None) -> list[Outcome]:
    outcomes = []
    for name, path in iter_files(paths):
        if path is None:
            message = _("There is no file or folder %(path)s.") % {"path": name}
            outcomes.append(Outcome(name, REFUSED, str(Code.NOT_FOUND), message))
        elif path.stat().st_size > MAX_BYTES:
            message = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
            outcomes.append(Outcome(name, REFUSED, str(Code.TOO_LARGE), message))
        else:
            outcomes.append(import_one(name, path.read_bytes(), actor=actor))
    return outcomes
