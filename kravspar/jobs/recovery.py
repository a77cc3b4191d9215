"""Jobs whose worker died: found by their silent heartbeat, then requeued or given up.

django-tasks' database backend marks a task "running" when a worker claims it and never
looks at it again: a worker killed half-way (SIGKILL, out of memory, a host lost) leaves the
job running forever. So the worker running a job writes a heartbeat to the job's row every
``KRAVSPAR_JOB_HEARTBEAT_SECONDS`` (``Heartbeat``, from ``tasks.run_job``), and
``jobs_recover`` — run by ``manage.py jobs_worker`` when it starts and every
``KRAVSPAR_JOB_SWEEP_SECONDS`` after that, or by ``manage.py recover_jobs`` from cron — takes
every job whose heartbeat is older than ``KRAVSPAR_JOB_STALE_SECONDS``:

- fewer than ``KRAVSPAR_JOB_MAX_ATTEMPTS`` attempts: back in the queue, with a new queue row
  (the dead one is marked failed), for the next worker to start afresh;
- otherwise: failed, with a message that tells its owner what happened.

Starting afresh is safe because every runner's effects are idempotent: an invoice already
stored is a duplicate the second time (its SHA-256 is unique), a price list already updated
is unchanged, and a file result is written whole or not at all. Each claim counts as an
attempt (``services.job_mark_running``), which fences a worker that was only frozen and wakes
up late: its heartbeat and its end no longer match the job's row.
"""

from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks_db.models import DBTaskResult

from kravspar.audit.services import audit_record
from kravspar.jobs import services
from kravspar.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

LOST_TASK_CLASS = "kravspar.jobs.recovery.WorkerLost"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "KRAVSPAR_JOB_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    return float(getattr(settings, "KRAVSPAR_JOB_STALE_SECONDS", 120))


def max_attempts() -> int:
    return int(getattr(settings, "KRAVSPAR_JOB_MAX_ATTEMPTS", 3))


def sweep_seconds() -> float:
    return float(getattr(settings, "KRAVSPAR_JOB_SWEEP_SECONDS", 60))


class Heartbeat:
    """A thread that writes the job's heartbeat while its runner works (a runner may spend
    minutes in one call, such as a PDF). It stops when the job is no longer this attempt's."""

    def __init__(self, job: Job, interval: float | None = None) -> None:
        self.job = job
        self.interval = heartbeat_seconds() if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not services.job_heartbeat(self.job):
                        return
                except DatabaseError:
                    # A busy SQLite file or a database restarting: the next beat tries again.
                    logger.warning("Heartbeat of job %s not written", self.job.uuid, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


@dataclass
class Recovered:
    requeued: list[Job]
    failed: list[Job]


def stale_jobs(now: datetime.datetime | None = None) -> list[Job]:
    """Jobs no live worker is working on: running with a silent heartbeat, or queued while
    their queue row was claimed by a worker that died before it started the job (or is gone)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=stale_seconds())
    running = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    found = list(running.select_related("owner"))
    queued = {job.task_id: job for job in Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=cutoff)}
    if queued:
        rows = {
            str(row["id"]): row
            for row in DBTaskResult.objects.filter(id__in=[key for key in queued if key]).values(
                "id", "status", "started_at"
            )
        }
        for task_id, job in queued.items():
            row = rows.get(task_id)
            if row is None and not task_id:
                continue  # being started right now: its queue row is not written yet
            finished = row is None or row["status"] in ("FAILED", "SUCCESSFUL")
            claimed_long_ago = row is not None and row["status"] == "RUNNING" and (row["started_at"] or cutoff) < cutoff
            if finished or claimed_long_ago:
                found.append(job)
    return found


def _bury_task(task_id: str, now: datetime.datetime) -> None:
    """The dead worker's queue row, still "running", is marked failed (and pruned later)."""
    if not task_id:
        return
    DBTaskResult.objects.filter(id=task_id, status__in=["RUNNING", "READY"]).update(
        status="FAILED",
        finished_at=now,
        exception_class_path=LOST_TASK_CLASS,
        traceback="The worker running this task stopped answering; kravspar.jobs.recovery took the job over.",
    )


def _after_recovery(job: Job, failure: str | None) -> None:
    """What the job's kind puts right after its worker died (an upload's batch, see
    ``runners.RECOVERED``); ``failure``: the job is given up, with this reason."""
    from kravspar.jobs.runners import RECOVERED

    hook = RECOVERED.get(job.kind)
    if hook is not None:
        hook(job, failure)


def job_recover(job: Job, *, now: datetime.datetime | None = None) -> str | None:
    """Requeue or fail one stale job; returns its new status, or None when another sweep or
    a worker that came back to life got there first."""
    from kravspar.jobs.tasks import run_job

    now = now or timezone.now()
    unchanged = Job.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at=job.heartbeat_at)
    with override("sv"), transaction.atomic():
        if job.attempts >= max_attempts():
            message = _(
                "The job was stopped: the background worker running it stopped %(attempts)d times "
                "without finishing it. Start the job again, or ask the administrator to look at the worker's log."
            ) % {"attempts": job.attempts}
            if not unchanged.update(status=JobStatus.FAILED, message=message, finished_at=now, heartbeat_at=now):
                return None
            _bury_task(job.task_id, now)
            _after_recovery(job, message)
            audit_record(
                actor=None, action="job.abandoned", obj=job, after={"attempts": job.attempts, "status": "failed"}
            )
            inputs = Job(pk=job.pk, params=job.params)
            transaction.on_commit(lambda: services.job_remove_inputs(inputs))
            return JobStatus.FAILED
        message = _("The background worker stopped during attempt %(attempt)d; the job was queued again.") % {
            "attempt": job.attempts
        }
        if not unchanged.update(status=JobStatus.QUEUED, message=message, heartbeat_at=None, done=0):
            return None
        _bury_task(job.task_id, now)
        _after_recovery(job, None)
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
        audit_record(
            actor=None,
            action="job.requeued",
            obj=job,
            after={"attempts": job.attempts, "previous_task": job.task_id, "task": str(result.id)},
        )
    return JobStatus.QUEUED


def jobs_recover(*, now: datetime.datetime | None = None) -> Recovered:
    """Requeue or fail every stale job (see the module's docstring)."""
    recovered = Recovered(requeued=[], failed=[])
    for job in stale_jobs(now):
        outcome = job_recover(job, now=now)
        if outcome == JobStatus.QUEUED:
            logger.warning("Job %s (%s) requeued: its worker went silent", job.uuid, job.kind)
            recovered.requeued.append(job)
        elif outcome == JobStatus.FAILED:
            logger.error("Job %s (%s) failed after %d attempts", job.uuid, job.kind, job.attempts)
            recovered.failed.append(job)
    return recovered


class Sweeper:
    """``jobs_recover`` now and then every ``interval`` seconds in a daemon thread (the
    worker's own loop belongs to django-tasks)."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = sweep_seconds() if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jobs-sweeper", daemon=True)

    def start(self) -> None:
        jobs_recover()
        connections.close_all()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                jobs_recover()
            except DatabaseError:
                logger.warning("The sweep for stale jobs failed; it runs again later", exc_info=True)
            finally:
                connections.close_all()
