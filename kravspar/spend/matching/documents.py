"""The contract rules for a document (domain § 5): buyer and supplier, the contract document
reference, order and buyer references, then supplier + buyer + the period covered."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kravspar.invoices.models import DocumentKind
from kravspar.organisations.models import Organisation
from kravspar.spend.matching.contracts import ContractInfo
from kravspar.spend.matching.state import MatcherState
from kravspar.spend.models import (
    MatchMethod,
    MatchStatus,
    SupplierSource,
)
from kravspar.spend.policy import Period
from kravspar.suppliers.models import Supplier


class DocumentRules(MatcherState):
    """Finding each document's parties and contract."""

    def _resolve_parties(self, docs: list[dict[str, Any]]) -> None:
        """Fill in buyer and supplier where the import did not find them (e.g. the supplier
        was added to the registry later). Two queries at most."""
        orgs_needed = [d for d in docs if d["buyer_organisation_id"] is None]
        if orgs_needed:
            ids = {d["buyer_endpoint_id"] for d in orgs_needed if d["buyer_endpoint_id"]}
            legal = {d["buyer_legal_id"] for d in orgs_needed if d["buyer_legal_id"]}
            by_peppol: dict[str, int] = {}
            by_number: dict[str, int] = {}
            for pk, peppol, number in Organisation.objects.filter(
                Q(peppol_value__in=ids) | Q(org_number__in=legal | ids)
            ).values_list("id", "peppol_value", "org_number"):
                by_peppol[peppol] = pk
                if number:
                    by_number[number] = pk
            for d in orgs_needed:
                d["buyer_organisation_id"] = (
                    by_peppol.get(d["buyer_endpoint_id"])
                    or by_number.get(d["buyer_legal_id"])
                    or by_number.get(d["buyer_endpoint_id"])
                )
        for d in docs:
            d["supplier_via"] = SupplierSource.IMPORT if d["supplier_id"] is not None else ""
        suppliers_needed = [d for d in docs if d["supplier_id"] is None]
        if not suppliers_needed:
            return
        numbers = {d["seller_org_number"] for d in suppliers_needed if d["seller_org_number"]}
        vats = {d["seller_vat_id"].replace(" ", "").upper() for d in suppliers_needed if d["seller_vat_id"]}
        endpoints = {d["seller_endpoint_id"] for d in suppliers_needed if d["seller_endpoint_id"]}
        by_org: dict[str, int] = {}
        by_vat: dict[str, int] = {}
        by_endpoint: dict[str, int] = {}
        for pk, org_number, vat, peppol in Supplier.objects.filter(
            Q(org_number__in=numbers) | Q(vat_number__in=vats) | Q(peppol_value__in=endpoints)
        ).values_list("id", "org_number", "vat_number", "peppol_value"):
            if org_number:
                by_org.setdefault(org_number, pk)
            if vat:
                by_vat.setdefault(vat.replace(" ", "").upper(), pk)
            if peppol:
                by_endpoint.setdefault(peppol, pk)
        for d in suppliers_needed:
            for source, supplier_id in (
                (SupplierSource.ORG_NUMBER, by_org.get(d["seller_org_number"])),
                (SupplierSource.ENDPOINT, by_endpoint.get(d["seller_endpoint_id"])),
                (SupplierSource.VAT, by_vat.get(d["seller_vat_id"].replace(" ", "").upper())),
            ):
                if supplier_id is not None:
                    d["supplier_id"], d["supplier_via"] = supplier_id, source
                    break

    def _fits(self, info: ContractInfo, doc: dict[str, Any]) -> bool:
        """The contract is between this supplier and this buyer. A reference alone is not
        trusted: anyone can quote a contract number, so the seller must be a party."""
        return doc["supplier_id"] in info.supplier_ids and doc["buyer_organisation_id"] in info.buyer_ids

    def _by_reference(self, reference: str, doc: dict[str, Any]) -> ContractInfo | None:
        """The contract a reference names: its number exactly, or the number at the start
        of the reference (order references such as "RV-2025-0107-0042")."""
        ref = reference.strip().upper()
        if not ref or doc["supplier_id"] is None:
            return None
        info = self.by_number.get(ref)
        if info is not None:
            return info if self._fits(info, doc) else None
        hits = [
            c
            for c in self.by_supplier.get(doc["supplier_id"], [])
            if ref.startswith(c.number.upper()) and self._fits(c, doc)
        ]
        return hits[0] if len(hits) == 1 else None

    def _match_contract(
        self,
        doc: dict[str, Any],
        credited: dict[tuple[str, str], tuple[int, int | None]],
        decided: dict[int, dict[str, Any]],
    ) -> dict[str, Any]:
        """Status, method, detail and contract (or candidates) for one document. A credit
        note's credited invoice may be in the same batch (``decided``)."""
        result: dict[str, Any] = {"contract_id": None, "candidates": [], "credited_id": None, "nearest": None}
        if doc["kind"] == DocumentKind.CREDIT_NOTE and doc["billing_reference"]:
            hit = credited.get((doc["seller_key"], doc["billing_reference"].strip()))
            if hit is not None:
                result["credited_id"] = hit[0]
        if doc["buyer_organisation_id"] is None:
            return result | {
                "status": MatchStatus.NO_BUYER,
                "method": MatchMethod.NONE,
                "detail": doc["buyer_endpoint_id"],
            }
        for method, reference in (
            (MatchMethod.CONTRACT_REFERENCE, doc["contract_reference"]),
            (MatchMethod.ORDER_REFERENCE, doc["order_reference"]),
            (MatchMethod.BUYER_REFERENCE, doc["buyer_reference"]),
        ):
            info = self._by_reference(reference, doc)
            if info is not None:
                return result | {
                    "status": MatchStatus.MATCHED,
                    "method": method,
                    "detail": reference,
                    "contract_id": info.id,
                }
        if result["credited_id"] is not None:
            contract_id = (
                decided.get(result["credited_id"], {}).get("contract_id")
                or credited[(doc["seller_key"], doc["billing_reference"].strip())][1]
            )
            if contract_id is not None:
                return result | {
                    "status": MatchStatus.MATCHED,
                    "method": MatchMethod.CREDITED_INVOICE,
                    "detail": doc["billing_reference"],
                    "contract_id": contract_id,
                }
        if doc["supplier_id"] is None:
            return result | {"status": MatchStatus.NO_SUPPLIER, "method": MatchMethod.NONE, "detail": doc["seller_key"]}
        theirs = [
            c for c in self.by_supplier.get(doc["supplier_id"], []) if doc["buyer_organisation_id"] in c.buyer_ids
        ]
        # The contract in force during what the invoice covers, not on the day it was
        # written: June's invoice, written in July, belongs to the contract that ended in
        # June, not to its successor that started on 1 July.
        covered: Period = doc["covered"]
        valid = [c for c in theirs if c.overlaps(covered)]
        if len(valid) == 1:
            return result | {
                "status": MatchStatus.MATCHED,
                "method": MatchMethod.SUPPLIER_PERIOD,
                "detail": str(covered),
                "contract_id": valid[0].id,
            }
        if len(valid) > 1:
            return result | {
                "status": MatchStatus.AMBIGUOUS,
                "method": MatchMethod.NONE,
                "detail": ", ".join(sorted(c.number for c in valid)),
                "candidates": [c.id for c in valid],
            }
        nearest = min(theirs, key=lambda c: c.distance(covered), default=None)
        return result | {
            "status": MatchStatus.NO_CONTRACT,
            "method": MatchMethod.NONE,
            "detail": nearest.number if nearest else "",
            "nearest": nearest.id if nearest else None,
        }
