"""Reading Upphandlingsmyndigheten's procurement statistics (Statistikdatabasen, CC0).

Three kinds of file share the same procurement columns, one row per procurement or per
awarded supplier; the kind is told by the header row:

- procurements (``number_of_procurements.xlsx``): every advertised procurement of the year;
- contracted values (``contracted_value.xlsx``): the procurements that report a value;
- suppliers (``number_of_contracted_tenders_with_suppliers.xlsx``): one row per supplier and lot.

A procurement is known by its Upphandlings-ID and its buyer (the ID alone is not unique
nationally), and gets the registry number ``UHM-<ID>`` or, when another buyer already holds
that, ``UHM-<ID>-<buyer's org. nr>``. The import writes in batches, in bulk, one history row
per created object (the same fields ``audit_record`` writes), so a second run finds
everything and writes nothing. Rows it cannot read are reported with their row number and
skipped; the rest goes on.

Every procurement of the national file is imported, so that the totals match
Upphandlingsmyndigheten's published count: a row whose buyer's organisation number fails
the check digit (or is not Swedish), a row without Upphandlingsslag and CPV code, and a row
that repeats an Upphandlings-ID for the same buyer are imported and flagged with the
problem (``Procurement.data_quality``, ``DataQuality``), and counted in the report. A
flagged buyer is not registered (the number identifies no organisation): such a
procurement has no buyer and the registry number ``UHM-<ID>-<the number as given>``; the
n-th row of a repeated ID gets ``UHM-<ID>-<buyer's org. nr>-<n>``.

The package's modules follow the import's steps: ``columns`` (the files' format),
``reader`` (opening a file, telling its kind, parsing a row), ``writer`` (writing a batch of
rows and their history), ``importer`` (the run over the files, with isolation of the
unexpected) and ``report`` (what the run reports). The names below are the public ones.
"""

from kravspar.procurements.statistics.columns import (
    AD_DATABASE,
    AGREEMENT,
    AGREEMENTS,
    BATCH_SIZE,
    BUYER,
    BUYER_ORG_NUMBER,
    COUNT,
    CPV,
    ID,
    KIND,
    KIND_COLUMNS,
    KINDS,
    LOT,
    NO_CPV,
    PROCEDURE,
    PROCEDURES,
    PROCUREMENT_COLUMNS,
    PUBLISHED,
    REGISTRY_PREFIX,
    SECTORS,
    SIZE_CLASSES,
    SOURCE,
    SUPPLIER,
    SUPPLIER_SECTOR,
    SUPPLIER_SIZE,
    TENDERS,
    TITLE,
    VALUE,
    WITHHELD_NAME,
    FileKind,
)
from kravspar.procurements.statistics.importer import Importer, import_statistics
from kravspar.procurements.statistics.reader import Parser, Row, detect_kind, file_kind, open_rows
from kravspar.procurements.statistics.report import FileReport, Problem, Progress, StatisticsFileError
from kravspar.procurements.statistics.writer import BatchWriter

__all__ = [
    "AD_DATABASE",
    "AGREEMENT",
    "AGREEMENTS",
    "BATCH_SIZE",
    "BUYER",
    "BUYER_ORG_NUMBER",
    "COUNT",
    "CPV",
    "ID",
    "KIND",
    "KINDS",
    "KIND_COLUMNS",
    "LOT",
    "NO_CPV",
    "PROCEDURE",
    "PROCEDURES",
    "PROCUREMENT_COLUMNS",
    "PUBLISHED",
    "REGISTRY_PREFIX",
    "SECTORS",
    "SIZE_CLASSES",
    "SOURCE",
    "SUPPLIER",
    "SUPPLIER_SECTOR",
    "SUPPLIER_SIZE",
    "TENDERS",
    "TITLE",
    "VALUE",
    "WITHHELD_NAME",
    "BatchWriter",
    "FileKind",
    "FileReport",
    "Importer",
    "Parser",
    "Problem",
    "Progress",
    "Row",
    "StatisticsFileError",
    "detect_kind",
    "file_kind",
    "import_statistics",
    "open_rows",
]
