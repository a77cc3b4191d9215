"""Storing documents: one transaction each, duplicates by bytes and by seller + number +
kind (also when two imports race), the buyer and supplier found, the signal after commit,
and the import_invoices command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kravspar.audit.models import AuditEvent
from kravspar.invoices import originals, services, signals
from kravspar.invoices.generate import SUPPLIERS, write_many
from kravspar.invoices.models import BatchStatus, ImportProblem, InvoiceDocument, InvoiceLine, ProblemSeverity
from kravspar.invoices.services import DUPLICATE, IMPORTED, import_paths, store_documents
from kravspar.invoices.ubl import ProblemCode, parse
from kravspar.testing.factories import SupplierFactory

from .conftest import REGION_SORMLAND

MakeXml = Callable[..., bytes]
pytestmark = pytest.mark.django_db


def test_stores_document_lines_bytes_and_resolves_buyer_and_supplier(world: Any, make_xml: MakeXml) -> None:
    supplier = SupplierFactory.create(name="Mälardalens Lokalvård AB", org_number=SUPPLIERS[0].org_number)
    xml = make_xml()
    [outcome] = store_documents([parse(xml, "a.xml")])
    assert outcome.status == IMPORTED
    doc = InvoiceDocument.objects.get()
    assert originals.read(doc.original.name) == xml
    assert doc.buyer_organisation == world.vastmanland
    assert doc.supplier == supplier
    assert doc.warnings == []
    assert doc.line_count == 2
    assert list(doc.lines.values_list("position", "seller_item_id", "standard_item_id")) == [
        (1, "ART-0001", ""),
        (2, "ART-0007", "7350000000019"),
    ]


def test_supplier_found_by_peppol_id_or_vat_number(world: Any, make_xml: MakeXml) -> None:
    seller = SUPPLIERS[1]
    by_vat = SupplierFactory.create(name="Via moms", vat_number=f"SE{seller.org_number}01")
    [outcome] = store_documents([parse(make_xml(seller=seller))])
    assert outcome.document is not None and outcome.document.supplier_id == by_vat.pk
    seller = SUPPLIERS[2]
    by_peppol = SupplierFactory.create(name="Via Peppol", peppol_scheme="0007", peppol_value=seller.org_number)
    [outcome] = store_documents([parse(make_xml(seller=seller))])
    assert outcome.document is not None and outcome.document.supplier_id == by_peppol.pk


def test_unknown_buyer_and_supplier_are_stored_with_warnings(world: Any, make_xml: MakeXml) -> None:
    from kravspar.invoices.generate import Party

    other = Party("Kommunen", "2120000142")
    [outcome] = store_documents([parse(make_xml(buyer=other))])
    assert outcome.status == IMPORTED
    doc = InvoiceDocument.objects.get()
    assert doc.buyer_organisation is None
    assert [w["code"] for w in doc.warnings] == [ProblemCode.UNKNOWN_BUYER, ProblemCode.UNKNOWN_SUPPLIER]
    assert "0007:2120000142" in doc.warnings[0]["message"]


def test_same_bytes_is_a_duplicate(world: Any, make_xml: MakeXml) -> None:
    xml = make_xml()
    store_documents([parse(xml, "a.xml")])
    [again] = store_documents([parse(xml, "b.xml")])
    assert again.status == DUPLICATE
    assert again.code == ProblemCode.DUPLICATE_FILE
    assert "redan importerad" in again.message
    assert InvoiceDocument.objects.count() == 1


def test_same_seller_number_and_kind_is_a_duplicate_even_with_other_bytes(world: Any, make_xml: MakeXml) -> None:
    store_documents([parse(make_xml())])
    [again] = store_documents([parse(make_xml(note="Ny version"))])
    assert (again.status, again.code) == (DUPLICATE, ProblemCode.DUPLICATE_INVOICE)
    # The same number as a credit note, or from another seller, is another document.
    outcomes = store_documents([parse(make_xml(credit_note=True)), parse(make_xml(seller=SUPPLIERS[1]))])
    assert [o.status for o in outcomes] == [IMPORTED, IMPORTED]


def test_duplicates_within_one_group_are_found(world: Any, make_xml: MakeXml) -> None:
    xml = make_xml()
    outcomes = store_documents([parse(xml, "a.xml"), parse(xml, "b.xml")])
    assert [o.status for o in outcomes] == [IMPORTED, DUPLICATE]


def test_earlier_invoices_are_found_among_many_by_bytes_and_by_number(world: Any, make_xml: MakeXml) -> None:
    """The duplicate look-up asks 500 checksums and 500 (seller, number, kind) keys at a
    time: what was stored before is found wherever it falls among 1,200 documents."""
    store_documents([parse(make_xml(number=number)) for number in ("F-0001", "F-1199")])
    store_documents([parse(make_xml(number="F-0900", note="En tidigare version"))])
    docs = [parse(make_xml(number=f"F-{n:04}")) for n in range(1200)]
    by_sha, by_key = services._find_existing(docs)
    seller = docs[0].seller_key
    assert sorted(doc.number for doc in by_sha.values()) == ["F-0001", "F-1199"]
    assert sorted(by_key) == [(seller, number, "invoice") for number in ("F-0001", "F-0900", "F-1199")]


def test_a_race_is_decided_by_the_database_constraint(
    world: Any, make_xml: MakeXml, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_documents([parse(make_xml())])
    # The other import's look-up ran before this one committed: it saw nothing.
    monkeypatch.setattr(services, "_find_existing", lambda docs: ({}, {}))
    [raced] = store_documents([parse(make_xml(note="andra"))])
    assert (raced.status, raced.code) == (DUPLICATE, ProblemCode.DUPLICATE_INVOICE)
    [same] = store_documents([parse(make_xml())])
    assert (same.status, same.code) == (DUPLICATE, ProblemCode.DUPLICATE_FILE)
    assert InvoiceDocument.objects.count() == 1
    assert InvoiceLine.objects.count() == 2


def test_a_failure_while_storing_lines_leaves_no_half_invoice(
    world: Any, make_xml: MakeXml, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "insert_lines", fail)
    # The document is refused as an internal error (the batch goes on, issue 18) and
    # nothing of it is stored.
    [outcome] = store_documents([parse(make_xml())])
    assert (outcome.status, outcome.code) == (services.REFUSED, ProblemCode.INTERNAL_ERROR)
    assert InvoiceDocument.objects.count() == 0
    assert InvoiceLine.objects.count() == 0


def test_invoice_stored_signal_is_sent_after_commit(
    world: Any, make_xml: MakeXml, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[InvoiceDocument] = []

    def receiver(sender: Any, document: InvoiceDocument, **kwargs: Any) -> None:
        received.append(document)

    signals.invoice_stored.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            store_documents([parse(make_xml())])
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        assert [d.number for d in received] == ["F-1001"]
    finally:
        signals.invoice_stored.disconnect(receiver)


def test_bulk_signal_sends_the_stored_documents_once(
    world: Any, make_xml: MakeXml, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[list[InvoiceDocument]] = []

    def receiver(sender: Any, documents: list[InvoiceDocument], **kwargs: Any) -> None:
        received.append(documents)

    signals.invoices_stored.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            store_documents([parse(make_xml(number="A")), parse(make_xml(number="B"))], bulk_signal=True)
        assert [[d.number for d in docs] for docs in received] == [["A", "B"]]
    finally:
        signals.invoices_stored.disconnect(receiver)


def test_import_paths_reads_folders_recursively_and_reports_every_file(
    world: Any, make_xml: MakeXml, tmp_path: Path
) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.xml").write_bytes(make_xml(number="1"))
    (tmp_path / "a" / "b" / "two.XML").write_bytes(make_xml(number="2"))
    (tmp_path / "a" / "b" / "copy.xml").write_bytes(make_xml(number="2"))
    (tmp_path / "a" / "b" / "broken.xml").write_bytes(b"<Invoice>")
    (tmp_path / "a" / "notes.txt").write_text("not read: only *.xml in folders")
    seen: list[int] = []
    batch = import_paths(
        [tmp_path / "a", tmp_path / "missing.xml"],
        actor=world.admin,
        progress=lambda b: seen.append(b.file_count),
        group_size=2,
    )
    assert (batch.file_count, batch.imported_count, batch.duplicate_count, batch.refused_count) == (5, 2, 1, 2)
    assert batch.line_count == 4
    assert batch.status == BatchStatus.FINISHED
    assert seen == [2, 4, 5]
    codes = dict(batch.problems.exclude(severity=ProblemSeverity.WARNING).values_list("file_name", "code"))
    assert codes[str(tmp_path / "a" / "b" / "broken.xml")] == ProblemCode.MALFORMED
    assert codes[str(tmp_path / "missing.xml")] == ProblemCode.NOT_FOUND
    # copy.xml sorts first; two.XML has the same bytes
    assert codes[str(tmp_path / "a" / "b" / "two.XML")] == ProblemCode.DUPLICATE_FILE
    event = AuditEvent.objects.get(action="invoices.import")
    assert event.actor == world.admin
    assert event.after["imported"] == 2


def test_a_group_ends_early_when_its_files_reach_the_byte_cap(world: Any, make_xml: MakeXml, tmp_path: Path) -> None:
    """A group ends at ``group_size`` files or once its parsed files hold ``group_bytes``,
    whichever comes first, so that a group of large files stays bounded in memory; a
    refused file holds no bytes and counts as a file only. Each group is its own
    transaction, committed before the next is read."""
    files = [make_xml(number=f"B-{i}") for i in range(7)]
    size = max(len(data) for data in files)
    for i, data in enumerate(files):
        (tmp_path / f"{i}.xml").write_bytes(data)
    (tmp_path / "3b-broken.xml").write_bytes(b"<Invoice>" * (size // 9 + 1))  # as large, refused
    stored: list[int] = []

    def after_group(batch: Any) -> None:
        stored.append(InvoiceDocument.objects.filter(batch=batch).count())

    batch = import_paths([tmp_path], group_size=100, group_bytes=2 * size + size // 2, progress=after_group)
    # 0, 1, 2 (bytes: 3 files) | 3, 3b-broken, 4, 5 (3 files' bytes and a refusal) | 6
    assert (batch.file_count, batch.imported_count, batch.refused_count) == (8, 7, 1)
    assert stored == [3, 6, 7]
    # The file count still ends a group first when it comes first.
    InvoiceDocument.objects.all().delete()
    stored.clear()
    import_paths([tmp_path], group_size=2, group_bytes=2 * size + size // 2, progress=after_group)
    assert stored == [2, 4, 5, 7]  # 0 1 | 2 3 | 3b-broken 4 | 5 6


def test_files_over_the_size_limit_are_refused_unread(
    world: Any, make_xml: MakeXml, tmp_path: Path, settings: Any
) -> None:
    settings.KRAVSPAR_INVOICE_MAX_BYTES = 1000
    (tmp_path / "big.xml").write_bytes(make_xml())
    batch = import_paths([tmp_path])
    assert batch.problems.get().code == ProblemCode.TOO_LARGE


def test_command_prints_progress_and_a_summary_and_fails_on_refusals(
    world: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_many(tmp_path, 25, 3, per_folder=10, buyers=[REGION_SORMLAND])
    (tmp_path / "bad.xml").write_bytes(b"nonsense")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_invoices", str(tmp_path), "--progress-every", "10")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "10 filer: 10 importerade, 0 dubbletter, 0 avvisade" in out
    assert "20 filer:" in out
    assert "Klart: 26 filer, 25 importerade (75 rader, 25 med varningar), 0 dubbletter, 1 avvisade." in out
    assert "bad.xml: [malformed_xml]" in out
    # Run again: everything is a duplicate, nothing is stored twice.
    with pytest.raises(SystemExit):
        call_command("import_invoices", str(tmp_path), "--progress-every", "0")
    assert "0 importerade" in capsys.readouterr().out
    assert InvoiceDocument.objects.count() == 25
    assert ImportProblem.objects.filter(code=ProblemCode.DUPLICATE_FILE).count() == 25


def test_command_with_only_good_files_exits_normally(
    world: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_many(tmp_path, 3, 2)
    call_command("import_invoices", str(tmp_path), "--user", "admin")
    assert "3 importerade" in capsys.readouterr().out
    assert InvoiceDocument.objects.filter(imported_by=world.admin).count() == 3


def test_line_values_round_trip_through_the_fast_insert(world: Any, make_xml: MakeXml) -> None:
    from decimal import Decimal

    from kravspar.invoices.generate import Line

    lines = [
        Line(
            "X-1",
            "Spik & skruv <rostfri>",
            Decimal("1.23456789"),
            "KGM",
            Decimal("2.345678901"),
            gtin="7350000000019",
            cpv="44531000",
            base_quantity=Decimal(100),
            note="Levererat i två omgångar",
        ),
        Line("X-2", "Frakt", Decimal(1), "EA", Decimal("95.00")),
    ]
    store_documents([parse(make_xml(lines=lines))])
    first, second = InvoiceLine.objects.order_by("position")
    assert (first.quantity, first.price_amount, first.base_quantity) == (
        Decimal("1.23456789"),
        Decimal("2.345678901"),
        Decimal(100),
    )
    assert first.line_net_amount == Decimal("0.03")
    assert first.item_name == "Spik & skruv <rostfri>"
    assert (first.standard_item_id, first.standard_item_scheme, first.cpv_code) == ("7350000000019", "0160", "44531000")
    assert first.classifications == [{"list_id": "STI", "code": "44531000"}]
    assert first.note == "Levererat i två omgångar"
    assert second.base_quantity is None
    assert second.classifications == []


def test_a_failing_group_receiver_rolls_back_the_matches_and_keeps_the_documents(
    world: Any, make_xml: MakeXml, tmp_path: Path
) -> None:
    """``invoices_stored`` runs inside the group's transaction, in a savepoint: when a receiver
    fails, what the receivers wrote (the spend app's matches) is rolled back and the documents
    stay stored, to be matched by ``match_invoices``; the next group is matched again."""
    from kravspar.spend.models import InvoiceMatch, LineMatch

    (tmp_path / "one.xml").write_bytes(make_xml(number="1"))
    (tmp_path / "two.xml").write_bytes(make_xml(number="2"))
    calls: list[int] = []

    def failing(sender: Any, documents: list[Any], **kwargs: Any) -> None:
        calls.append(len(documents))
        if len(calls) == 1:
            raise RuntimeError("a receiver's bug")

    signals.invoices_stored.connect(failing)  # after the spend app's receiver
    try:
        batch = import_paths([tmp_path], group_size=1)
    finally:
        signals.invoices_stored.disconnect(failing)
    assert calls == [1, 1]
    assert (batch.imported_count, batch.refused_count) == (2, 0)
    assert InvoiceDocument.objects.count() == 2
    matched = set(InvoiceMatch.objects.values_list("document__number", flat=True))
    assert matched == {"2"}  # the first group's match was rolled back with the failure
    assert set(LineMatch.objects.values_list("line__document__number", flat=True)) == {"2"}


def test_a_group_finds_its_sellers_as_one_by_one_with_a_few_queries(
    world: Any, make_xml: MakeXml, django_assert_max_num_queries: Any
) -> None:
    """The group path looks up all sellers of a group at once (``Resolver.prefetch``) and
    finds what the one-by-one look-up finds: the lowest id of an organisation number, a
    Peppol id matched exactly, a VAT number matched without regard to case."""
    first = SupplierFactory.create(name="Först", org_number=SUPPLIERS[0].org_number)
    SupplierFactory.create(name="Sedan", org_number=SUPPLIERS[0].org_number)
    by_vat = SupplierFactory.create(name="Via moms", vat_number=f"se{SUPPLIERS[1].org_number}01")
    SupplierFactory.create(name="Annat schema", peppol_scheme="0088", peppol_value=SUPPLIERS[2].org_number)
    by_peppol = SupplierFactory.create(name="Via Peppol", peppol_scheme="0007", peppol_value=SUPPLIERS[2].org_number)
    docs = [parse(make_xml(seller=SUPPLIERS[n], number=f"G-{n}"), f"g{n}.xml") for n in range(4) for _copy in (1, 2)]
    one_by_one = services.Resolver()
    expected = [one_by_one.supplier_id(d) for d in docs]
    assert expected[::2] == [first.pk, by_vat.pk, by_peppol.pk, None]
    resolver = services.Resolver()
    with django_assert_max_num_queries(3):
        resolver.prefetch(docs)
    with django_assert_max_num_queries(0):
        assert [resolver.supplier_id(d) for d in docs] == expected
    outcomes = store_documents(docs, resolver=services.Resolver(), bulk_signal=True, run={}, written=[])
    assert [o.status for o in outcomes] == [IMPORTED, DUPLICATE] * 4
    stored = InvoiceDocument.objects.order_by("number").values_list("supplier_id", flat=True)
    assert list(stored) == expected[::2]


def test_the_line_insert_raises_djangos_integrity_error_for_a_repeated_line(world: Any, make_xml: MakeXml) -> None:
    """On PostgreSQL the lines go in with COPY, past Django's cursor wrapper: a constraint
    violation must still be Django's IntegrityError, which the group's retry catches."""
    from django.db import IntegrityError, transaction

    doc = parse(make_xml())
    [outcome] = store_documents([doc])
    assert outcome.document is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        services.insert_lines([(outcome.document.pk, doc)])
    assert InvoiceLine.objects.count() == 2


def test_the_import_collects_young_garbage_less_often_and_restores_the_collector(
    world: Any, make_xml: MakeXml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    (tmp_path / "a.xml").write_bytes(make_xml(number="F-GC"))
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    real = services.store_documents

    def store_and_look(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        if len(seen) > 1:  # the second import fails
            raise RuntimeError("a bug while storing")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "store_documents", store_and_look)
    import_paths([tmp_path])
    assert seen == [(services.YOUNG_GC_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before
    # Restored when the import fails too.
    with pytest.raises(RuntimeError):
        import_paths([tmp_path])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
