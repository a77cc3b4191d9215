"""Pages of the financial-system import: the upload (with the result or every error) and
the organisation's column mapping."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.core.formviews import form_page
from kravspar.ledger.forms import MappingChoiceForm, MappingForm, UploadForm
from kravspar.ledger.models import ColumnMapping, LedgerImport
from kravspar.ledger.services import FIELDS, LedgerRefused, can_import, ledger_import, mapping_save


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_import(user):
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = access.organisations_visible_to(user).order_by("name")
    form = (
        UploadForm(request.POST, request.FILES, organisations=organisations)
        if request.method == "POST"
        else UploadForm(organisations=organisations)
    )
    # The organisation whose column mapping to open, typed in a picker (a GET form).
    choice = MappingChoiceForm(request.GET or None, organisations=organisations)
    if request.method == "GET" and choice.is_valid():
        return redirect("ledger:mapping", choice.cleaned_data["mapping"].uuid)
    context: dict[str, object] = {"form": form, "choice": choice}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["export_file"]
            try:
                result = ledger_import(
                    actor=user,
                    organisation=form.cleaned_data["organisation"],
                    data=upload.read(),
                    file_name=upload.name or "export.csv",
                )
                context["result"] = result.ledger_import
                status = 200
            except LedgerRefused as exc:
                context["refusal"] = exc
    context["imports"] = LedgerImport.objects.filter(organisation__in=organisations).select_related("organisation")[:20]
    context["mappings"] = list(
        ColumnMapping.objects.filter(organisation__in=organisations).select_related("organisation")
    )
    return render(request, "ledger/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    organisation = access.organisation_for(user, key)
    current = ColumnMapping.objects.filter(organisation=organisation).first()
    initial: dict[str, object] = dict(current.columns) if current else {}
    if current:
        initial["cost_centres"] = "\n".join(f"{code} = {unit}" for code, unit in current.cost_centres.items())
    return form_page(
        request,
        MappingForm(request.POST) if request.method == "POST" else MappingForm(initial=initial),
        template="ledger/mapping.html",
        save=lambda data: mapping_save(
            actor=user,
            organisation=organisation,
            columns={name: data.get(name) or "" for name, _label, _required in FIELDS},
            cost_centres=data["cost_centres"],
        ),
        done=lambda _mapping: redirect("ledger:upload"),
        context={"organisation": organisation},
    )
