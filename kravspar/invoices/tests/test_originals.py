"""Invoice originals live in Django's storage (issue 15): written before their row is
committed, deleted when that row's transaction fails, kept by ``prune_orphan_files`` and
moved there from the database column by a data migration."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kravspar.invoices import originals, services
from kravspar.invoices.models import InvoiceDocument
from kravspar.invoices.services import IMPORTED, REFUSED, import_files, import_paths

MakeXml = Callable[..., bytes]
pytestmark = pytest.mark.django_db


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced() -> set[str]:
    return {str(name) for name in InvoiceDocument.objects.values_list("original", flat=True)}


@pytest.fixture
def storage_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    real = services.insert_lines

    def insert_with_a_bug(items: list[tuple[int, Any]]) -> None:
        real(items)
        if any(doc.number == "F-BUG" for _pk, doc in items):
            raise ZeroDivisionError("a bug while storing")

    monkeypatch.setattr(services, "insert_lines", insert_with_a_bug)


def test_the_command_stores_each_original_once_in_storage(world: Any, make_xml: MakeXml, tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"{n}.xml").write_bytes(make_xml(number=f"F-{n}"))
    import_paths([tmp_path])
    docs = {d.number: d for d in InvoiceDocument.objects.all()}
    assert originals.read(docs["F-1"].original.name) == (tmp_path / "1.xml").read_bytes()
    assert all(d.original.name.startswith("invoices/") for d in docs.values())
    assert stored_files() == referenced()


@pytest.mark.usefixtures("storage_bug")
def test_a_document_rolled_back_in_a_group_leaves_no_file(world: Any, make_xml: MakeXml, tmp_path: Path) -> None:
    for name, number in [("a.xml", "F-1"), ("b.xml", "F-BUG"), ("c.xml", "F-3")]:
        (tmp_path / name).write_bytes(make_xml(number=number))
    batch = import_paths([tmp_path])
    assert (batch.imported_count, batch.refused_count) == (2, 1)
    assert len(referenced()) == 2
    assert stored_files() == referenced()


@pytest.mark.usefixtures("storage_bug")
def test_an_upload_rolled_back_leaves_no_file(world: Any, make_xml: MakeXml) -> None:
    files = [("a.xml", make_xml(number="F-1")), ("b.xml", make_xml(number="F-BUG"))]
    _batch, outcomes = import_files(files, actor=world.admin, source="upload")
    assert [o.status for o in outcomes] == [IMPORTED, REFUSED]
    assert len(referenced()) == 1
    assert stored_files() == referenced()


def test_a_group_whose_transaction_fails_deletes_its_files(
    world: Any, make_xml: MakeXml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group's rows are rolled back by a failure after they were written (here: while
    its counters are saved); the originals written for them go too."""
    (tmp_path / "a.xml").write_bytes(make_xml(number="F-1"))

    def fail(self: Any, outcomes: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.BatchRecorder, "add", fail)
    with pytest.raises(RuntimeError):
        import_paths([tmp_path])
    assert not InvoiceDocument.objects.exists()
    assert stored_files() == set()


def test_prune_orphan_files_keeps_invoice_originals(world: Any, make_xml: MakeXml, tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(make_xml(number="F-1"))
    import_paths([tmp_path])
    [kept] = referenced()
    orphan = originals.save(b"<Invoice/>")  # as if a killed import had written it
    old = time.time() - 48 * 3600
    for name in (kept, orphan):
        os.utime(Path(settings.MEDIA_ROOT) / name, (old, old))
    out = io.StringIO()
    call_command("prune_orphan_files", stdout=out)
    assert f"deleted {orphan}" in out.getvalue()
    assert stored_files() == {kept}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_originals_from_the_column_to_storage_and_back() -> None:
    """Migrated back to where the bytes were in the column, a document is written there;
    migrating forward moves its bytes to storage, and back again returns them."""
    before, after = [("invoices", "0004_original_file")], [("invoices", "0006_original_in_storage")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        Document = executor.loader.project_state(before).apps.get_model("invoices", "InvoiceDocument")
        Document.objects.create(
            original=b"<Invoice>1</Invoice>",
            sha256="a" * 64,
            number="1",
            seller_key="0007:5560360793",
            kind="invoice",
            issue_date="2026-01-31",
            currency="SEK",
            line_extension_amount=0,
            tax_exclusive_amount=0,
            tax_inclusive_amount=0,
            payable_amount=0,
            imported_at="2026-02-01T10:00:00Z",
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        [doc] = InvoiceDocument.objects.all()
        assert doc.original.name.startswith("invoices/2026/02/")
        assert originals.read(doc.original.name) == b"<Invoice>1</Invoice>"
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        Document = executor.loader.project_state(before).apps.get_model("invoices", "InvoiceDocument")
        [old] = Document.objects.all()
        assert bytes(old.original) == b"<Invoice>1</Invoice>" and not old.original_file
        assert stored_files() == set()
    finally:
        # Back to every app's latest migration, not just to ``after``: migrating back to 0004
        # also unapplied what came later (invoices 0007, and other apps' migrations that
        # depend on them), and the tests after this one in the same worker, or a database
        # copied from this one, need the whole schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
