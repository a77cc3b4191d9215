"""Registration metadata for outgoing documents: what the registrar needs to enter a sanction
decision or a request to a supplier in the region's case management system (diary number,
date, parties, title), as a JSON sidecar to download beside the document."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kravspar.contracts.models import Contract


def _party(obj: Any) -> dict[str, str]:
    return {"name": obj.name, "organisation_number": getattr(obj, "org_number", "") or ""}


def _contract(contract: Contract) -> dict[str, Any]:
    return {
        "number": contract.contract_number,
        "title": contract.title,
        "diary_number": contract.diary_number,
    }


def sanction_metadata(sanction: Any) -> dict[str, Any]:
    contract = sanction.contract
    deviations = list(sanction.deviations.all())
    # A sanction is registered in the deviation's case when it has one, else the contract's.
    diary = next((d.diary_number for d in deviations if d.diary_number), "") or contract.diary_number
    return _document(
        kind="sanction_decision",
        uuid=sanction.uuid,
        title=f"{sanction.get_decision_display()}: {sanction.get_kind_display() or '–'} ({contract.contract_number})",
        date=sanction.decided_on,
        diary_number=diary,
        contract=contract,
        recipients=[_party(s) for s in contract.suppliers.all()],
        related=[{"deviation": str(d.uuid), "title": d.title, "diary_number": d.diary_number} for d in deviations],
    )


def request_metadata(supplier_request: Any) -> dict[str, Any]:
    contract = supplier_request.contract
    return _document(
        kind="request_to_supplier",
        uuid=supplier_request.uuid,
        title=supplier_request.title,
        date=(supplier_request.sent_at or supplier_request.created_at).date(),
        diary_number=contract.diary_number,
        contract=contract,
        recipients=[_party(supplier_request.supplier)],
        related=[],
    )


def _document(
    *,
    kind: str,
    uuid: Any,
    title: str,
    date: datetime.date,
    diary_number: str,
    contract: Contract,
    recipients: list[dict[str, str]],
    related: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "document": {"type": kind, "id": str(uuid), "title": title, "date": date.isoformat(), "direction": "outgoing"},
        "diary_number": diary_number,
        "contract": _contract(contract),
        "sender": [_party(o) for o in contract.buyers.order_by("name")],
        "recipients": recipients,
        "related": related,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "system": "Kravspår",
    }
