"""Administrators' pages: the retention schedule, the register of processing and a person's
data extract; and the public privacy page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.audit.services import audit_record
from kravspar.core.errors import DomainError
from kravspar.records import gdpr, services
from kravspar.records.forms import RuleForm
from kravspar.records.models import RetentionRule


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not services.can_manage_records(user):
        raise PermissionDenied
    return user


def _add_errors(form: RuleForm, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    organisations = access.organisations_visible_to(user).order_by("name")
    form = RuleForm(request.POST or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.retention_rule_create(
                    actor=user,
                    organisation=data["organisation"],
                    record_type=data["record_type"],
                    anchor=data["anchor"],
                    period=data["period"],
                    unit=data["unit"],
                    decision=data["decision"],
                )
                messages.success(request, _("The retention rule was added."))
                return redirect("records:schedule")
            except ValidationError as error:
                _add_errors(form, error)
    rules = RetentionRule.objects.select_related("organisation")
    return render(request, "records/schedule.html", {"rules": rules, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _admin(request)
    rule = get_object_or_404(RetentionRule.objects.select_related("organisation"), uuid=key)
    initial = {"period": rule.period, "unit": rule.unit, "anchor": rule.anchor, "decision": rule.decision}
    form = RuleForm(
        request.POST or None,
        initial={**initial, "version": rule.version},
        organisations=access.organisations_visible_to(user),
        editing=True,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.retention_rule_update(
                    actor=user,
                    rule=rule,
                    expected_version=data.get("version"),
                    anchor=data["anchor"],
                    period=data["period"],
                    unit=data["unit"],
                    decision=data["decision"],
                )
                messages.success(request, _("The retention rule was changed."))
                return redirect("records:schedule")
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
    return render(request, "records/rule_form.html", {"rule": rule, "form": form}, status=status)


@login_required
@require_GET
def processing_register(request: HttpRequest) -> HttpResponse:
    """Read-only: administrators and the data protection officer."""
    user = request.user
    if not isinstance(user, User) or not services.can_read_register(user):
        raise PermissionDenied
    context = {"rows": gdpr.register(), "can_manage": services.can_manage_records(user)}
    return render(request, "records/register.html", context)


@login_required
@require_GET
def person_extract(request: HttpRequest, key: str) -> HttpResponse:
    """Everything held about a person, as a JSON file (GDPR art. 15). The download is in the history."""
    user = _admin(request)
    person = access.person_for(user, key)
    extract = gdpr.subject_extract(person)
    with transaction.atomic():
        audit_record(actor=user, action="person.extract_downloaded", obj=person, organisation=person.organisation)
    response = HttpResponse(
        json.dumps(extract, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="personuppgifter-{person.uuid}.json"'
    return response


@require_GET
def privacy(request: HttpRequest, lang: str = "sv") -> HttpResponse:
    # Each page in its own language, whichever the visitor chose for the rest.
    with translation.override(lang):
        # The declared kinds of personal data; the register's every reference to a person is for administrators.
        rows = gdpr.register()[: len(gdpr.DECLARATIONS)]
        response = render(request, f"records/privacy_{lang}.html", {"rows": rows})
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_data(request: HttpRequest, key: str) -> HttpResponse:
    """A data subject's requests for one person: the extract, correction (the person's own
    edit page) and erasure where nothing kept refers to them."""
    user = _admin(request)
    person = access.person_for(user, key)
    status, error = 200, None
    if request.method == "POST":
        try:
            services.person_erase(actor=user, person=person)
            messages.success(request, _("The person's data was erased."))
            return redirect("records:person_data", key=person.uuid)
        except DomainError as refusal:
            status, error = refusal.status, str(refusal.message)
    context = {"person": person, "blockers": services.erasure_blockers(person), "error": error}
    return render(request, "records/person_data.html", context, status=status)
