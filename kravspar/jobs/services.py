"""Starting a background job and reporting its progress.

``job_start`` stores the job's input files in the default storage (shared by every app
server and worker: S3 when configured), creates the record and enqueues ``tasks.run_job`` in
one transaction: with the database task backend the queue row commits with the job, so a
worker never sees a job that rolled back and no job is left without its queue entry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kravspar.audit.services import audit_record
from kravspar.jobs.models import Job, JobStatus

if TYPE_CHECKING:
    from kravspar.accounts.models import User

logger = logging.getLogger(__name__)


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80].strip("._")
    return cleaned or "file"


def job_start(
    *,
    owner: User,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    inputs: Sequence[tuple[str, bytes]] = (),
    total: int | None = None,
) -> Job:
    job = Job(owner=owner, kind=kind, title=title[:200], params=dict(params or {}), total=total)
    stored: list[str] = []
    try:
        for position, (name, data) in enumerate(inputs):
            path = default_storage.save(f"jobs/{job.uuid}/input/{position:04d}-{_safe_name(name)}", ContentFile(data))
            stored.append(path)
            job.params.setdefault("inputs", []).append({"name": name, "path": path})
        with transaction.atomic():
            job.save()
            audit_record(actor=owner, action="job.started", obj=job, after={"kind": kind, "title": job.title})
            from kravspar.jobs.tasks import run_job

            result = run_job.enqueue(job.pk)
            Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    except BaseException:
        # Nothing refers to the stored inputs: remove them rather than leave them behind.
        for path in stored:
            default_storage.delete(path)
        raise
    job.refresh_from_db()
    return job


def job_start_or_reuse(*, owner: User, kind: str, title: str, params: dict[str, Any]) -> Job:
    """The owner's job of this kind with these parameters that is queued, running or done, or
    a new one: a link opened twice, or a page reloaded, does not make the same work twice."""
    same = {f"params__{key}": value for key, value in params.items()}
    active = [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    existing = Job.objects.filter(owner=owner, kind=kind, status__in=active, **same).order_by("-created_at").first()
    if existing is not None:
        return existing
    return job_start(owner=owner, kind=kind, title=title, params=params)


class Progress:
    """What a runner reports while it works; each call is one UPDATE of the job's row, seen
    at once by the owner's page on any app server. Each report is also a heartbeat."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def _update(self, **values: Any) -> None:
        Job.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now(), **values)

    def set_total(self, total: int | None) -> None:
        self._update(total=total)

    def set_done(self, done: int) -> None:
        self._update(done=done)

    def advance(self, count: int = 1) -> None:
        self._update(done=F("done") + count)


def job_input(job: Job, position: int) -> tuple[str, bytes]:
    item = job.params["inputs"][position]
    with default_storage.open(item["path"], "rb") as handle:
        return item["name"], handle.read()


def job_remove_inputs(job: Job) -> None:
    for item in job.params.get("inputs", []):
        try:
            default_storage.delete(item["path"])
        except Exception:  # a leftover input is not worth failing the job over
            logger.warning("Could not delete job input %s", item["path"], exc_info=True)


def job_mark_running(job: Job) -> bool:
    """Claim a queued job; False when it already ran (a task delivered twice runs once).
    Each claim is one more attempt; ``job.attempts`` is then this attempt's number, which
    fences the heartbeat and the end against an earlier attempt that wakes up late."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if claimed:
        job.refresh_from_db(fields=["status", "started_at", "heartbeat_at", "attempts"])
    return bool(claimed)


def job_heartbeat(job: Job) -> bool:
    """Say that the worker running this attempt is alive; False once the job is no longer
    this attempt's (it ended, or was requeued after the worker seemed dead)."""
    current = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
    return bool(current.update(heartbeat_at=timezone.now()))


def job_is_current(job: Job) -> bool:
    """True while no later attempt has taken the job over."""
    return Job.objects.filter(pk=job.pk, attempts=job.attempts).exists()


class JobTakenOver(Exception):
    """A later attempt has the job (this one's worker seemed dead and it was requeued): this
    attempt must not end it, nor commit what it did in the transaction that would."""


def job_succeed(
    *,
    job: Job,
    message: str = "",
    url: str = "",
    file_name: str = "",
    content: IO[bytes] | bytes | None = None,
    content_type: str = "",
) -> bool:
    """Mark this attempt's job done; False (nothing written) once a later attempt has it."""
    if content is not None:
        stored = File(content) if not isinstance(content, bytes) else ContentFile(content)
        job.result_file.save(_safe_name(file_name), stored, save=False)
    return bool(
        Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
            status=JobStatus.SUCCEEDED,
            message=message,
            result_url=url,
            result_file=job.result_file.name or "",
            result_name=file_name,
            result_content_type=content_type,
            finished_at=timezone.now(),
        )
    )


def job_fail(*, job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=JobStatus.FAILED, message=message, finished_at=timezone.now()
    )
