"""Requeue (or, after too many attempts, fail) background jobs whose worker stopped
answering. ``jobs_worker`` does this itself; run this from cron where workers are started
as plain ``db_worker``, or once after a host was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kravspar.jobs.recovery import jobs_recover


class Command(BaseCommand):
    help = "Requeue or fail background jobs whose worker has been silent longer than KRAVSPAR_JOB_STALE_SECONDS."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = jobs_recover()
        for job in recovered.requeued:
            self.stdout.write(f"requeued {job.uuid} ({job.kind}, attempt {job.attempts})")
        for job in recovered.failed:
            self.stdout.write(f"failed {job.uuid} ({job.kind}, after {job.attempts} attempts)")
        self.stdout.write(f"{len(recovered.requeued)} requeued, {len(recovered.failed)} failed")
