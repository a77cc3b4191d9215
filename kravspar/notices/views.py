"""Notice pages: the list of imported notices, one notice with what it awarded, and the
upload page. Imports go through ``services``; who sees a notice is who sees its
procurement."""

from __future__ import annotations

import uuid as uuid_lib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.notices import annex
from kravspar.notices.forms import UploadForm
from kravspar.notices.models import WITHHELD_LABELS, Notice
from kravspar.notices.services import IMPORTED, can_import, import_one


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def notices_visible_to(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(procurement__in=access.procurements_visible_to(user))


def _notice_for(user: User, key: str) -> Notice:
    try:
        uuid = uuid_lib.UUID(str(key))
    except ValueError:
        raise Http404 from None
    notice = notices_visible_to(user).select_related("procurement").defer("original").filter(uuid=uuid).first()
    if notice is None:
        raise Http404
    return notice


@login_required
@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    notices = notices_visible_to(user).select_related("procurement").defer("original").order_by("-created_at", "-id")
    return render(
        request,
        "notices/notice_list.html",
        {
            "page": paginate(request, notices),
            "querystring": querystring_without_page(request),
            "can_import": can_import(user),
        },
    )


@login_required
@require_safe
def notice_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    notice = _notice_for(user, key)
    visible_contracts = set(
        access.contracts_visible_to(user).filter(notice_awards__notice=notice).values_list("pk", flat=True)
    )
    awards = list(notice.awards.select_related("contract").order_by("contract_key"))
    for award in awards:
        award.withheld_labels = [str(WITHHELD_LABELS.get(code, code)) for code in award.withheld]  # type: ignore[attr-defined]
        award.visible_contract = award.contract if award.contract_id in visible_contracts else None  # type: ignore[attr-defined]
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "awards": awards,
            "notice_withheld": [str(WITHHELD_LABELS.get(c, c)) for c in notice.summary.get("withheld", [])],
            "modifications": list(notice.modifications.select_related("contract")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_import(user):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        allowed = access.visible_organisation_ids(user)
        outcomes = [
            import_one(f.name or "notice.xml", f.read(), actor=user, allowed_buyer_ids=allowed)
            for f in form.cleaned_data["notice_files"]
        ]
        if len(outcomes) == 1 and outcomes[0].status == IMPORTED:
            # One award notice, one contract: land on it and its plan.
            if len(outcomes[0].contracts) == 1:
                return redirect("contracts:detail", outcomes[0].contracts[0].uuid)
            assert outcomes[0].notice is not None
            return redirect("notices:detail", outcomes[0].notice.uuid)
        return render(request, "notices/upload_result.html", {"outcomes": outcomes})
    return render(request, "notices/upload.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
@require_safe
def follow_up_annex(request: HttpRequest, key: str, language: str, extension: str) -> HttpResponse:
    """The follow-up annex of a procurement for its tender documents, as PDF or Word."""
    user = _user(request)
    procurement = access.procurement_for(user, key)
    try:
        content = annex.build(procurement, language=language)
    except annex.NoApprovedStrategyError as exc:
        return render(
            request, "notices/annex_missing.html", {"procurement": procurement, "message": exc.message}, status=409
        )
    if extension == "pdf":
        data, content_type = annex.as_pdf(content), "application/pdf"
    else:
        data = annex.as_docx(content)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{annex.file_name(procurement, language, extension)}"'
    return response
