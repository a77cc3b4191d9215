"""The files a job is waiting to read are not orphans: ``prune_orphan_files`` keeps the
inputs of every queued or running job however old they are (a job may wait for a worker
longer than a day, or be requeued after its worker died), and deletes them once the job has
ended and left them behind. The same on local files and on an S3 bucket (a real
S3-compatible server on loopback)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from kravspar.jobs import services
from kravspar.jobs.models import Job, JobKind, JobStatus
from kravspar.testing.servers import S3, s3_server

pytestmark = pytest.mark.django_db


def prune(*args: str) -> str:
    out = io.StringIO()
    call_command("prune_orphan_files", *args, stdout=out)
    return out.getvalue()


def _jobs(world: Any) -> tuple[Job, Job, Job, str]:
    """A queued and a running job with inputs, an ended one whose input was left behind,
    and a stray file nothing refers to."""
    queued = services.job_start(
        owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Väntar", inputs=[("a.xml", b"<a/>")]
    )
    running = services.job_start(
        owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Körs", inputs=[("b.xml", b"<b/>")]
    )
    services.job_mark_running(running)
    ended = services.job_start(
        owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Klar", inputs=[("c.xml", b"<c/>")]
    )
    Job.objects.filter(pk=ended.pk).update(status=JobStatus.FAILED)
    stray = default_storage.save("evidence/stray.pdf", ContentFile(b"%PDF-1.4"))
    return queued, running, ended, stray


def _input(job: Job) -> str:
    return str(job.params["inputs"][0]["path"])


def test_local_files_of_unfinished_jobs_are_kept_however_old(world: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    queued, running, ended, stray = _jobs(world)
    two_days_ago = time.time() - 48 * 3600
    for path in (tmp_path / "media").rglob("*"):
        if path.is_file():
            os.utime(path, (two_days_ago, two_days_ago))
    fresh = default_storage.save("evidence/fresh.pdf", ContentFile(b"%PDF-1.4"))

    listed = prune("--dry-run")
    assert f"would delete {_input(ended)}" in listed and f"would delete {stray}" in listed
    assert "2 orphaned file(s)" in listed

    assert "2 orphaned file(s)" in prune()
    remaining = sorted(
        p.relative_to(tmp_path / "media").as_posix() for p in (tmp_path / "media").rglob("*") if p.is_file()
    )
    assert remaining == sorted([_input(queued), _input(running), fresh])


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    with s3_server() as server:
        yield server


def test_on_s3_the_bucket_is_pruned_and_unfinished_jobs_inputs_kept(world: Any, settings: Any, s3: S3) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_options()}
    queued, running, ended, stray = _jobs(world)
    assert sorted(s3.object_keys()) == sorted([_input(queued), _input(running), _input(ended), stray])
    # Objects' times are the bucket's own: with no minimum age, everything is old enough.
    assert "0 orphaned file(s)" in prune()  # a day's grace by default
    assert "2 orphaned file(s)" in prune("--min-age-hours", "0")
    assert sorted(s3.object_keys()) == sorted([_input(queued), _input(running)])
