"""The owner's background jobs: the list, one job with its progress bar (htmx polls the
status fragment until the job ends), its result, and the forms that start the jobs that have
no page of their own (a list export, the annual report, the OCDS file). A job is seen only
by the person who started it: anyone else gets 404, whatever their role."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.pagination import paginate
from kravspar.jobs import services
from kravspar.jobs.models import Job, JobKind


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def job_for(user: User, key: str) -> Job:
    """The job if ``user`` started it; 404 otherwise (no hint that it exists)."""
    try:
        parsed = uuid.UUID(str(key))
    except ValueError:
        raise Http404 from None
    job = Job.objects.filter(uuid=parsed, owner=user).first()
    if job is None:
        raise Http404
    return job


def poll_seconds() -> int:
    return int(getattr(settings, "KRAVSPAR_JOB_POLL_SECONDS", 1))


@login_required
@require_safe
def job_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = paginate(request, Job.objects.filter(owner=user).order_by("-created_at", "-id"))
    return render(request, "jobs/job_list.html", {"page": page, "can_ocds": access.is_administrator(user)})


@login_required
@require_safe
def job_detail(request: HttpRequest, key: str) -> HttpResponse:
    job = job_for(_user(request), key)
    template = "jobs/_job_poll.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job, "poll_seconds": poll_seconds()})


@login_required
@require_safe
def job_result(request: HttpRequest, key: str) -> FileResponse:
    job = job_for(_user(request), key)
    if not job.result_file:
        raise Http404
    response = FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_name or "resultat",
        content_type=job.result_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest, name: str) -> HttpResponse:
    """GET: what will be exported, with a button; POST: start the export as a job."""
    from kravspar.reports import exports

    if name not in exports.LISTS:
        raise Http404
    user = _user(request)
    source = request.POST if request.method == "POST" else request.GET
    filters = {k: source.getlist(k) for k in source if k not in ("csrfmiddlewaretoken", "format", "sida")}
    data = exports.LISTS[name](user, source.copy())  # checks the list's permission as the download does
    if request.method == "POST":
        fmt = request.POST.get("format", "xlsx")
        if fmt not in ("csv", "xlsx"):
            fmt = "xlsx"
        job = services.job_start(
            owner=user,
            kind=JobKind.EXPORT,
            title=_("Export: %(list)s (%(format)s)") % {"list": data.sheet, "format": fmt.upper()},
            params={"list": name, "format": fmt, "filters": filters},
        )
        return redirect("jobs:detail", job.uuid)
    return render(
        request,
        "jobs/export_start.html",
        {"name": name, "sheet": data.sheet, "filters": filters, "querystring": urlencode(filters, doseq=True)},
    )


@login_required
@require_POST
def annual_report_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    organisation = access.organisation_for(user, request.POST.get("organisation", ""))
    try:
        year = int(request.POST.get("year", timezone.localdate().year))
        datetime.date(year, 1, 1)
    except ValueError:
        raise Http404 from None
    job = services.job_start(
        owner=user,
        kind=JobKind.ANNUAL_REPORT,
        title=_("Annual report %(year)s: %(organisation)s") % {"year": year, "organisation": organisation.name},
        params={"organisation": str(organisation.uuid), "year": year},
    )
    return redirect("jobs:detail", job.uuid)


@login_required
@require_POST
def ocds_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.is_administrator(user):
        raise PermissionDenied
    job = services.job_start(owner=user, kind=JobKind.OCDS, title=_("Open data file (OCDS)"))
    return redirect("jobs:detail", job.uuid)
