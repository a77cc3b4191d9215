"""Background jobs as their owner meets them: a large upload, an export and the annual
report start a job, its page shows a progress bar that htmx polls until the job ends, and
the result is a link or a file. Nobody but the owner sees a job or its result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.audit.models import AuditEvent
from kravspar.invoices.generate import render
from kravspar.invoices.models import ImportBatch, InvoiceDocument
from kravspar.invoices.tests.conftest import spec
from kravspar.jobs import services
from kravspar.jobs.models import Job, JobKind, JobStatus
from kravspar.testing.factories import SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _upload(client: Client, count: int) -> Any:
    files = [
        SimpleUploadedFile(f"f{i}.xml", render(spec(number=f"JOB-{i}")), content_type="text/xml") for i in range(count)
    ]
    return client.post(reverse("invoices:upload"), {"invoice_files": files})


def test_a_large_upload_runs_as_a_job_and_links_to_its_import(
    world: Any, client_for: ClientFor, immediate_tasks: None, media: Any, settings: Any
) -> None:
    settings.KRAVSPAR_UPLOAD_JOB_FILES = 3
    client = client_for(world.officer)
    response = _upload(client, 4)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    batch = ImportBatch.objects.get()
    assert (job.kind, job.status, job.done, job.total) == (JobKind.INVOICE_UPLOAD, JobStatus.SUCCEEDED, 4, 4)
    assert job.result_url == reverse("invoices:batch", args=[batch.uuid])
    assert InvoiceDocument.objects.count() == 4 and batch.actor == world.officer
    assert AuditEvent.objects.filter(action="job.started", actor=world.officer).exists()
    # The uploaded files were kept only until the job had read them.
    assert not any((media / "jobs").rglob("*.xml"))

    page = client.get(response["Location"]).content.decode()
    assert '<progress id="job-progress" max="100" value="100"' in page
    assert 'role="status"' in page and job.result_url in page
    assert "hx-trigger" not in page  # an ended job is not polled


def test_a_small_upload_still_imports_at_once(world: Any, client_for: ClientFor, settings: Any) -> None:
    settings.KRAVSPAR_UPLOAD_JOB_FILES = 3
    response = _upload(client_for(world.officer), 2)
    assert response["Location"].startswith("/fakturor/importer/")
    assert not Job.objects.exists()


def test_a_queued_job_is_polled_and_shows_its_progress(world: Any, client_for: ClientFor) -> None:
    # The production backend: the job waits in the database queue for a worker.
    job = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="OCDS", total=40)
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    services.Progress(job).set_done(10)
    client = client_for(world.officer)
    fragment = client.get(reverse("jobs:detail", args=[job.uuid]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="25"' in fragment and "10 av 40" in fragment
    assert "<html" not in fragment
    assert '<div id="job-announcement" hx-swap-oob="innerHTML">' in fragment  # silent until the end
    services.job_succeed(job=job, message="Klart.")
    fragment = client.get(reverse("jobs:detail", args=[job.uuid]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "OCDS: Klar. Klart." in fragment


def test_an_export_job_writes_the_file_its_owner_downloads(
    world: Any, client_for: ClientFor, immediate_tasks: None, media: Any
) -> None:
    SupplierFactory.create(name="Städning av vårdlokaler AB")
    SupplierFactory.create(name="Byggbolaget AB")
    client = client_for(world.officer)
    assert client.get(reverse("jobs:export", args=["leverantorer"])).status_code == 200
    response = client.post(reverse("jobs:export", args=["leverantorer"]), {"format": "csv", "q": "Städning"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.params["filters"] == {"q": ["Städning"]}
    download = client.get(reverse("jobs:result", args=[job.uuid]))
    body = b"".join(download.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith('attachment; filename="leverantorer-')
    assert "Städning av vårdlokaler AB" in body and "Byggbolaget" not in body and job.done == 1


def test_nobody_but_the_owner_sees_a_job_or_its_result(
    world: Any, client_for: ClientFor, immediate_tasks: None, media: Any
) -> None:
    job = services.job_start(owner=world.officer, kind=JobKind.OCDS, title="Nattens öppna data")
    assert job.status == JobStatus.SUCCEEDED and job.result_file
    colleague = UserFactory.create(
        username="officer3", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
    )
    for outsider in (colleague, world.admin, world.supplier_contact):
        client = client_for(outsider)
        for name in ("jobs:detail", "jobs:result"):
            assert client.get(reverse(name, args=[job.uuid])).status_code == 404, (outsider, name)
        assert job.title not in client.get(reverse("jobs:list")).content.decode()
    owner = client_for(world.officer)
    assert owner.get(reverse("jobs:result", args=[job.uuid])).status_code == 200
    assert "Nattens öppna data" in owner.get(reverse("jobs:list")).content.decode()


def test_only_administrators_start_the_ocds_file_and_only_with_csrf(world: Any, client_for: ClientFor) -> None:
    assert client_for(world.officer).post(reverse("jobs:ocds")).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.admin)
    assert strict.post(reverse("jobs:ocds")).status_code == 403
    assert client_for(world.admin).post(reverse("jobs:ocds")).status_code == 302
    assert Job.objects.get().owner == world.admin


def test_the_annual_report_job_is_limited_to_visible_organisations(
    world: Any, client_for: ClientFor, immediate_tasks: None, media: Any
) -> None:
    url = reverse("jobs:annual_report")
    sormland = {"organisation": str(world.sormland.uuid), "year": "2026"}
    assert client_for(world.orderer_vm).post(url, sormland).status_code == 404
    assert not Job.objects.exists()
    response = client_for(world.officer).post(url, sormland)
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.SUCCEEDED, job.message
    assert job.result_file.read(5) == b"%PDF-"


def test_a_failing_job_tells_its_owner(world: Any, client_for: ClientFor, immediate_tasks: None) -> None:
    # The organisation was removed from the officer's reach between start and run.
    job = services.job_start(
        owner=world.orderer_vm,
        kind=JobKind.ANNUAL_REPORT,
        title="Årsrapport",
        params={"organisation": str(world.sormland.uuid), "year": 2026},
    )
    assert job.status == JobStatus.FAILED and job.message
    page = client_for(world.orderer_vm).get(reverse("jobs:detail", args=[job.uuid])).content.decode()
    assert job.message in page and "Misslyckades" in page


def test_an_export_job_needs_the_lists_permission(world: Any, client_for: ClientFor) -> None:
    client = client_for(world.supplier_contact)
    url = reverse("jobs:export", args=["leverantorer"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"format": "csv"}).status_code == 403
    assert client.get(reverse("jobs:export", args=["okand-lista"])).status_code == 404
    assert not Job.objects.exists()


def test_the_job_list_reads_a_fixed_number_of_rows(
    world: Any, client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.officer)
    client.get(reverse("jobs:list"))  # the session and the person, read once
    for i in range(6):
        services.job_start(owner=world.officer, kind=JobKind.OCDS, title=f"Fil {i}")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("jobs:list")).content.decode()
    assert "Fil 5" in page


def test_the_navigation_leads_those_who_start_jobs_to_their_paginated_list(
    world: Any, client_for: ClientFor, settings: Any
) -> None:
    settings.KRAVSPAR_PAGE_SIZE = 2
    link = f'href="{reverse("jobs:list")}"'
    for person in (world.officer, world.orderer_vm, world.reader, world.admin):
        assert link in client_for(person).get(reverse("core:home")).content.decode(), person
    # A supplier's contact starts no jobs and is not shown the way to them.
    assert link not in client_for(world.supplier_contact).get(reverse("portal:home")).content.decode()
    for i in range(3):
        services.job_start(owner=world.officer, kind=JobKind.OCDS, title=f"Jobb nummer {i}")
    services.job_start(owner=world.admin, kind=JobKind.OCDS, title="Administratörens jobb")
    client = client_for(world.officer)
    first = client.get(reverse("jobs:list")).content.decode()
    second = client.get(reverse("jobs:list"), {"sida": 2}).content.decode()
    assert "Jobb nummer 2" in first and "Jobb nummer 1" in first and "Jobb nummer 0" not in first
    assert "Jobb nummer 0" in second and "?sida=2" in first
    assert 'aria-current="page"' in first and "Administratörens jobb" not in first + second
