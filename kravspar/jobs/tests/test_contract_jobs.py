"""The contract register import and a contract's follow-up report as background jobs: a
register file over ``KRAVSPAR_IMPORT_JOB_BYTES`` is imported by a job after its mapping, and
a contract with more follow-ups and deviations than ``KRAVSPAR_CONTRACT_PDF_JOB_ROWS`` gets
its PDF from a job. Both are owner-only, and nobody reaches a contract through a job that
they could not reach on its page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from kravspar.contracts.models import Contract
from kravspar.followups.tests.conftest import make_contract  # noqa: F401
from kravspar.jobs import runners, services
from kravspar.jobs.models import Job, JobKind, JobStatus
from kravspar.reports.tests.test_import import BAD, GOOD, csv_file, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path  # the upload between the import's steps
    settings.MEDIA_ROOT = tmp_path / "media"  # the job's input and result


def test_a_large_register_is_imported_by_a_job_once(
    world: Any, client_for: Any, immediate_tasks: None, settings: Any
) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    response = client.post(url, mapping | {"action": "import"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert (job.kind, job.status, job.done, job.total) == (JobKind.CONTRACT_IMPORT, JobStatus.SUCCEEDED, 3, 3)
    assert "3 avtal registrerades" in job.message, job.message
    assert set(Contract.objects.values_list("contract_number", flat=True)) == {"IMP-1", "IMP-2", "IMP-3"}
    assert client.get(url).status_code == 404  # the upload moved to the job and is gone
    assert not any((settings.MEDIA_ROOT / "jobs").rglob("*.csv"))
    # Run again, as after a worker that died between the commit and the job's end: the
    # register is refused as already imported, and nothing is stored twice.
    again = Job.objects.create(owner=world.officer, kind=JobKind.CONTRACT_IMPORT, title="igen", params=job.params)
    again.params["inputs"] = [{"name": "register.csv", "path": "jobs/again.csv"}]
    default_storage.save("jobs/again.csv", ContentFile(csv_file(GOOD).read()))
    runners.contract_import(again, services.Progress(again))
    again.refresh_from_db()
    assert again.status == JobStatus.FAILED and "IMP-1" in again.message
    assert Contract.objects.count() == 3


def test_a_register_with_errors_fails_its_job_and_names_the_rows(
    world: Any, client_for: Any, immediate_tasks: None, settings: Any
) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(BAD))
    client.post(url, mapping | {"action": "import"})
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "Rad 3" in job.message and "Inget importerades" in job.message
    assert not Contract.objects.exists()
    page = client_for(world.officer).get(reverse("jobs:detail", args=[job.uuid])).content.decode()
    assert "Rad 3" in page


def test_a_small_register_is_still_imported_at_once(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    assert client.post(url, mapping | {"action": "import"})["Location"].startswith(reverse("contracts:list"))
    assert not Job.objects.exists() and Contract.objects.count() == 3


def test_a_large_contract_s_report_is_made_by_a_job_its_owner_alone_sees(
    world: Any,
    client_for: Any,
    make_contract: Any,  # noqa: F811
    immediate_tasks: None,
    settings: Any,
) -> None:
    contract = make_contract(buyers=[world.vastmanland], contract_number="RV-2026-0901")
    pdf_url = reverse("reports:contract_pdf", args=[contract.uuid])
    start_url = reverse("jobs:contract_report", args=[contract.uuid])
    # Small: the PDF at once.
    assert client_for(world.officer).get(pdf_url)["Content-Type"] == "application/pdf"
    settings.KRAVSPAR_CONTRACT_PDF_JOB_ROWS = -1
    client = client_for(world.orderer_vm)
    page = client.get(pdf_url)
    assert page.status_code == 200 and f'action="{start_url}"' in page.content.decode()
    # An orderer of the other region reaches neither the contract nor its report job.
    outsider = client_for(world.orderer_sl)
    assert outsider.get(pdf_url).status_code == 404
    assert outsider.post(start_url).status_code == 404
    assert client_for(world.supplier_contact).post(start_url).status_code in (403, 404)
    assert not Job.objects.exists()

    client = client_for(world.orderer_vm)  # one test client: logged in as each person in turn
    response = client.post(start_url)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert (job.kind, job.status, job.owner) == (JobKind.CONTRACT_REPORT, JobStatus.SUCCEEDED, world.orderer_vm)
    result = client.get(reverse("jobs:result", args=[job.uuid]))
    assert b"".join(result.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert 'filename="uppfoljningsrapport-RV-2026-0901.pdf"' in result["Content-Disposition"]
    assert client_for(world.officer).get(reverse("jobs:result", args=[job.uuid])).status_code == 404
