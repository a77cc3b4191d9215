"""Invoice originals are on the disk before their rows are committed (``originals.make_durable``):
after a power cut a committed document never points to a file the kernel had not written."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from kravspar.invoices import originals
from kravspar.invoices.models import BatchStatus, InvoiceDocument
from kravspar.invoices.services import IMPORTED, import_paths, store_documents
from kravspar.invoices.ubl import ProblemCode, parse

pytestmark = pytest.mark.django_db

MakeXml = Callable[..., bytes]


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*.xml")}


def test_a_group_is_synced_once_after_its_files_are_written_and_before_its_rows(
    world: Any, make_xml: MakeXml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        (tmp_path / f"{i}.xml").write_bytes(make_xml(number=f"D-{i}"))
    media = Path(settings.MEDIA_ROOT)
    calls: list[tuple[str, int, int]] = []
    real = originals._syncfs

    def recording(folder: str) -> None:
        real(folder)  # the real syncfs(2): it must not fail on this file system
        calls.append((folder, len(_files_under(media)), InvoiceDocument.objects.count()))

    monkeypatch.setattr(originals, "_syncfs", recording)
    batch = import_paths([tmp_path], group_size=3)
    assert batch.imported_count == 5
    # Groups of 3 and 2: each synced once, its files all there and none of its rows yet.
    assert calls == [(str(media), 3, 0), (str(media), 5, 3)]


def test_one_document_fsyncs_its_file_and_its_folder(
    world: Any, make_xml: MakeXml, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[tuple[str, bool]] = []
    real = originals._fsync_path

    def recording(path: str, flags: int) -> None:
        real(path, flags)
        synced.append((path, InvoiceDocument.objects.exists()))

    monkeypatch.setattr(originals, "_fsync_path", recording)
    [outcome] = store_documents([parse(make_xml(number="E-1"), "e1.xml")])
    assert outcome.status == IMPORTED
    path = originals.storages["default"].path(InvoiceDocument.objects.get().original.name)
    assert synced == [(path, False), (os.path.dirname(path), False)]


def test_a_disk_that_refuses_the_sync_stores_nothing_and_leaves_no_file(
    world: Any, make_xml: MakeXml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        (tmp_path / f"{i}.xml").write_bytes(make_xml(number=f"F-{i}"))

    def refusing(folder: str) -> None:
        raise OSError(5, "Input/output error", folder)

    monkeypatch.setattr(originals, "_syncfs", refusing)
    with pytest.raises(OSError, match="Input/output error"):
        import_paths([tmp_path], group_size=10)
    assert not InvoiceDocument.objects.exists()
    assert _files_under(Path(settings.MEDIA_ROOT)) == set()
    from kravspar.invoices.models import ImportBatch

    assert ImportBatch.objects.get().status == BatchStatus.FAILED


def test_one_document_whose_file_cannot_be_synced_is_refused_and_the_next_stored(
    world: Any, make_xml: MakeXml, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = originals._fsync_path
    failed: list[str] = []

    def once_refusing(path: str, flags: int) -> None:
        if not failed:
            failed.append(path)
            raise OSError(5, "Input/output error", path)
        real(path, flags)

    monkeypatch.setattr(originals, "_fsync_path", once_refusing)
    first, second = store_documents([parse(make_xml(number="G-1"), "g1.xml"), parse(make_xml(number="G-2"), "g2.xml")])
    assert first.status != IMPORTED and first.code == ProblemCode.INTERNAL_ERROR
    assert second.status == IMPORTED
    assert list(InvoiceDocument.objects.values_list("number", flat=True)) == ["G-2"]
    assert len(_files_under(Path(settings.MEDIA_ROOT))) == 1


def test_syncfs_reports_a_folder_it_cannot_open() -> None:
    with pytest.raises(FileNotFoundError):
        originals._syncfs("/nonexistent-kravspar-folder")
