"""What an import reports: per file, the rows read and what was created, found, flagged or
skipped, with a problem per row that needs one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kravspar.procurements.statistics.columns import FileKind


class StatisticsFileError(Exception):
    """The file is not a statistics workbook Kravspår can read; nothing was imported from it."""


@dataclass
class Problem:
    row: int
    message: str
    skipped: bool = True  # False: the row was imported, without the part named in the message


@dataclass
class FileReport:
    path: Path
    kind: FileKind
    rows: int = 0
    other_buyers: int = 0
    procurements_created: int = 0
    procurements_found: int = 0  # rows whose procurement was already imported
    values_set: int = 0
    organisations_created: int = 0
    suppliers_created: int = 0
    links_created: int = 0
    withheld_suppliers: int = 0
    # Rows imported with a data-quality problem, per ``DataQuality`` code.
    flagged: dict[str, int] = field(default_factory=dict)
    # The sum of "Antal upphandlingar" (procurements files): Upphandlingsmyndigheten's count.
    published_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    internal_errors: int = 0  # rows, batches of rows or the whole file an unexpected error stopped

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)


@dataclass
class Progress:
    path: Path
    rows: int
    procurements_created: int
    seconds: float
