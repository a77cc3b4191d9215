"""A background job as its owner sees it: what it does, how far it has come and where the
result is. The work itself runs in a django-tasks worker (``tasks.run_job``); this record is
what pages show and what access checks are made against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class JobKind(models.TextChoices):
    INVOICE_UPLOAD = "invoice_upload", _("Invoice upload")
    EXPORT = "export", _("List export")
    ANNUAL_REPORT = "annual_report", _("Annual report (PDF)")
    OCDS = "ocds", _("Open data file (OCDS)")
    PRICELIST_IMPORT = "pricelist_import", _("Price-list import")
    CONTRACT_IMPORT = "contract_import", _("Contract register import")
    CONTRACT_REPORT = "contract_report", _("Follow-up report of a contract (PDF)")
    CONTRACT_TRIAL_RUN = "contract_trial_run", _("Contract register trial run")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for a worker
    RUNNING = "running", _("Running")  # a worker has it
    SUCCEEDED = "succeeded", _("Done")  # the result is ready
    FAILED = "failed", _("Failed")  # stopped with the message in ``message``


def job_file_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.uuid}/{filename}"


class Job(TimestampedModel):
    kind = models.CharField(_("kind"), max_length=30, choices=JobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("owner")
    )
    title = models.CharField(_("title"), max_length=200)
    # What the runner needs (list name and filters, uploaded file names in storage, ...).
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)  # None: not known in advance
    message = models.TextField(_("message"), blank=True)
    # The result is a file in the default storage (S3 when configured) or a page in Kravspår.
    result_file = models.FileField(upload_to=job_file_path, blank=True, max_length=300)
    result_name = models.CharField(max_length=200, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # django-tasks' result id
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started the job, and when the one running it last said it is
    # alive: ``recovery.jobs_recover`` requeues (or gives up on) a job whose worker went silent.
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_created"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
