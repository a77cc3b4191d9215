"""Pages for the regions' environmental-programme goals (miljömål)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.forms import ServiceModelForm, add_service_errors
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate
from kravspar.organisations.models import Organisation
from kravspar.procurements import services
from kravspar.procurements.models import EnvironmentalGoal


class GoalForm(ServiceModelForm):
    class Meta:
        model = EnvironmentalGoal
        fields = ["programme", "code", "title", "description", "valid_from", "valid_to"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


def _can_manage(request: HttpRequest, region: Organisation) -> bool:
    return access.has_perm(request.user, Perm.MANAGE_GOALS)


@login_required
def goal_list(request: HttpRequest, key: str) -> HttpResponse:
    region = access.organisation_for(request.user, key)
    today = timezone.localdate()
    goals = region.environmental_goals.all().order_by("-valid_from", "code")
    return render(
        request,
        "procurements/goal_list.html",
        {
            "region": region,
            "current": [g for g in goals if g.valid_from <= today and (g.valid_to is None or g.valid_to >= today)],
            "other": [g for g in goals if not (g.valid_from <= today and (g.valid_to is None or g.valid_to >= today))],
            "can_manage": _can_manage(request, region) and region.parent_id is None,
        },
    )


def _goal_for(request: HttpRequest, key: str) -> EnvironmentalGoal:
    goal = EnvironmentalGoal.objects.select_related("organisation").filter(uuid=key).first() if is_uuid(key) else None
    if goal is None:
        raise Http404
    access.organisation_for(request.user, goal.organisation.uuid)  # 404 if the region is invisible
    return goal


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, key: str) -> HttpResponse:
    region = access.organisation_for(request.user, key)
    if not _can_manage(request, region):
        raise PermissionDenied
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.goal_create(actor=request.user, organisation=region, **data)  # type: ignore[arg-type]
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The goal was added."))
            return redirect("goals:list", key=region.uuid)
    return render(
        request,
        "procurements/goal_form.html",
        {"form": form, "region": region, "goal": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, key: str) -> HttpResponse:
    goal = _goal_for(request, key)
    if not _can_manage(request, goal.organisation):
        raise PermissionDenied
    initial = {f: getattr(goal, f) for f in GoalForm.Meta.fields} | {"version": goal.version}
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.goal_update(
                actor=request.user,  # type: ignore[arg-type]
                goal=goal,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("goals:list", key=goal.organisation.uuid)
    return render(
        request,
        "procurements/goal_form.html",
        {
            "form": form,
            "region": goal.organisation,
            "goal": goal,
            "history": paginate(request, audit_events_for(goal), per_page=20),
        },
        status=400 if request.method == "POST" else 200,
    )


app_name = "goals"
urlpatterns = [
    path("mal/<str:key>/andra/", goal_edit, name="edit"),
    path("<str:key>/", goal_list, name="list"),
    path("<str:key>/nytt/", goal_create, name="create"),
]
