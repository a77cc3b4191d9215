"""The contract register import and a contract's follow-up report as background jobs: a
register file over ``KRAVSPAR_IMPORT_JOB_BYTES`` is imported by a job after its mapping, and
a contract with more follow-ups and deviations than ``KRAVSPAR_CONTRACT_PDF_JOB_ROWS`` gets
its PDF from a job. Both are owner-only, and nobody reaches a contract through a job that
they could not reach on its page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract
from kravspar.followups.tests.conftest import make_contract  # noqa: F401
from kravspar.jobs import recovery, runners, services, tasks
from kravspar.jobs.models import Job, JobKind, JobStatus
from kravspar.reports import importing
from kravspar.reports.tests.test_import import BAD, GOOD, csv_file, mapping_for, start

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
    # The same register imported again by another job is refused as already imported, and
    # nothing is stored twice.
    again = Job.objects.create(owner=world.officer, kind=JobKind.CONTRACT_IMPORT, title="igen", params=job.params)
    again.params["inputs"] = [{"name": "register.csv", "path": "jobs/again.csv"}]
    default_storage.save("jobs/again.csv", ContentFile(csv_file(GOOD).read()))
    runners.contract_import(again, services.Progress(again))
    again.refresh_from_db()
    assert again.status == JobStatus.FAILED and "IMP-1" in again.message
    assert Contract.objects.count() == 3


class WorkerKilled(BaseException):
    """The worker process dies here: what its open transaction wrote is lost, as the
    database does for a killed process's connection, and nothing after this line runs."""


def test_a_worker_killed_between_the_save_and_the_job_s_end_is_retried_to_the_right_counts(
    world: Any, client_for: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    settings.KRAVSPAR_JOB_STALE_SECONDS = 60
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    client.post(url, mapping | {"action": "import"})
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED  # the database queue: no worker in this test

    # Attempt 1: a worker claims the job, saves the contracts and dies before the job's end.
    assert services.job_mark_running(job)

    def die(**kwargs: Any) -> bool:
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(services, "job_succeed", die)
        with pytest.raises(WorkerKilled):
            runners.contract_import(job, services.Progress(job))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not Contract.objects.exists()

    # Its heartbeat goes silent; the sweep queues the job again and a worker runs it.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=61))
    assert [j.pk for j in recovery.jobs_recover().requeued] == [job.pk]
    assert tasks.run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.attempts, job.done, job.total) == (2, 3, 3)
    assert job.message == "3 avtal registrerades, med 2 nya leverantörer.", job.message
    assert sorted(Contract.objects.values_list("contract_number", flat=True)) == ["IMP-1", "IMP-2", "IMP-3"]
    assert AuditEvent.objects.filter(action="contract.registered").count() == 3


def test_an_attempt_overtaken_by_a_later_one_commits_nothing(world: Any, client_for: Any, settings: Any) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    client.post(url, mapping | {"action": "import"})
    job = Job.objects.get()
    assert services.job_mark_running(job)
    Job.objects.filter(pk=job.pk).update(attempts=2)  # requeued and claimed again meanwhile
    with pytest.raises(services.JobTakenOver):
        runners.contract_import(job, services.Progress(job))
    assert not Contract.objects.exists() and Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_large_register_s_trial_run_is_a_job_whose_report_is_the_mapping_page_s(
    world: Any, client_for: Any, immediate_tasks: None, settings: Any
) -> None:
    # The report the request makes for a small file ...
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(BAD))
    in_request = client.post(url, mapping | {"action": "dry_run"})
    assert in_request.status_code == 400 and not Job.objects.exists()
    # ... and the one a job makes for a large file are the same.
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    response = client.post(url, mapping | {"action": "dry_run"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert (job.kind, job.status, job.done, job.total) == (JobKind.CONTRACT_TRIAL_RUN, JobStatus.SUCCEEDED, 4, 4)
    errors = len(in_request.context["result"].errors)
    assert job.message == f"Provkörning: filen har {errors} fel; ingenting importerades.", job.message
    assert not Contract.objects.exists()
    page = client.get(reverse("jobs:detail", args=[job.uuid])).content.decode()
    assert f'href="{job.result_url}"' in page.replace("&amp;", "&")
    assert reverse("jobs:result", args=[job.uuid]) not in page  # the report is a page, not a download
    report = client.get(job.result_url)
    assert report.status_code == 200
    assert report.context["result"].rows == in_request.context["result"].rows
    assert mapping_for(report) == mapping  # the mapping the trial run used, ready to change

    def section(html: str) -> str:
        return html[html.index('<div class="error-summary"') : html.index("<h2>", html.index("</table>"))]

    assert section(report.content.decode()) == section(in_request.content.decode())
    # The upload stays for the import that follows; the job's copy of it is gone.
    assert importing.stored_path(url.rstrip("/").rsplit("/", 1)[-1], "csv") is not None
    assert not any((settings.MEDIA_ROOT / "jobs").rglob("*.csv"))


def test_a_good_trial_run_by_a_job_offers_the_import(
    world: Any, client_for: Any, immediate_tasks: None, settings: Any
) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    client.post(url, mapping | {"action": "dry_run"})
    job = Job.objects.get()
    assert "3 avtal skulle registreras" in job.message, job.message
    report = client.get(job.result_url).content.decode()
    assert "Provkörning: inga fel" in report and 'value="import"' in report
    assert not Contract.objects.exists()
    client.post(url, mapping | {"action": "import"})
    assert Contract.objects.count() == 3


def test_a_trial_run_s_report_is_its_owner_s_alone(
    world: Any, client_for: Any, second_officer: Any, immediate_tasks: None, settings: Any
) -> None:
    settings.KRAVSPAR_IMPORT_JOB_BYTES = 10
    client = client_for(world.officer)
    url, mapping = start(client, csv_file(GOOD))
    client.post(url, mapping | {"action": "dry_run"})
    job = Job.objects.get()
    assert client.get(job.result_url).status_code == 200
    # The job's key on another upload of the owner's: not that upload's report.
    url2, _mapping2 = start(client, csv_file(GOOD[:1]))
    assert client.get(url2 + f"?provkorning={job.uuid}").status_code == 404
    # A key that names no job of the owner's: 404, no hint whether it exists.
    assert client.get(url + "?provkorning=00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(url + "?provkorning=nonsense").status_code == 404
    # Another officer may import contracts, but neither the upload nor the job is theirs.
    assert client_for(second_officer).get(job.result_url).status_code == 404
    assert client_for(world.orderer_vm).get(job.result_url).status_code in (403, 404)


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


QUERIES_TO_REUSE = 11  # session and user, the contract with its access check, its report's inputs, the job


def test_a_large_contract_s_report_link_starts_a_job_its_owner_alone_sees(
    world: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
    make_contract: Any,  # noqa: F811
    immediate_tasks: None,
    settings: Any,
) -> None:
    contract = make_contract(buyers=[world.vastmanland], contract_number="RV-2026-0901")
    pdf_url = reverse("reports:contract_pdf", args=[contract.uuid])
    # Small: the PDF at once.
    small = client_for(world.officer).get(pdf_url)
    assert small["Content-Type"] == "application/pdf" and not Job.objects.exists()
    settings.KRAVSPAR_CONTRACT_PDF_JOB_ROWS = -1
    # An orderer of the other region reaches neither the contract nor a job for its report.
    assert client_for(world.orderer_sl).get(pdf_url).status_code == 404
    assert client_for(world.supplier_contact).get(pdf_url).status_code in (403, 404)
    assert not Job.objects.exists()

    client = client_for(world.orderer_vm)  # one test client: logged in as each person in turn
    response = client.get(pdf_url)  # the link itself, no button to press
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.uuid])
    assert (job.kind, job.status, job.owner) == (JobKind.CONTRACT_REPORT, JobStatus.SUCCEEDED, world.orderer_vm)
    result = client.get(reverse("jobs:result", args=[job.uuid]))
    assert b"".join(result.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert 'filename="uppfoljningsrapport-RV-2026-0901.pdf"' in result["Content-Disposition"]
    # Opened again while nothing in the report changed: the same job and its PDF, found with
    # a fixed number of queries however many follow-ups the contract has.
    with django_assert_max_num_queries(QUERIES_TO_REUSE):
        assert client.get(pdf_url)["Location"] == response["Location"]
    assert Job.objects.count() == 1
    # Another person with access gets a job of their own; the first one's stays theirs alone.
    officer = client_for(world.officer)
    assert officer.get(pdf_url)["Location"] != response["Location"] and Job.objects.count() == 2
    assert officer.get(reverse("jobs:result", args=[job.uuid])).status_code == 404
    assert officer.get(response["Location"]).status_code == 404


def test_a_changed_contract_or_a_failed_job_makes_its_report_anew(
    world: Any,
    client_for: Any,
    make_contract: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.KRAVSPAR_CONTRACT_PDF_JOB_ROWS = -1
    contract = make_contract(buyers=[world.vastmanland], contract_number="RV-2026-0902")
    pdf_url = reverse("reports:contract_pdf", args=[contract.uuid])
    client = client_for(world.orderer_vm)
    first = client.get(pdf_url)["Location"]
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED  # the database queue: no worker in this test
    assert client.get(pdf_url)["Location"] == first  # queued: the same job, not a second one
    Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=5))
    second = client.get(pdf_url)["Location"]
    assert second != first and Job.objects.count() == 2
    Job.objects.filter(status=JobStatus.QUEUED).update(status=JobStatus.FAILED)
    assert client.get(pdf_url)["Location"] not in (first, second) and Job.objects.count() == 3
