"""A job whose worker died is not left "running": the sweep finds its silent heartbeat and
queues it again, or after too many attempts fails it with a message for its owner; a live
worker's job is never touched, and a worker that wakes up late cannot overwrite the job."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kravspar.audit.models import AuditEvent
from kravspar.jobs import recovery, services
from kravspar.jobs.models import Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db


def _claimed(job: Job, *, silent_for: float) -> Job:
    """What a worker does when it takes the job, then ``silent_for`` seconds of silence."""
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=timezone.now())
    assert services.job_mark_running(job)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=silent_for))
    return Job.objects.get(pk=job.pk)


def test_a_job_whose_worker_went_silent_is_queued_again(world: Any, settings: Any, client_for: Any) -> None:
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    job = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="OCDS")
    first_task = job.task_id
    job = _claimed(job, silent_for=61)
    services.Progress(job).set_done(7)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=61))
    job.refresh_from_db()

    recovered = recovery.jobs_recover()

    assert [j.pk for j in recovered.requeued] == [job.pk] and not recovered.failed
    job.refresh_from_db()
    assert (job.status, job.attempts, job.heartbeat_at, job.done) == (JobStatus.QUEUED, 1, None, 0)
    assert job.message.startswith("Bakgrundsprocessen stannade under försök 1")
    fragment = client_for(world.officer).get(reverse("jobs:detail", args=[job.uuid]), headers={"HX-Request": "true"})
    assert job.message in fragment.content.decode() and "hx-trigger" in fragment.content.decode()
    assert job.task_id != first_task
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    dead = DBTaskResult.objects.get(id=first_task)
    assert (dead.status, dead.exception_class_path) == ("FAILED", recovery.LOST_TASK_CLASS)
    assert AuditEvent.objects.filter(action="job.requeued", object_id=str(job.uuid)).count() == 1
    # A second sweep finds nothing more to do: one queue row waits for a worker.
    assert not recovery.jobs_recover().requeued
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_live_worker_s_job_is_left_alone(world: Any, settings: Any) -> None:
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    job = _claimed(services.job_start(owner=world.officer, kind=JobKind.OCDS, title="OCDS"), silent_for=59)
    waiting = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="Väntar")
    Job.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    recovered = recovery.jobs_recover()
    assert not recovered.requeued and not recovered.failed
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=waiting.pk).status == JobStatus.QUEUED  # no worker yet: not a fault


def test_after_the_last_attempt_the_owner_reads_why_it_failed(world: Any, settings: Any) -> None:
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    settings.KRAVSPAR_JOB_MAX_ATTEMPTS = 2
    job = services.job_start(
        owner=world.officer, kind=JobKind.INVOICE_UPLOAD, title="Fakturor", inputs=[("a.xml", b"<x/>")]
    )
    for _attempt in range(2):
        job = _claimed(Job.objects.get(pk=job.pk), silent_for=120)
        recovery.jobs_recover()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert "bakgrundsprocessen" in job.message and "2 gånger" in job.message
    assert AuditEvent.objects.filter(action="job.abandoned", object_id=str(job.uuid)).exists()
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def test_a_queue_row_claimed_by_a_worker_that_died_at_once_is_recovered(world: Any, settings: Any) -> None:
    # Killed between claiming the queue row and starting the job: the job still says queued.
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    job = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="OCDS")
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=long_ago)
    Job.objects.filter(pk=job.pk).update(created_at=long_ago)
    output = []
    call_command("recover_jobs", stdout=type("W", (), {"write": lambda self, s: output.append(s)})())
    assert "1 requeued, 0 failed" in "".join(output)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.get(id=job.task_id).status == "READY"


def test_a_worker_that_wakes_up_late_cannot_end_the_new_attempt(world: Any, settings: Any) -> None:
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    job = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="OCDS")
    frozen = _claimed(job, silent_for=61)
    recovery.jobs_recover()
    second = Job.objects.get(pk=job.pk)
    assert services.job_mark_running(second) and second.attempts == 2
    assert not services.job_heartbeat(frozen)
    services.job_succeed(job=frozen, message="Gammalt försök")
    services.Progress(second).set_done(3)
    assert services.job_heartbeat(second)
    current = Job.objects.get(pk=job.pk)
    assert (current.status, current.message) == (JobStatus.RUNNING, second.message)
