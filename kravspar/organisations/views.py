from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core import pickers
from kravspar.core.formviews import created, form_page, saved, without_version
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.organisations import services
from kravspar.organisations.forms import OrganisationFilterForm, OrganisationForm, UnitForm
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation


def _list_template(request: HttpRequest, full: str, partial: str) -> str:
    # htmx asks for just the results when the person types in the search field.
    return partial if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_ORGANISATIONS)
    form = OrganisationFilterForm(request.GET or None)
    qs = (
        access.organisations_visible_to(request.user)
        .select_related("parent")
        .annotate(unit_count=Count("units", filter=Q(units__is_active=True)))
    )
    status = "active"
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            cond = Q(name__icontains=q) | Q(city__icontains=q)
            try:
                cond |= Q(org_number=normalise_org_number(q))
            except ValidationError:
                cond |= Q(org_number__startswith=q.replace("-", ""))
            qs = qs.filter(cond)
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["county"]:
            qs = qs.filter(county=data["county"])
        status = data["status"] or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    page = paginate(request, qs.order_by("name"))
    return render(
        request,
        _list_template(request, "organisations/organisation_list.html", "organisations/_organisation_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(request.user, Perm.MANAGE_ORGANISATIONS),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, key: str) -> HttpResponse:
    org = access.organisation_for(request.user, key)
    units = org.units.annotate(people_count=Count("people")).order_by("-is_active", "name")
    people = access.people_visible_to(request.user).filter(organisation=org).select_related("unit")[:50]
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "org": org,
            "units": units,
            "people": people,
            "children": org.children.all(),
            "history": paginate(request, audit_events_for(org), per_page=20),
            "can_manage": access.can_change_organisation(request.user, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.MANAGE_ORGANISATIONS)
    return form_page(
        request,
        OrganisationForm(request.POST or None),
        template="organisations/organisation_form.html",
        save=lambda data: services.organisation_create(actor=request.user, **without_version(data)),  # type: ignore[arg-type]
        done=created(request, lambda org: _("%(name)s was registered.") % {"name": org.name}, "organisations:detail"),
        context={"org": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, key: str) -> HttpResponse:
    org = access.organisation_for(request.user, key, change=True)
    initial = {f: getattr(org, f) for f in OrganisationForm.Meta.fields} | {
        "parent": org.parent_id,
        "version": org.version,
    }
    return form_page(
        request,
        OrganisationForm(request.POST or None, initial=initial),
        template="organisations/organisation_form.html",
        save=lambda data: services.organisation_update(
            actor=request.user,  # type: ignore[arg-type]
            organisation=org,
            expected_version=data["version"],
            **without_version(data),
        ),
        done=saved(request, _("Your changes were saved."), "organisations:detail", key=org.uuid),
        context={"org": org},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_set_active(request: HttpRequest, key: str) -> HttpResponse:
    """Deactivate or reactivate after a confirmation page."""
    org = access.organisation_for(request.user, key, change=True)
    if request.method == "POST":
        services.organisation_set_active(actor=request.user, organisation=org, active=not org.is_active)  # type: ignore[arg-type]
        messages.success(
            request,
            (_("%(name)s was reactivated.") if not org.is_active else _("%(name)s was deactivated."))
            % {"name": org.name},
        )
        return redirect("organisations:detail", key=org.uuid)
    return render(request, "organisations/confirm_active.html", {"obj": org, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, key: str) -> HttpResponse:
    org = access.organisation_for(request.user, key, change=True)
    form = UnitForm(request.POST or None)
    form.fields["serves"].queryset = Organisation.objects.exclude(pk=org.pk)  # type: ignore[attr-defined]
    return form_page(
        request,
        form,
        template="organisations/unit_form.html",
        save=lambda data: services.unit_create(
            actor=request.user,  # type: ignore[arg-type]
            organisation=org,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            serves=data["serves"],
        ),
        done=created(
            request, lambda unit: _("The unit %(name)s was created.") % {"name": unit.name}, "organisations:unit_detail"
        ),
        context={"org": org, "unit": None},
    )


@login_required
def unit_detail(request: HttpRequest, key: str) -> HttpResponse:
    unit = access.unit_for(request.user, key)
    return render(
        request,
        "organisations/unit_detail.html",
        {
            "unit": unit,
            "serves": unit.serves.all(),
            "people": access.people_visible_to(request.user).filter(unit=unit),
            "history": paginate(request, audit_events_for(unit), per_page=20),
            "can_manage": access.can_change_organisation(request.user, unit.organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, key: str) -> HttpResponse:
    unit = access.unit_for(request.user, key, change=True)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "description": unit.description,
        "serves": list(unit.serves.values_list("pk", flat=True)),
        "followup_contact": unit.followup_contact_id,
        "version": unit.version,
    }
    people = User.objects.filter(unit=unit, is_active=True).order_by("first_name", "last_name")
    form = UnitForm(request.POST or None, initial=initial, people=people)
    form.fields["serves"].queryset = Organisation.objects.exclude(pk=unit.organisation_id)  # type: ignore[attr-defined]
    return form_page(
        request,
        form,
        template="organisations/unit_form.html",
        save=lambda data: services.unit_update(
            actor=request.user,  # type: ignore[arg-type]
            unit=unit,
            expected_version=data["version"],
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            serves=data["serves"],
            followup_contact=data["followup_contact"],
        ),
        done=saved(request, _("Your changes were saved."), "organisations:unit_detail", key=unit.uuid),
        context={"org": unit.organisation, "unit": unit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_set_active(request: HttpRequest, key: str) -> HttpResponse:
    unit = access.unit_for(request.user, key, change=True)
    if request.method == "POST":
        services.unit_set_active(actor=request.user, unit=unit, active=not unit.is_active)  # type: ignore[arg-type]
        messages.success(
            request,
            (_("%(name)s was reactivated.") if not unit.is_active else _("%(name)s was deactivated."))
            % {"name": unit.name},
        )
        return redirect("organisations:unit_detail", key=unit.uuid)
    return render(request, "organisations/confirm_active.html", {"obj": unit, "org": unit.organisation})


@login_required
@require_safe
def organisation_options(request: HttpRequest) -> HttpResponse:
    """The options of an organisation picker while typing (an htmx fragment): at most
    ``pickers.LIMIT`` of the organisations the person sees, by name or organisation number."""
    access.require_perm(request.user, Perm.VIEW_ORGANISATIONS)
    visible = access.organisations_visible_to(request.user)
    context = pickers.options_context(visible, request.GET.get("q", "")[:100])
    return render(request, "includes/_picker_options.html", context)
