"""The one django-tasks task: run the job with this id through its kind's runner."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from kravspar.core.errors import DomainError
from kravspar.jobs import services
from kravspar.jobs.models import Job
from kravspar.jobs.recovery import Heartbeat

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> str:
    from kravspar.jobs.runners import RUNNERS

    job = Job.objects.select_related("owner").get(pk=job_id)
    if not services.job_mark_running(job):
        return job.status
    # Run by the immediate backend (tests), the job is inside the starter's transaction:
    # a savepoint lets a failure be recorded, and a killed process takes the job with it. A
    # worker runs it outside any transaction (the runner's own transactions decide what
    # commits when) and beats a heartbeat, by which a job whose worker died is recovered.
    inside = connection.in_atomic_block
    # Messages the job writes are read later by its owner: in Kravspår's language.
    with override("sv"):
        try:
            with transaction.atomic() if inside else Heartbeat(job):
                RUNNERS[job.kind](job, services.Progress(job))
        except services.JobTakenOver:
            logger.warning("Background job %s: attempt %d was overtaken by a later one", job.uuid, job.attempts)
        except ValidationError as exc:
            services.job_fail(job=job, message=" ".join(exc.messages))
        except DomainError as exc:
            services.job_fail(job=job, message=str(exc.message))
        except Exception:
            logger.exception("Background job %s (%s) failed", job.uuid, job.kind)
            services.job_fail(job=job, message=_("The job stopped because of an error. Try again later."))
        finally:
            # A later attempt (this worker seemed dead and the job was requeued) still needs them.
            if inside or services.job_is_current(job):
                services.job_remove_inputs(job)
    job.refresh_from_db(fields=["status"])
    return job.status
