"""An invoice upload job whose worker died half-way: its batch is not left "running" with
counts behind what it stored. The retry continues the same batch and ends it with the counts
of what is stored, each file counted once; when the job is given up, the batch ends failed
with the reason in Swedish. (A real worker SIGKILLed: test_worker_kill.py, PostgreSQL.)"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kravspar.audit.models import AuditEvent
from kravspar.core.tests.test_faults import invoices
from kravspar.invoices import services as invoice_services
from kravspar.invoices.models import BatchStatus, ImportBatch, InvoiceDocument, ProblemSeverity
from kravspar.jobs import recovery, runners, services, tasks
from kravspar.jobs.models import Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process dies here: nothing after this line runs, in the runner or around it."""


def _die(*args: Any, **kwargs: Any) -> None:
    raise WorkerKilled


@pytest.fixture
def killed_upload(world: Any, settings: Any, monkeypatch: Any, tmp_path: Any) -> Job:
    """An upload job whose first attempt stored its first two invoices, then died as it was
    about to save the batch's counters: the batch says running, with nothing counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    a, b, c, d = invoices("BATCHKILL", 4, 2)
    files = [a, b, ("kopia.xml", a[1]), ("trasig.xml", b"<inte-en-faktura/>"), c, d]
    job = services.job_start(owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Fakturor", inputs=files)
    assert job.status == JobStatus.QUEUED  # the database queue: no worker in this test
    assert services.job_mark_running(job)
    with monkeypatch.context() as patch:
        patch.setattr(invoice_services, "UPLOAD_GROUP_SIZE", 2)
        patch.setattr(invoice_services.BatchRecorder, "add", _die)
        patch.setattr(invoice_services.BatchRecorder, "finish", _die)
        with pytest.raises(WorkerKilled):
            runners.invoice_upload(job, services.Progress(job))
    batch = ImportBatch.objects.get()
    assert job.params["batch"] == str(batch.uuid) == Job.objects.get(pk=job.pk).params["batch"]
    assert (batch.status, batch.file_count, batch.imported_count) == (BatchStatus.RUNNING, 0, 0)
    assert InvoiceDocument.objects.filter(batch=batch).count() == 2
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=61))
    return Job.objects.get(pk=job.pk)


def counts(batch: ImportBatch) -> tuple[int, int, int, int, int]:
    return (batch.file_count, batch.imported_count, batch.duplicate_count, batch.refused_count, batch.line_count)


def test_the_retry_ends_the_killed_attempt_s_batch_with_the_counts_of_what_is_stored(
    killed_upload: Job, client_for: Any, world: Any
) -> None:
    job = killed_upload
    assert [j.pk for j in recovery.jobs_recover().requeued] == [job.pk]
    batch = ImportBatch.objects.get()
    # While the job waits for a worker, the batch already shows what is stored.
    assert batch.status == BatchStatus.RUNNING and counts(batch) == (2, 2, 0, 0, 4)

    assert tasks.run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    batch = ImportBatch.objects.get()  # one batch for both attempts
    assert job.result_url == reverse("invoices:batch", args=[batch.uuid])
    assert batch.status == BatchStatus.FINISHED and batch.finished_at is not None
    assert counts(batch) == (6, 4, 1, 1, 8) and batch.warning_count == 4  # each has a buyer reference to check
    assert job.message == "4 av 6 filer importerade; 1 dubbletter och 1 avvisade.", job.message
    numbers = sorted(InvoiceDocument.objects.values_list("number", flat=True))
    assert numbers == ["BATCHKILL-1", "BATCHKILL-2", "BATCHKILL-3", "BATCHKILL-4"]  # each once
    assert all(d.batch_id == batch.pk for d in InvoiceDocument.objects.all())
    problems = {p.file_name: p.severity for p in batch.problems.exclude(severity=ProblemSeverity.WARNING)}
    assert problems == {"kopia.xml": ProblemSeverity.DUPLICATE, "trasig.xml": ProblemSeverity.REFUSED}
    event = AuditEvent.objects.get(action="invoices.import", object_id=str(batch.uuid))
    assert (event.after["status"], event.after["imported"], event.after["files"]) == ("finished", 4, 6)
    page = client_for(world.officer).get(job.result_url).content.decode()
    assert "<dd>Klar</dd>" in page


def test_a_job_given_up_ends_its_batch_failed_with_the_reason(
    killed_upload: Job, client_for: Any, world: Any, settings: Any
) -> None:
    settings.KRAVSPAR_JOB_MAX_ATTEMPTS = 1
    assert [j.pk for j in recovery.jobs_recover().failed] == [killed_upload.pk]
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and batch.finished_at is not None
    assert counts(batch) == (2, 2, 0, 0, 4)  # what the one attempt stored
    assert batch.message.startswith("Importen avbröts: bakgrundsprocessen som körde den stannade 1 gånger.")
    event = AuditEvent.objects.get(action="invoices.import", object_id=str(batch.uuid))
    assert (event.after["status"], event.after["imported"], event.after["message"]) == ("failed", 2, batch.message)
    page = client_for(world.officer).get(reverse("invoices:batch", args=[batch.uuid])).content.decode()
    assert "Importen avbröts" in page


def test_an_attempt_that_ended_its_batch_before_dying_is_not_counted_again(
    killed_upload: Job, monkeypatch: Any
) -> None:
    # The retry finds the batch ended (the attempt died between the batch's end and the
    # job's): it stores nothing more and reports the batch as it is.
    job = killed_upload
    batch = ImportBatch.objects.get()
    invoice_services.BatchRecorder(batch).finish(recount=True)
    recovery.jobs_recover()
    assert tasks.run_job.call(job.pk) == JobStatus.SUCCEEDED
    assert counts(ImportBatch.objects.get()) == (2, 2, 0, 0, 4)
    assert InvoiceDocument.objects.count() == 2
    assert AuditEvent.objects.filter(action="invoices.import").count() == 1


def test_a_retry_that_fails_on_an_error_ends_the_batch_failed_with_the_reason(
    killed_upload: Job, monkeypatch: Any
) -> None:
    recovery.jobs_recover()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug met by the retry")

    monkeypatch.setattr(invoice_services, "store_documents", broken)
    job = Job.objects.get(pk=killed_upload.pk)
    assert services.job_mark_running(job)  # the second attempt, as a worker runs it
    with pytest.raises(RuntimeError):
        runners.invoice_upload(job, services.Progress(job))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and counts(batch) == (2, 2, 0, 0, 4)
    assert batch.message == "Importen stannade på grund av ett fel; fakturorna som sparades innan dess finns kvar."
