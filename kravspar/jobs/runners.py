"""What each kind of job does. A runner reads what it needs from ``job.params``, acts as
``job.owner`` (the same access rules as the page it replaces: a job never reaches a row its
owner could not), reports progress and ends with ``services.job_succeed``; raising fails the
job with a message for its owner."""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kravspar.jobs import services
from kravspar.jobs.models import Job, JobKind

Runner = Callable[[Job, services.Progress], None]
RUNNERS: dict[str, Runner] = {}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 500  # rows between two progress updates of an export


def runner(kind: str) -> Callable[[Runner], Runner]:
    def register(function: Runner) -> Runner:
        RUNNERS[kind] = function
        return function

    return register


@runner(JobKind.INVOICE_UPLOAD)
def invoice_upload(job: Job, progress: services.Progress) -> None:
    """The files of an upload, into one batch for all the job's attempts: a retry after a
    worker died continues the batch (``import_files(batch=...)``), which ends with the counts
    of what it stored, each invoice once."""
    from kravspar.accounts import access
    from kravspar.invoices.models import BatchStatus
    from kravspar.invoices.services import import_files

    files = [services.job_input(job, i) for i in range(len(job.params.get("inputs", [])))]
    progress.set_total(len(files))
    batch = _upload_batch(job, [name for name, _data in files])
    if batch.status == BatchStatus.RUNNING:  # not when an earlier attempt ended it and then died
        batch, _outcomes = import_files(
            files,
            actor=job.owner,
            source=batch.source,
            allowed_buyer_ids=access.visible_organisation_ids(job.owner),
            progress=lambda b: progress.set_done(b.file_count),
            batch=batch,
        )
    progress.set_done(len(files))
    services.job_succeed(
        job=job,
        url=reverse("invoices:batch", args=[batch.uuid]),
        message=_("%(imported)s of %(files)s files imported; %(duplicates)s duplicates and %(refused)s refused.")
        % {
            "imported": batch.imported_count,
            "files": batch.file_count,
            "duplicates": batch.duplicate_count,
            "refused": batch.refused_count,
        },
    )


def _upload_batch(job: Job, names: list[str]) -> Any:
    """The job's batch: the one its first attempt started, or a new one recorded on the job
    in the same transaction (so no attempt leaves a batch the job does not know)."""
    from django.db import transaction

    from kravspar.invoices.models import BatchSource, ImportBatch
    from kravspar.invoices.services import start_batch

    if "batch" in job.params:
        return ImportBatch.objects.get(uuid=job.params["batch"])
    with transaction.atomic():
        batch = start_batch(source=BatchSource.UPLOAD, actor=job.owner, label=", ".join(names))
        params = {**job.params, "batch": str(batch.uuid)}
        if not Job.objects.filter(pk=job.pk, attempts=job.attempts).update(params=params):
            raise services.JobTakenOver
    job.params = params
    return batch


def upload_recovered(job: Job, failure: str | None) -> None:
    """After the worker running an upload died: its batch's counters are set from what it
    stored; when the job is given up (``failure``), the batch ends failed with the reason."""
    from kravspar.invoices.batches import batch_recount
    from kravspar.invoices.models import BatchStatus, ImportBatch
    from kravspar.invoices.services import BatchRecorder

    batch = ImportBatch.objects.filter(uuid=job.params.get("batch"), status=BatchStatus.RUNNING).first()
    if batch is None:
        return  # the worker died before it started the batch, or after it ended it
    if failure is None:
        batch_recount(batch)
        return
    BatchRecorder(batch).finish(
        status=BatchStatus.FAILED,
        recount=True,
        message=_(
            "The import was stopped: the background worker running it stopped %(attempts)d times. The invoices "
            "stored before that stay stored; upload the files again to import the rest (those already stored are "
            "then reported as duplicates)."
        )
        % {"attempts": job.attempts},
    )


# What to put right after a job's worker died: called by ``recovery.job_recover`` in its
# transaction with None when the job is queued again, or the reason when it is given up.
RECOVERED: dict[str, Callable[[Job, str | None], None]] = {JobKind.INVOICE_UPLOAD: upload_recovered}


def _counted(rows: Any, progress: services.Progress) -> Iterator[Any]:
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress.set_done(count)
    progress.set_done(count)


@runner(JobKind.EXPORT)
def export(job: Job, progress: services.Progress) -> None:
    from kravspar.reports import exports

    maker = exports.LISTS[job.params["list"]]
    params = QueryDict(mutable=True)
    for key, values in job.params.get("filters", {}).items():
        params.setlist(key, values)
    data = maker(job.owner, params)
    progress.set_total(job.params.get("rows"))
    data.rows = _counted(data.rows, progress)
    fmt = job.params["format"]
    with tempfile.TemporaryFile() as handle:
        if fmt == "csv":
            for line in exports.csv_lines(data):
                handle.write(line.encode("utf-8"))
            content_type = "text/csv; charset=utf-8"
        else:
            exports.write_xlsx(data, handle)
            content_type = XLSX
        handle.seek(0)
        services.job_succeed(job=job, file_name=exports.filename(data, fmt), content=handle, content_type=content_type)


@runner(JobKind.ANNUAL_REPORT)
def annual_report(job: Job, progress: services.Progress) -> None:
    from kravspar.accounts import access
    from kravspar.reports import figures, pdf
    from kravspar.reports.scope import resolve

    organisation = access.organisation_for(job.owner, job.params["organisation"])
    year = int(job.params["year"])
    progress.set_total(1)
    scope = resolve(
        job.owner,
        key=f"org:{organisation.uuid}",
        date_from=datetime.date(year, 1, 1),
        date_to=datetime.date(year, 12, 31),
        today=timezone.localdate(),
    )
    content = pdf.annual_report(organisation, figures.dashboard(scope), year=year)
    progress.set_done(1)
    services.job_succeed(
        job=job,
        file_name=f"arsrapport-{organisation.org_number}-{year}.pdf",
        content=content,
        content_type="application/pdf",
    )


@runner(JobKind.OCDS)
def ocds_file(job: Job, progress: services.Progress) -> None:
    """The same package as ``export_ocds`` (the nightly file), built by the same code."""
    from kravspar.opendata import ocds
    from kravspar.opendata.filters import parse_filters
    from kravspar.opendata.management.commands.export_ocds import default_uri

    releases = ocds.iter_releases(parse_filters(organisation=None, since=None), chunk_size=ocds.DEFAULT_CHUNK)
    count = 0

    def counted(_release: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress.set_done(count)

    pieces = ocds.package_pieces(releases, uri=default_uri(None, None), on_release=counted)
    with tempfile.TemporaryFile() as handle:
        for piece in pieces:
            handle.write(piece.encode("utf-8"))
        handle.seek(0)
        progress.set_done(count)
        services.job_succeed(
            job=job,
            message=_("%(count)s releases.") % {"count": count},
            file_name=f"ocds-{timezone.localdate():%Y-%m-%d}.json",
            content=handle,
            content_type="application/json",
        )


@runner(JobKind.PRICELIST_IMPORT)
def pricelist_import(job: Job, progress: services.Progress) -> None:
    from kravspar.accounts import access
    from kravspar.spend import pricelists

    contract = access.contract_for(job.owner, job.params["contract"], change=True)
    file_name, data = services.job_input(job, 0)
    progress.set_total(1)
    result = pricelists.pricelist_import(
        actor=job.owner, contract=contract, data=data, file_name=file_name, dry_run=False
    )
    progress.set_done(1)
    services.job_succeed(
        job=job,
        url=reverse("spend:pricelist", kwargs={"key": contract.uuid}),
        message=_("The price list was updated: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": result["created"], "updated": result["updated"], "unchanged": result["unchanged"]},
    )


def _register_sheet(job: Job) -> tuple[str, Any]:
    from pathlib import Path

    from kravspar.reports import importing

    file_name, data = services.job_input(job, 0)
    with tempfile.TemporaryDirectory(prefix="kravspar-import-") as folder:
        path = Path(folder) / f"register.{job.params['extension']}"
        path.write_bytes(data)
        return file_name, importing.read_sheet(path)


def _register_mapping(job: Job) -> dict[str, int | None]:
    return {key: (None if index is None else int(index)) for key, index in job.params["mapping"].items()}


@runner(JobKind.CONTRACT_IMPORT)
def contract_import(job: Job, progress: services.Progress) -> None:
    """A large contract register, after its mapping: one transaction (``run_import``) that
    also marks the job done, so a worker killed at any point leaves either nothing (and the
    requeued job imports the whole file) or the contracts with the job ended and its counts:
    a retry never meets its own earlier attempt's rows as "already registered"."""
    from kravspar.reports import importing

    file_name, sheet = _register_sheet(job)
    progress.set_total(len(sheet.rows))

    def done(result: importing.Result) -> None:
        progress.set_done(len(sheet.rows))
        succeeded = services.job_succeed(
            job=job,
            url=reverse("contracts:list") + "?strategy_missing=on",
            message=_("%(count)d contracts were registered, with %(suppliers)d new suppliers.")
            % {"count": result.created, "suppliers": result.new_suppliers},
        )
        if not succeeded:
            raise services.JobTakenOver

    result = importing.run_import(
        actor=job.owner, sheet=sheet, mapping=_register_mapping(job), commit=True, on_commit_inside=done
    )
    progress.set_done(len(sheet.rows))
    if not result.ok:
        errors = result.errors
        shown = " ".join(errors[:CONTRACT_IMPORT_ERRORS_SHOWN])
        if len(errors) > CONTRACT_IMPORT_ERRORS_SHOWN:
            shown += " " + _("… and %(count)d more.") % {"count": len(errors) - CONTRACT_IMPORT_ERRORS_SHOWN}
        services.job_fail(
            job=job, message=_("Nothing was imported from %(file)s. %(errors)s") % {"file": file_name, "errors": shown}
        )


@runner(JobKind.CONTRACT_TRIAL_RUN)
def contract_trial_run(job: Job, progress: services.Progress) -> None:
    """The trial run of a large contract register: the import rolled back (``run_import``
    with ``commit`` False), its row-by-row report kept as the job's result and shown on the
    mapping page as the trial run made in the request shows it."""
    from kravspar.reports import importing

    _file_name, sheet = _register_sheet(job)
    progress.set_total(len(sheet.rows))
    result = importing.run_import(actor=job.owner, sheet=sheet, mapping=_register_mapping(job), commit=False)
    progress.set_done(len(sheet.rows))
    if result.ok:
        message = _(
            "Trial run: no errors. %(count)d contracts would be registered, with %(suppliers)d new suppliers. "
            "Nothing has been saved yet."
        ) % {"count": result.created, "suppliers": result.new_suppliers}
    else:
        message = _("Trial run: the sheet has %(count)d errors; nothing was imported.") % {"count": len(result.errors)}
    services.job_succeed(
        job=job,
        url=reverse("reports:import_map", args=[job.params["token"]])
        + "?"
        + urlencode({importing.TRIAL_RUN_PARAMETER: str(job.uuid)}),
        message=message,
        file_name="provkorning.json",
        content=json.dumps(result.as_data(), ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


CONTRACT_IMPORT_ERRORS_SHOWN = 20


@runner(JobKind.CONTRACT_REPORT)
def contract_report(job: Job, progress: services.Progress) -> None:
    from kravspar.accounts import access
    from kravspar.reports import pdf

    contract = access.contract_for(job.owner, job.params["contract"])
    progress.set_total(1)
    content = pdf.contract_report(contract, today=timezone.localdate())
    progress.set_done(1)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in contract.contract_number)
    services.job_succeed(
        job=job, file_name=f"uppfoljningsrapport-{safe}.pdf", content=content, content_type="application/pdf"
    )
