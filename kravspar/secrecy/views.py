"""Secrecy marks, disclosure decisions, the provision list and the download log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.core.formviews import form_page, form_post, render_form, saved
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.secrecy import access, registration, services
from kravspar.secrecy.forms import (
    DiaryRuleForm,
    DisclosureForm,
    DownloadFilterForm,
    MarkForm,
    ProvisionForm,
    UnmarkForm,
)
from kravspar.secrecy.models import DiaryNumberRule, DownloadLog, MarkKind, Provision, SecrecyMark
from kravspar.secrecy.targets import item_for, target


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _mark_for(user: User, key: str) -> SecrecyMark:
    if not is_uuid(key):
        raise Http404
    mark = (
        access.marks_visible_to(user)
        .select_related("provision", "marked_by", "removed_by", "contract", "supplier")
        .filter(uuid=key)
        .first()
    )
    if mark is None:
        raise Http404
    return mark


@login_required
@require_safe
def mark_list(request: HttpRequest) -> HttpResponse:
    """The register of marks on what the person sees, newest first."""
    user = _user(request)
    if not access.can_mark(user):
        raise PermissionDenied
    qs = access.marks_visible_to(user).select_related("provision", "marked_by", "contract", "supplier")
    if request.GET.get("visa") != "alla":
        qs = qs.filter(removed_at__isnull=True)
    return render(
        request,
        "secrecy/mark_list.html",
        {
            "page": paginate(request, qs),
            "querystring": querystring_without_page(request),
            "all": request.GET.get("visa") == "alla",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mark_create(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    user = _user(request)
    if kind not in MarkKind.values:
        raise Http404
    item = item_for(user, kind, key)
    if not access.can_mark(user):
        raise PermissionDenied
    existing = access.mark_of(kind, item)
    if existing is not None:
        return redirect("secrecy:detail", key=existing.uuid)
    spec = target(kind)

    def done(mark: SecrecyMark) -> HttpResponse:
        messages.success(request, _("%(title)s is secrecy-marked.") % {"title": mark.title})
        return redirect(spec.url(item))

    return form_page(
        request,
        MarkForm(request.POST or None),
        template="secrecy/mark_form.html",
        save=lambda data: services.mark_set(
            actor=user, kind=kind, item=item, provision=data["provision"], reason=data["reason"]
        ),
        done=done,
        context={"item_title": spec.title(item), "kind_label": MarkKind(kind).label, "back": spec.url(item)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mark_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    mark = _mark_for(user, key)
    action = request.POST.get("action")
    unmark_form = UnmarkForm(request.POST if action == "unmark" else None)
    decision_form = DisclosureForm(request.POST if action == "decide" else None)

    def page() -> HttpResponse:
        return render_form(
            request,
            "secrecy/mark_detail.html",
            {
                "mark": mark,
                "may_see": access.may_see(user, mark),
                "decisions": mark.decisions.select_related("provision", "decided_by"),
                "unmark_form": unmark_form,
                "decision_form": decision_form,
            },
        )

    back = "secrecy:detail"
    if request.method == "POST" and action == "unmark":
        return form_post(
            unmark_form,
            save=lambda data: services.mark_remove(actor=user, mark=mark, reason=data["reason"]),
            done=saved(request, _("The secrecy mark was removed."), back, key=mark.uuid),
            failed=page,
        )
    if request.method == "POST" and action == "decide":
        return form_post(
            decision_form,
            save=lambda data: services.disclosure_record(
                actor=user,
                mark=mark,
                requested_on=data["requested_on"],
                requester=data["requester"],
                outcome=data["outcome"],
                masked=data["masked"],
                provision=data["provision"],
                reason=data["reason"],
                decided_on=data["decided_on"],
            ),
            done=saved(request, _("The decision was recorded."), back, key=mark.uuid),
            failed=page,
        )
    return page()


@login_required
@require_safe
def provision_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can_mark(user) and not access.can_maintain_provisions(user):
        raise PermissionDenied
    return render(
        request,
        "secrecy/provision_list.html",
        {"provisions": Provision.objects.all(), "can_edit": access.can_maintain_provisions(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def provision_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    user = _user(request)
    if not access.can_maintain_provisions(user):
        raise PermissionDenied
    provision = None
    if key is not None:
        provision = Provision.objects.filter(uuid=key).first() if is_uuid(key) else None
        if provision is None:
            raise Http404
    initial: dict[str, Any] = {"officers_on_contract": True, "concerned_supplier": True, "active": True}
    if provision is not None:
        initial = {f: getattr(provision, f) for f in services.PROVISION_FIELDS}
    return form_page(
        request,
        ProvisionForm(request.POST or None, initial=initial),
        template="secrecy/provision_form.html",
        save=lambda data: services.provision_save(actor=user, provision=provision, **data),
        done=saved(request, _("The provision was saved."), "secrecy:provisions"),
        context={"provision": provision},
    )


@login_required
@require_safe
def download_log(request: HttpRequest) -> HttpResponse:
    """Who downloaded which secret or personal-data file, for administrators and the DPO."""
    user = _user(request)
    if not access.can_read_download_log(user):
        raise PermissionDenied
    form = DownloadFilterForm(request.GET or None)
    qs = DownloadLog.objects.select_related("user", "contract", "mark__provision")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            qs = qs.filter(user=data["user"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["reason"]:
            qs = qs.filter(reason=data["reason"])
        if data["q"].strip():
            text = data["q"].strip()
            qs = qs.filter(Q(file_name__icontains=text) | Q(contract__contract_number__icontains=text))
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
    return render(
        request,
        "secrecy/download_log.html",
        {"form": form, "page": paginate(request, qs), "querystring": querystring_without_page(request)},
    )


@login_required
@require_safe
def diary_rules(request: HttpRequest) -> HttpResponse:
    """Each organisation's diary number rule, for administrators."""
    user = _user(request)
    if not access.can_maintain_provisions(user):
        raise PermissionDenied
    organisations = accounts_access.organisations_visible_to(user).select_related("diary_number_rule", "parent")
    return render(request, "secrecy/diary_rules.html", {"organisations": organisations.order_by("name")})


@login_required
@require_http_methods(["GET", "POST"])
def diary_rule_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    if not access.can_maintain_provisions(user):
        raise PermissionDenied
    organisation = accounts_access.organisation_for(user, key)
    rule = DiaryNumberRule.objects.filter(organisation=organisation).first()
    return form_page(
        request,
        DiaryRuleForm(
            request.POST or None, initial={"pattern": rule.pattern, "example": rule.example} if rule else None
        ),
        template="secrecy/diary_rule_form.html",
        save=lambda data: services.diary_rule_set(actor=user, organisation=organisation, **data),
        done=saved(request, _("The diary number rule was saved."), "secrecy:diary_rules"),
        context={"organisation": organisation},
    )


def _json_download(data: dict[str, Any], name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def sanction_registration(request: HttpRequest, key: str) -> HttpResponse:
    """The sanction decision's registration metadata (for the registrar), to whoever sees it."""
    if not is_uuid(key):
        raise Http404
    sanction = (
        accounts_access.sanctions_visible_to(request.user)
        .select_related("contract")
        .prefetch_related("deviations")
        .filter(uuid=key)
        .first()
    )
    if sanction is None:
        raise Http404
    return _json_download(registration.sanction_metadata(sanction), f"registrering-sanktion-{sanction.uuid}.json")


@login_required
@require_safe
def request_registration(request: HttpRequest, key: str) -> HttpResponse:
    """The request to the supplier's registration metadata, to the buyers who see it."""
    from kravspar.questionnaires import selectors as questionnaire_selectors

    if questionnaire_selectors.is_supplier_contact(request.user):
        raise Http404
    supplier_request = questionnaire_selectors.request_for_buyer(request.user, key)
    return _json_download(
        registration.request_metadata(supplier_request), f"registrering-forfragan-{supplier_request.uuid}.json"
    )
