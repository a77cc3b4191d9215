"""Faults (issue 18): the background-job worker killed with SIGKILL in the middle of an
invoice-upload job. The job is not left "running": a new worker (``jobs_worker``) sees its
silent heartbeat, queues it again and runs it from the start; every invoice ends up stored
exactly once with all its lines, and the batch the killed worker left running with counts
behind what it stored is continued by the retry and ends with the counts of what is stored.

Real processes on loopback (kravspar.testing.servers) against the PostgreSQL test database:
PostgreSQL only, the PostgreSQL run of ``make test``.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from kravspar.audit.models import AuditEvent
from kravspar.core.tests.test_faults import invoices, wait_until
from kravspar.invoices.models import BatchStatus, ImportBatch, InvoiceDocument
from kravspar.jobs import services
from kravspar.jobs.models import Job, JobKind, JobStatus
from kravspar.testing.servers import app_env, shared_database_url, worker

pytestmark = pytest.mark.django_db(transaction=True)
COUNT = 10


def stored_once(expected: int | None = None) -> list[InvoiceDocument]:
    """Every stored invoice of the job once, with all its lines."""
    documents = list(InvoiceDocument.objects.filter(number__startswith="JOBKILL-"))
    numbers = [d.number for d in documents]
    assert len(numbers) == len(set(numbers)), f"stored twice: {sorted(numbers)}"
    for document in documents:
        assert document.lines.count() == document.line_count > 0, document.number
    if expected is not None:
        assert len(documents) == expected
    return documents


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it shares with the test: runs in the PostgreSQL run")


def test_a_job_whose_worker_was_killed_is_finished_by_the_next_worker(world: Any, settings: Any) -> None:
    env = app_env(
        shared_database_url(),
        KRAVSPAR_JOB_HEARTBEAT_SECONDS="1",
        KRAVSPAR_JOB_STALE_SECONDS="3",
        KRAVSPAR_JOB_SWEEP_SECONDS="1",
    )
    settings.MEDIA_ROOT = Path(env["KRAVSPAR_VAR_DIR"]) / "media"  # the worker's files are the test's
    files = invoices("JOBKILL", COUNT, 400)
    job = services.job_start(owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Fakturor", inputs=files)
    first_task = job.task_id

    with worker(env) as first:
        stored = InvoiceDocument.objects.filter(number__startswith="JOBKILL-")
        wait_until(lambda: stored.count() >= 2 or first.process.poll() is not None, 120, "the first invoices")
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
    connections.close_all()
    job.refresh_from_db()
    stored_before = stored_once()
    assert job.status == JobStatus.RUNNING and len(stored_before) < COUNT, "the job ended before the kill"
    assert DBTaskResult.objects.get(id=first_task).status == "RUNNING"  # what django-tasks alone leaves
    # An upload's batch saves its counters per group of documents while each document
    # commits on its own: the killed worker's batch counts fewer than it stored.
    killed_batch = ImportBatch.objects.get(uuid=job.params["batch"])
    assert killed_batch.status == BatchStatus.RUNNING and killed_batch.imported_count < len(stored_before)

    with worker(env) as second:
        wait_until(
            lambda: Job.objects.get(pk=job.pk).finished or second.process.poll() is not None, 120, "the job's end"
        )
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, (job.message, second.log())

    assert job.attempts == 2
    stored_once(expected=COUNT)
    batch = ImportBatch.objects.get(uuid=job.result_url.rstrip("/").rsplit("/", 1)[-1])
    assert batch == killed_batch and batch.status == BatchStatus.FINISHED  # one batch, continued
    assert (batch.file_count, batch.imported_count, batch.duplicate_count) == (COUNT, COUNT, 0)
    assert batch.documents.count() == COUNT and not batch.problems.exclude(severity="warning").exists()
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert AuditEvent.objects.filter(action="job.requeued", object_id=str(job.uuid)).count() == 1
    assert not any((settings.MEDIA_ROOT / "jobs").rglob("*.xml")), "the job's inputs were not removed"
