"""An import batch's true state, read from what it stored rather than from its counters.

A batch's counters are saved after each group of documents, while an upload stores each
document on its own: a worker killed in between leaves the batch "running" with counts
behind what it stored. A background job's retry continues the batch its killed attempt began
(``services.import_files(batch=...)``): ``batch_recount`` sets the counters from the batch's
documents and problems, and ``batch_unrecorded`` leaves out the files the batch already holds,
so each file is counted once and the batch ends with the counts of what it stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.db.models import Count, Q, Sum

from kravspar.invoices.models import ImportBatch, ImportProblem, InvoiceDocument, ProblemSeverity
from kravspar.invoices.ubl import sha256_of

COUNTERS = ["file_count", "imported_count", "duplicate_count", "refused_count", "warning_count", "line_count"]


def batch_recount(batch: ImportBatch) -> ImportBatch:
    """Set the batch's counters from its stored documents and its refused and duplicate files."""
    documents = InvoiceDocument.objects.filter(batch=batch).aggregate(
        count=Count("id"), lines=Sum("line_count"), warned=Count("id", filter=~Q(warnings=[]))
    )
    problems = dict(
        ImportProblem.objects.filter(batch=batch, severity__in=[ProblemSeverity.DUPLICATE, ProblemSeverity.REFUSED])
        .order_by()
        .values("severity")
        .annotate(count=Count("id"))
        .values_list("severity", "count")
    )
    batch.imported_count = documents["count"]
    batch.line_count = documents["lines"] or 0
    batch.warning_count = documents["warned"]
    batch.duplicate_count = problems.get(ProblemSeverity.DUPLICATE, 0)
    batch.refused_count = problems.get(ProblemSeverity.REFUSED, 0)
    batch.file_count = batch.imported_count + batch.duplicate_count + batch.refused_count
    batch.save(update_fields=[*COUNTERS, "updated_at"])
    return batch


def batch_unrecorded(batch: ImportBatch, files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files the batch does not yet account for, in their order. Each stored document and
    each refused or duplicate file of the batch accounts for one file with its SHA-256, so a
    file uploaded twice is still counted twice (stored once, then a duplicate)."""
    recorded = Counter(InvoiceDocument.objects.filter(batch=batch).values_list("sha256", flat=True))
    recorded.update(
        ImportProblem.objects.filter(
            batch=batch, severity__in=[ProblemSeverity.DUPLICATE, ProblemSeverity.REFUSED]
        ).values_list("sha256", flat=True)
    )
    left = []
    for name, data in files:
        digest = sha256_of(data)
        if recorded[digest] > 0:
            recorded[digest] -= 1
        else:
            left.append((name, data))
    return left
