"""Every file of the Peppol examples and the SFTI test files is read, with the outcome
stated per file. The files are copies of shared/corpus/peppol (see corpus/PROVENANCE.md)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from kravspar.invoices.models import InvoiceDocument, ProblemSeverity
from kravspar.invoices.services import import_paths
from kravspar.invoices.ubl import InvoiceRejected, ProblemCode, parse

from .conftest import CORPUS

# The examples are imported in this (alphabetical) order as one batch. Several of them
# are variants of one example and share the seller and the invoice number "Snippet1" or
# "Vat-Z": the first is stored, the others are duplicates by seller + number + kind.
# None is addressed to a Swedish region, so each is stored with the "unknown buyer"
# warning, and none of the sellers is in the supplier registry.
EXAMPLES: dict[str, tuple[str, str]] = {
    # file: (outcome, invoice number or the code of the duplicate)
    "Allowance-example.xml": ("imported", "Snippet1"),
    "Vat-category-S.xml": ("duplicate", ProblemCode.DUPLICATE_INVOICE),  # seller 0088:7300010000001, Snippet1
    "base-creditnote-correction.xml": ("imported", "Snippet1"),  # a credit note: another kind, not a duplicate
    "base-example.xml": ("imported", "Snippet1"),  # seller 0088:9482348239847239874
    "base-negative-inv-correction.xml": ("imported", "Correction1"),
    "sales-order-example.xml": ("duplicate", ProblemCode.DUPLICATE_INVOICE),  # same seller and number as base-example
    "vat-category-E.xml": ("imported", "Vat-Z"),
    "vat-category-O.xml": ("imported", "Vat-O"),
    "vat-category-Z.xml": ("duplicate", ProblemCode.DUPLICATE_INVOICE),  # vat-category-E's number "Vat-Z"
}

# SFTI's test files use dummy organisation numbers. The first one read is the seller's
# Peppol id 1234567890 (check digit should be 7).
SFTI = [
    "CreditNote-Max_content.xml",
    "Invoice-Max_content.xml",
    "Invoice-Rounded_amounts.xml",
    "Manage_crediting-The_initial_invoice.xml",
    "Manage_crediting-Thru_credit_note.xml",
    "Manage_crediting-Thru_negative_invoice.xml",
]


def _provenance() -> dict[str, str]:
    entries: list[dict[str, Any]] = json.loads((CORPUS / "PROVENANCE.json").read_text())
    return {Path(f["file"]).name: f["sha256"] for e in entries for f in e["files"]}


def test_the_copies_are_the_files_of_the_provenance_record() -> None:
    hashes = _provenance()
    files = sorted((CORPUS / "examples").glob("*.xml")) + sorted((CORPUS / "sfti").glob("*.xml"))
    assert {f.name for f in files} == set(EXAMPLES) | set(SFTI)
    for f in files:
        assert hashlib.sha256(f.read_bytes()).hexdigest() == hashes[f.name], f.name


@pytest.mark.django_db
def test_examples_import_or_are_reported_as_duplicates(world: Any) -> None:
    batch = import_paths([CORPUS / "examples"])
    assert (batch.file_count, batch.imported_count, batch.duplicate_count, batch.refused_count) == (9, 6, 3, 0)
    stored = {d.file_name.rsplit("/", 1)[-1]: d for d in InvoiceDocument.objects.all()}
    problems = {p.file_name.rsplit("/", 1)[-1]: p for p in batch.problems.exclude(severity=ProblemSeverity.WARNING)}
    for name, (outcome, value) in EXAMPLES.items():
        if outcome == "imported":
            assert name in stored, name
            assert stored[name].number == value
            assert stored[name].buyer_organisation is None
            codes = [w["code"] for w in stored[name].warnings]
            assert codes == [ProblemCode.UNKNOWN_BUYER, ProblemCode.UNKNOWN_SUPPLIER], name
        else:
            assert name not in stored, name
            assert problems[name].severity == ProblemSeverity.DUPLICATE
            assert problems[name].code == value
    assert stored["base-creditnote-correction.xml"].kind == "credit_note"
    assert stored["base-creditnote-correction.xml"].billing_reference == "Snippet1"
    assert stored["base-negative-inv-correction.xml"].billing_reference == "Snippet1"
    assert stored["Allowance-example.xml"].lines.count() == 3


@pytest.mark.parametrize("name", SFTI)
def test_sfti_files_are_flagged_for_their_invalid_org_numbers(name: str) -> None:
    with pytest.raises(InvoiceRejected) as info:
        parse((CORPUS / "sfti" / name).read_bytes(), name)
    assert info.value.code == ProblemCode.INVALID_ORG_NUMBER
    assert info.value.details["value"] == "1234567890"
    assert "kontrollsiffran i 1234567890 stämmer inte" in info.value.message


@pytest.mark.django_db
def test_sfti_folder_import_refuses_every_file_with_the_reason(world: Any) -> None:
    batch = import_paths([CORPUS / "sfti"])
    assert (batch.file_count, batch.imported_count, batch.refused_count) == (6, 0, 6)
    assert set(batch.problems.values_list("code", flat=True)) == {ProblemCode.INVALID_ORG_NUMBER}
    assert InvoiceDocument.objects.count() == 0
