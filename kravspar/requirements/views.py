"""Requirement pages: a procurement's requirements, and the library of reusable ones.
Every change goes through ``services``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.formviews import form_page, render_form, saved
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.procurements import selectors
from kravspar.procurements.forms import LibraryAddForm
from kravspar.procurements.models import Procurement
from kravspar.requirements import services
from kravspar.requirements.forms import (
    REQUIREMENT_FORM_FIELDS,
    ImportForm,
    LibraryFilterForm,
    RequirementForm,
    TemplateForm,
)
from kravspar.requirements.models import RequirementTemplate

IMPORT_SALT = "kravspar.requirements.library-import"
IMPORT_MAX_AGE = 60 * 60  # the checked file may be imported within an hour


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _requirements_url(procurement: Procurement) -> str:
    return reverse("procurements:detail", args=[procurement.uuid]) + "#requirements"


# --- A procurement's requirements -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def requirement_add(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    form = RequirementForm(request.POST or None)

    def done(requirement: Any) -> HttpResponse:
        messages.success(
            request, _("“%(title)s” was added. Plan its follow-up in the strategy.") % {"title": requirement.title}
        )
        return redirect(_requirements_url(procurement))

    return form_page(
        request,
        form,
        template="requirements/requirement_form.html",
        save=lambda _data: services.requirement_add(actor=user, procurement=procurement, **form.service_data()),
        done=done,
        context={"procurement": procurement, "requirement": None},
    )


@login_required
@require_POST
def requirement_add_from_library(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    form = LibraryAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a requirement from the library first."))
        return redirect(_requirements_url(procurement))
    template = form.cleaned_data["template"]
    try:
        requirement = services.requirement_add(actor=user, procurement=procurement, template=template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("“%(title)s” was added from the library. Plan its follow-up in the strategy.")
            % {"title": requirement.title},
        )
    return redirect(_requirements_url(procurement))


@login_required
@require_http_methods(["GET", "POST"])
def requirement_edit(request: HttpRequest, key: str, requirement_key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    requirement = selectors.requirement_of(procurement, requirement_key)
    initial = {f: getattr(requirement, f) for f in REQUIREMENT_FORM_FIELDS} | {"version": requirement.version}
    form = RequirementForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="requirements/requirement_form.html",
        save=lambda data: services.requirement_update(
            actor=user, requirement=requirement, expected_version=data["version"], **form.service_data()
        ),
        done=saved(request, _("Your changes were saved."), _requirements_url(procurement)),
        context={"procurement": procurement, "requirement": requirement},
    )


@login_required
@require_http_methods(["GET", "POST"])
def requirement_remove(request: HttpRequest, key: str, requirement_key: str) -> HttpResponse:
    """Remove after a confirmation page."""
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    requirement = selectors.requirement_of(procurement, requirement_key)
    if request.method == "POST":
        try:
            services.requirement_remove(actor=user, requirement=requirement)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("“%(title)s” was removed.") % {"title": requirement.title})
        return redirect(_requirements_url(procurement))
    return render(request, "requirements/confirm_remove.html", {"procurement": procurement, "requirement": requirement})


# --- The library ----------------------------------------------------------------------


def _template_for(key: str) -> RequirementTemplate:
    template = RequirementTemplate.objects.filter(uuid=key).first() if is_uuid(key) else None
    if template is None:
        raise Http404
    return template


def _list_template(request: HttpRequest, full: str, partial: str) -> str:
    return partial if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
@require_safe
def library_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    form = LibraryFilterForm(request.GET or None)
    qs = RequirementTemplate.objects.all()
    status = "active"
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            qs = qs.filter(Q(title__icontains=q) | Q(text__icontains=q) | Q(criterion_ref__icontains=q))
        if data["type"]:
            qs = qs.filter(type=data["type"])
        status = data["status"] or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    page = paginate(request, qs.order_by("type", "title"))
    return render(
        request,
        _list_template(request, "requirements/library_list.html", "requirements/_library_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(user, Perm.MANAGE_LIBRARY),
        },
    )


@login_required
@require_safe
def template_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    template = _template_for(key)
    return render(
        request,
        "requirements/template_detail.html",
        {
            "template": template,
            "history": paginate(request, audit_events_for(template), per_page=20),
            "can_manage": access.has_perm(user, Perm.MANAGE_LIBRARY),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_LIBRARY)
    form = TemplateForm(request.POST or None, initial={"is_active": True})
    del form.fields["is_active"]  # a new template is always offered

    def done(template: RequirementTemplate) -> HttpResponse:
        messages.success(request, _("“%(title)s” was added to the library.") % {"title": template.title})
        return redirect("requirements:detail", key=template.uuid)

    return form_page(
        request,
        form,
        template="requirements/template_form.html",
        save=lambda _data: services.template_create(actor=user, **form.service_data()),
        done=done,
        context={"template": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_LIBRARY)
    template = _template_for(key)
    initial = {f: getattr(template, f) for f in TemplateForm.Meta.fields} | {"version": template.version}
    form = TemplateForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="requirements/template_form.html",
        save=lambda data: services.template_update(
            actor=user, template=template, expected_version=data["version"], **form.service_data()
        ),
        done=saved(request, _("Your changes were saved."), "requirements:detail", key=template.uuid),
        context={"template": template},
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_import(request: HttpRequest) -> HttpResponse:
    """Check a CSV file first (nothing changes), then import what was checked."""
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_LIBRARY)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    context: dict[str, Any] = {"form": form, "columns": services.CSV_COLUMNS}
    if request.method != "POST":
        return render(request, "requirements/library_import.html", context)
    if "token" in request.POST:
        try:
            encoded = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            data = base64.b64decode(encoded)
        except (signing.BadSignature, binascii.Error, TypeError):
            message = _("The checked file is too old or was changed. Choose the file and check it again.")
            return render_form(
                request, "requirements/library_import.html", context | {"form": ImportForm(), "row_errors": [message]}
            )
        dry_run = False
    elif form.is_valid():
        data = form.cleaned_data["file"].read()
        dry_run = True
    else:
        return render_form(request, "requirements/library_import.html", context)
    try:
        result = services.library_import_csv(actor=user, data=data, dry_run=dry_run)
    except ValidationError as exc:
        return render_form(
            request, "requirements/library_import.html", context | {"form": ImportForm(), "row_errors": exc.messages}
        )
    if dry_run:
        token = signing.dumps(base64.b64encode(data).decode("ascii"), salt=IMPORT_SALT, compress=True)
        return render(
            request,
            "requirements/library_import.html",
            context | {"checked": result, "token": token, "file_name": form.cleaned_data["file"].name},
        )
    messages.success(
        request,
        _("The library was updated: %(created)d new, %(updated)d changed.")
        % {"created": result["created"], "updated": result["updated"]},
    )
    return redirect("requirements:library")
