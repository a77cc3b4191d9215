"""Pages for the regions' environmental-programme goals (miljömål)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.forms import ServiceModelForm
from kravspar.core.formviews import form_page, saved, without_version
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
    return form_page(
        request,
        form,
        template="procurements/goal_form.html",
        save=lambda data: services.goal_create(actor=request.user, organisation=region, **without_version(data)),  # type: ignore[arg-type]
        done=saved(request, _("The goal was added."), "goals:list", key=region.uuid),
        context={"region": region, "goal": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, key: str) -> HttpResponse:
    goal = _goal_for(request, key)
    if not _can_manage(request, goal.organisation):
        raise PermissionDenied
    initial = {f: getattr(goal, f) for f in GoalForm.Meta.fields} | {"version": goal.version}
    form = GoalForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="procurements/goal_form.html",
        save=lambda data: services.goal_update(
            actor=request.user,  # type: ignore[arg-type]
            goal=goal,
            expected_version=data["version"],
            **without_version(data),
        ),
        done=saved(request, _("Your changes were saved."), "goals:list", key=goal.organisation.uuid),
        context={
            "region": goal.organisation,
            "goal": goal,
            "history": paginate(request, audit_events_for(goal), per_page=20),
        },
    )


app_name = "goals"
urlpatterns = [
    path("mal/<str:key>/andra/", goal_edit, name="edit"),
    path("<str:key>/", goal_list, name="list"),
    path("<str:key>/nytt/", goal_create, name="create"),
]
