"""``db_worker`` (django-tasks-db's worker) plus the recovery of jobs whose worker died:
the sweep runs once before the first job is taken and then every
``KRAVSPAR_JOB_SWEEP_SECONDS`` (kravspar/jobs/recovery.py). Same options as ``db_worker``."""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from kravspar.jobs.recovery import Sweeper


class Command(db_worker.Command):
    help = "Run the background-job worker; requeue jobs whose worker stopped answering (at start and periodically)."

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload the parent process only watches the files; its child is the worker.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            Sweeper().start()
        super().handle(*args, **options)
