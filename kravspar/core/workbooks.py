"""Checking an uploaded Excel workbook (.xlsx) before openpyxl reads it.

An .xlsx file is a zip archive of XML parts. None of the parts Excel or LibreOffice
write has a document type declaration, and a DTD is how "billion laughs" (entities that
expand to gigabytes) and external entities (reading a server's files, or the network)
get in. ``check_xlsx`` refuses a workbook if any part declares a DTD, before any XML
parser that expands entities sees it, and bounds the archive (parts, unpacked size) so
that a zip bomb is refused as well.

Each part is read by expat, the parser openpyxl itself reads with, only as far as its
first element: a DTD can stand only before it, so a large sheet costs no more than a few
bytes, and the part's own encoding (UTF-8, UTF-16, a declared one) is understood exactly
as openpyxl would understand it. Parts that are not XML (images, a VBA project) end the
check at their first byte.

defusedxml is installed as well: openpyxl then parses through it and refuses a DTD
itself, a second line should a part ever slip past this check.
"""

from __future__ import annotations

import contextlib
import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _
from lxml import etree

logger = logging.getLogger(__name__)

MAX_PARTS = 10_000
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # a 5 MB upload of real sheets unpacks to far less
MAX_RATIO = 200  # real sheets compress about 10:1; zip bombs by a thousand and more
CHUNK = 16 * 1024
MAX_PROLOG_BYTES = 1024 * 1024  # comments and whitespace before the first element


class WorkbookRefused(ValueError):
    """The workbook is unsafe or unreadable. ``str()`` is a translated message for the
    person who uploaded it; ``reason`` is stable (``dtd``, ``not_a_workbook``, ``too_large``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class _Dtd(Exception):
    pass


class _Root(Exception):
    pass


def _refuse_dtd(*_args: object) -> None:
    raise _Dtd


def _root_reached(*_args: object) -> None:
    raise _Root


_LXML_PARSER = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, dtd_validation=False
)


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the XML part declares a DTD before its first element."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = _root_reached
    read = 0
    with archive.open(info) as part:
        try:
            while True:
                chunk = part.read(CHUNK)
                read += len(chunk)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    return False
                if read > MAX_PROLOG_BYTES:
                    # Megabytes of comments before the first element: no real part has them.
                    raise WorkbookRefused("not_a_workbook", _("The file is not an Excel workbook that can be read."))
        except _Dtd:
            return True
        except _Root:
            return False
        except (expat.ExpatError, ValueError, LookupError):
            pass  # e.g. "multi-byte encodings are not supported" for a declared UTF-16-LE
    # Not XML to expat (an image, or an encoding expat lacks such as UTF-32). openpyxl
    # reads some parts with lxml, which knows more encodings: ask it too, safely (no
    # entities resolved, no DTD loaded); what neither parser reads is no XML at all.
    try:
        root = etree.fromstring(archive.read(info), _LXML_PARSER)
    except (etree.LxmlError, ValueError, LookupError):
        return False
    docinfo = root.getroottree().docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None or docinfo.externalDTD is not None


def check_xlsx(source: bytes | str | Path | IO[bytes]) -> None:
    """Refuse (``WorkbookRefused``) a workbook with a DTD in any part, a zip bomb, or
    something that is not a zip archive at all. Returns quietly for a workbook openpyxl
    may read. ``source`` is the file's bytes, a path, or an open binary file."""
    file: IO[bytes] | str | Path = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise WorkbookRefused("too_large", _("The Excel workbook has too many parts to be read."))
            unpacked = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(packed, 1024 * 1024):
                raise WorkbookRefused(
                    "too_large", _("The Excel workbook unpacks to far more data than a sheet holds; it was not read.")
                )
            for info in infos:
                if info.is_dir():
                    continue
                if _declares_dtd(archive, info):
                    raise WorkbookRefused(
                        "dtd",
                        _(
                            "The Excel workbook contains a document type declaration (DTD), which Excel "
                            "never writes and which can be used to attack the server; it was not read."
                        ),
                    )
    except WorkbookRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
    ):
        # A damaged archive, an unsupported compression or encryption: not a workbook.
        raise WorkbookRefused("not_a_workbook", _("The file is not an Excel workbook that can be read.")) from None
    finally:
        if not isinstance(file, str | Path):
            file.seek(0)


def _unreadable() -> WorkbookRefused:
    return WorkbookRefused("not_a_workbook", _("The file is not an Excel workbook that can be read."))


def _guarded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    # openpyxl reads a read-only sheet lazily, so a damaged sheet fails while its rows
    # are read, with whatever exception its parser happens to raise.
    try:
        yield from rows
    except Exception as exc:
        logger.info("Workbook refused while reading its rows: %r", exc)
        raise _unreadable() from None


@contextmanager
def first_sheet_rows(source: bytes | str | Path) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows (tuples of cell values) of a workbook's first sheet, streamed, after
    ``check_xlsx``. Any failure of openpyxl on a damaged file, while opening it or while
    reading its rows, is a ``WorkbookRefused``, never another exception."""
    check_xlsx(source)
    import openpyxl

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=True
        )
    except Exception as exc:
        logger.info("Workbook refused by openpyxl: %r", exc)
        raise _unreadable() from None
    try:
        if not book.worksheets:
            raise _unreadable()
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
        except Exception as exc:
            logger.info("Workbook refused by openpyxl: %r", exc)
            raise _unreadable() from None
        yield _guarded(rows)
    finally:
        with contextlib.suppress(Exception):
            book.close()
