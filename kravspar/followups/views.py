from __future__ import annotations

import calendar as pycalendar
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors
from kravspar.core.formviews import form_post, saved
from kravspar.core.pagination import keyset_paginate, paginate, querystring_without_page
from kravspar.followups import calendar, planning, selectors, services, uploads
from kravspar.followups.forms import (
    AssignForm,
    CancelForm,
    CompleteForm,
    EvidenceForm,
    FeedForm,
    NotesForm,
    TransitionForm,
    WorkListFilterForm,
)
from kravspar.followups.models import Activity, ActivityStatus, CalendarFeed, Evidence
from kravspar.records.models import DISPOSED
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import DownloadKind, MarkKind

S = ActivityStatus


def _list_template(request: HttpRequest, full: str, partial: str) -> str:
    return partial if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    """Mina uppföljningar: what is due soon, overdue or waiting for me."""
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    today = timezone.localdate()
    form = WorkListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "open"
    scope = data.get("scope") or "mine"
    qs = selectors.work_list(
        request.user, today=today, view=view, scope=scope, status=data.get("status", ""), q=data.get("q", "")
    )
    return render(
        request,
        _list_template(request, "followups/work_list.html", "followups/_work_list_results.html"),
        {
            "form": form,
            "view": view,
            "scope": scope,
            "counts": selectors.work_list_counts(request.user, today=today, scope=scope),
            "page": keyset_paginate(request, qs, field="due_on"),
            "querystring": querystring_without_page(request),
            "today": today,
        },
    )


def _parse_month(value: str | None, today: datetime.date) -> datetime.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
def month_calendar(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    today = timezone.localdate()
    first = _parse_month(request.GET.get("manad"), today)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    scope = "all" if request.GET.get("vem") == "alla" else "mine"
    by_day: dict[datetime.date, list[Activity]] = {}
    for activity in selectors.month_activities(request.user, first=first, last=last, scope=scope):
        by_day.setdefault(activity.due_on, []).append(activity)
    weeks = [
        [(day, by_day.get(day, [])) if day.month == first.month else (None, []) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return render(
        request,
        "followups/calendar.html",
        {
            "first": first,
            "weeks": weeks,
            "today": today,
            "scope": scope,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "count": sum(len(v) for v in by_day.values()),
        },
    )


def _responsible_choices(request: HttpRequest, activity: Activity) -> Any:
    people = access.people_visible_to(request.user).filter(is_active=True)
    if activity.responsible_unit_id:
        people = people.filter(Q(unit_id=activity.responsible_unit_id) | Q(pk=activity.responsible_person_id))
    return people.select_related("unit").order_by("first_name", "last_name")


def _detail(request: HttpRequest, activity: Activity, status: int = 200, **forms: Any) -> HttpResponse:
    can_record = access.can_record_activity(request.user, activity)
    version = {"version": activity.version}
    context = {
        "activity": activity,
        "can_record": can_record,
        "next_states": services.next_states(activity) if can_record else [],
        "is_open": activity.status not in (S.DONE, S.CANCELLED),
        "evidence": secrecy_access.attach(
            request.user, MarkKind.EVIDENCE, activity.evidence.select_related("uploaded_by")
        ),
        "can_mark": secrecy_access.can_mark(request.user),
        "history": paginate(request, audit_events_for(activity), per_page=20),
        "transition_form": TransitionForm(initial=version),
        "complete_form": forms.get("complete_form") or CompleteForm(initial=version),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial=version),
        "notes_form": forms.get("notes_form") or NotesForm(initial=version | {"notes": activity.notes}),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial=version | {"person": activity.responsible_person_id},
            people=_responsible_choices(request, activity) if can_record else User.objects.none(),
        ),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "max_evidence_bytes": uploads.max_bytes(),
        "can_remove_evidence": can_record and activity.status in uploads.REMOVABLE,
        "states": S,
        # Inköp raises deviations; whoever records the follow-up reports them, for Inköp to assess.
        "can_raise_deviation": access.can_manage_findings(request.user) or can_record,
        "reports_deviation": not access.can_manage_findings(request.user),
        "deviations": activity.deviations.order_by("raised_on", "id"),
    }
    return render(request, "followups/activity_detail.html", context, status=status)


@login_required
@require_GET
def activity_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _detail(request, access.activity_for(request.user, key))


_SIMPLE = {"start": S.IN_PROGRESS, "await-supplier": S.AWAITING_SUPPLIER, "review": S.UNDER_REVIEW}


@login_required
@require_POST
def activity_transition(request: HttpRequest, key: str, action: str) -> HttpResponse:
    activity = access.activity_for(request.user, key, change=True)
    user: User = request.user  # type: ignore[assignment]
    form: Any
    if action in _SIMPLE:
        form, form_name = TransitionForm(request.POST), ""
    elif action == "complete":
        form, form_name = CompleteForm(request.POST), "complete_form"
    elif action == "cancel":
        form, form_name = CancelForm(request.POST), "cancel_form"
    else:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action in _SIMPLE:
                done = services.activity_transition(
                    actor=user, activity=activity, to=_SIMPLE[action], expected_version=data["version"]
                )
            elif action == "complete":
                done = services.activity_complete(
                    actor=user,
                    activity=activity,
                    outcome=data["outcome"],
                    note=data["note"],
                    no_deviation_reason=data["no_deviation_reason"],
                    expected_version=data["version"],
                )
            else:
                done = services.activity_cancel(
                    actor=user, activity=activity, reason=data["reason"], expected_version=data["version"]
                )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up is now “%(status)s”.") % {"status": done.get_status_display()})
            return redirect("followups:detail", key=activity.uuid)
    if not form_name:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("followups:detail", key=activity.uuid)
    return _detail(request, _reload(request, activity), 400, **{form_name: form})


def _reload(request: HttpRequest, activity: Activity) -> Activity:
    return access.activity_for(request.user, activity.uuid)


@login_required
@require_POST
def activity_notes(request: HttpRequest, key: str) -> HttpResponse:
    activity = access.activity_for(request.user, key, change=True)
    form = NotesForm(request.POST)
    return form_post(
        form,
        save=lambda data: services.activity_update_notes(
            actor=request.user,  # type: ignore[arg-type]
            activity=activity,
            notes=data["notes"],
            expected_version=data["version"],
        ),
        done=saved(request, _("Your changes were saved."), "followups:detail", key=activity.uuid),
        failed=lambda: _detail(request, _reload(request, activity), 400, notes_form=form),
    )


@login_required
@require_POST
def activity_assign(request: HttpRequest, key: str) -> HttpResponse:
    activity = access.activity_for(request.user, key, change=True)
    form = AssignForm(request.POST, people=_responsible_choices(request, activity))
    return form_post(
        form,
        save=lambda data: services.activity_assign(
            actor=request.user,  # type: ignore[arg-type]
            activity=activity,
            person=data["person"],
            expected_version=data["version"],
        ),
        done=saved(request, _("Your changes were saved."), "followups:detail", key=activity.uuid),
        failed=lambda: _detail(request, _reload(request, activity), 400, assign_form=form),
    )


@login_required
@require_POST
def evidence_upload(request: HttpRequest, key: str) -> HttpResponse:
    activity = access.activity_for(request.user, key, change=True)
    form = EvidenceForm(request.POST, request.FILES)

    def done(evidence: Evidence) -> HttpResponse:
        messages.success(request, _("%(name)s was added.") % {"name": evidence.original_name})
        return redirect("followups:detail", key=activity.uuid)

    return form_post(
        form,
        save=lambda data: uploads.evidence_add(
            actor=request.user,  # type: ignore[arg-type]
            activity=activity,
            upload=data["file"],
        ),
        done=done,
        failed=lambda: _detail(request, activity, 400, evidence_form=form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_remove(request: HttpRequest, key: str, evidence_key: str) -> HttpResponse:
    """Confirm, with a reason, and remove a file uploaded by mistake."""
    activity = access.activity_for(request.user, key, change=True)
    try:
        evidence = get_object_or_404(
            Evidence.objects.select_related("uploaded_by"), activity=activity, uuid=evidence_key
        )
    except ValidationError:
        raise Http404 from None
    evidence.activity = activity
    error = ""
    if request.method == "POST":
        try:
            uploads.evidence_remove(
                actor=request.user,  # type: ignore[arg-type]
                evidence=evidence,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("%(name)s was removed.") % {"name": evidence.original_name})
            return redirect("followups:detail", key=activity.uuid)
    return render(
        request,
        "followups/confirm_evidence_remove.html",
        {"activity": activity, "evidence": evidence, "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, key: str, evidence_key: str) -> FileResponse:
    """The only way to an evidence file: it is never under a static or media URL."""
    activity = access.activity_for(request.user, key)
    try:
        evidence = get_object_or_404(Evidence, activity=activity, uuid=evidence_key)
    except ValidationError:
        raise Http404 from None
    if evidence.file.name == DISPOSED:  # disposed of under the retention schedule: the file is gone
        raise Http404
    secrecy.require_visible(request.user, MarkKind.EVIDENCE, evidence)
    secrecy.download_logged(
        user=request.user,
        kind=DownloadKind.EVIDENCE,
        item=evidence,
        file_name=evidence.original_name,
        contract=activity.contract,
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def contract_replan(request: HttpRequest, key: str) -> HttpResponse:
    contract = access.contract_for(request.user, key, change=True)
    try:
        result = planning.contract_replan(actor=request.user, contract=contract)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The plan was updated: %(created)s added, %(moved)s moved, %(cancelled)s cancelled.") % result.as_dict(),
        )
    return redirect("followups:contract_plan", key=contract.uuid)


@login_required
@require_GET
def contract_plan(request: HttpRequest, key: str) -> HttpResponse:
    contract = access.contract_for(request.user, key)
    qs = (
        Activity.objects.filter(contract=contract)
        .select_related("requirement", "responsible_unit", "responsible_person")
        .order_by("due_on", "id")
    )
    return render(
        request,
        "followups/contract_plan.html",
        {
            "contract": contract,
            "page": paginate(request, qs, per_page=100),
            "querystring": "",
            "can_plan": access.can_change_contract(request.user, contract) and planning.has_plan(contract),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    """The person's calendar feeds. A new feed's address is shown on this response only."""
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    user: User = request.user  # type: ignore[assignment]
    form = FeedForm(request.POST or None)
    new_url = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["contract_number"].strip()
            contract = None
            if number:
                contract = access.contracts_visible_to(user).filter(contract_number=number).first()
                if contract is None:
                    form.add_error("contract_number", _("No contract you can see has this number."))
            if not form.errors:
                _feed, token = calendar.feed_create(actor=user, contract=contract)
                new_url = request.build_absolute_uri(reverse("followups:ical", args=[token]))
                form = FeedForm()
        if form.errors:
            status = 400
    response = render(
        request,
        "followups/feeds.html",
        {
            "form": form,
            "new_url": new_url,
            "feeds": CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("contract")
            .order_by("-created_at"),
        },
        status=status,
    )
    if new_url:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def feed_revoke(request: HttpRequest, feed_key: str) -> HttpResponse:
    try:
        feed = get_object_or_404(CalendarFeed, uuid=feed_key, user=request.user)
    except ValidationError:
        raise Http404 from None
    calendar.feed_revoke(actor=request.user, feed=feed)  # type: ignore[arg-type]
    messages.success(request, _("The calendar feed was turned off. Calendars that used it stop updating."))
    return redirect("followups:feeds")


@never_cache
@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the token is the key. Unknown, revoked or no longer allowed → 404."""
    feed = calendar.feed_for_token(token)
    if feed is None:
        raise Http404
    activities = calendar.feed_activities(feed, today=timezone.localdate())
    if activities is None:
        raise Http404
    name = (
        _("Kravspår: %(contract)s") % {"contract": feed.contract.contract_number}
        if feed.contract
        else _("Kravspår: my follow-ups")
    )
    response = HttpResponse(calendar.build_ical(activities, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kravspar.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
