"""Pages of the supplier portal. Supplier-facing pages fetch only through
``portal.access`` (their own supplier, else 404); the officer's pages through
``accounts.access`` and the supplier registry."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access as accounts_access
from kravspar.accounts import twofactor
from kravspar.accounts.forms import client_ip
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.contracts.models import Contract, ContractStatus, Subcontractor
from kravspar.contracts.selectors import effective_end, with_extensions
from kravspar.core.errors import ConcurrentEditError, DomainError
from kravspar.core.forms import add_service_errors
from kravspar.core.formviews import form_page, saved
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.findings import policy
from kravspar.findings import services as findings_services
from kravspar.findings.models import ActionPlan, Deviation, DeviationStatus, PlanStatus
from kravspar.followups import uploads
from kravspar.followups.models import Activity
from kravspar.portal import access, selectors, services
from kravspar.portal.forms import (
    DeclarationForm,
    DocumentForm,
    InvitationForm,
    ResponseForm,
    ReviewForm,
    SetPasswordForm,
)
from kravspar.portal.models import (
    DeclarationStatus,
    DocumentKind,
    Invitation,
    InvitationState,
    SubcontractorDeclaration,
    SupplierDocument,
)
from kravspar.questionnaires.selectors import open_requests_for_supplier
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import DownloadKind, MarkKind
from kravspar.suppliers.selectors import supplier_for


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


# --- Invitations (officers) ---------------------------------------------------------------

INVITATION_FILTERS = {
    InvitationState.PENDING: lambda qs, now: qs.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ),
    InvitationState.USED: lambda qs, now: qs.filter(used_at__isnull=False),
    InvitationState.EXPIRED: lambda qs, now: qs.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ),
    InvitationState.REVOKED: lambda qs, now: qs.filter(used_at__isnull=True, revoked_at__isnull=False),
}


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest, key: str) -> HttpResponse:
    """The supplier's contact people and invitations, with the form to invite one more."""
    user = _user(request)
    supplier = supplier_for(user, key)
    if not access.can_manage_invitations(user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _raw = services.invitation_create(
                    actor=user, supplier=supplier, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
                status = 429 if isinstance(exc, services.RateLimitedError) else 400
            else:
                messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
                return redirect("portal:invitation_list", key=supplier.uuid)
        else:
            status = 400
    qs: QuerySet[Invitation] = Invitation.objects.filter(supplier=supplier).select_related("invited_by", "person")
    state = request.GET.get("status", "")
    if state in INVITATION_FILTERS:
        qs = INVITATION_FILTERS[InvitationState(state)](qs, timezone.now())
    return render(
        request,
        "portal/invitation_list.html",
        {
            "supplier": supplier,
            "form": form,
            "page": paginate(request, qs.order_by("-created_at", "-id")),
            "contacts": supplier.contacts.order_by("last_name", "first_name"),
            "states": InvitationState.choices,
            "state": state,
            "querystring": querystring_without_page(request),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    invitation = access.invitation_for(user, key)
    if request.method == "POST":
        try:
            services.invitation_revoke(actor=user, invitation=invitation)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
        return redirect("portal:invitation_list", key=invitation.supplier.uuid)
    return render(request, "portal/invitation_revoke.html", {"invitation": invitation})


# --- Invitations (the invited person) -----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail: choose a password, which creates the account and logs in."""
    invitation = services.invitation_by_token(token)
    try:
        services.invitation_check(invitation)
    except services.InvitationInvalidError as exc:
        return render(
            request,
            "portal/invitation_invalid.html",
            {
                "message": exc.message,
                "token": token,
                "can_renew": invitation is not None
                and invitation.state() in (InvitationState.EXPIRED, InvitationState.USED),
                "used": invitation is not None and invitation.state() == InvitationState.USED,
            },
            status=410 if invitation is not None else 404,
        )
    assert invitation is not None
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password"],
                password_again=form.cleaned_data["password_again"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.InvitationInvalidError as exc:
            form.add_error(None, str(exc.message))
        else:
            login(request, person, backend="kravspar.accounts.backends.UsernameOrEmailBackend")
            # A supplier contact must set up two-factor login before reaching the portal.
            twofactor.after_password_login(request, person)
            messages.success(request, _("Welcome to Kravspår! Your account is ready."))
            return redirect("portal:home")
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["POST"])
def invitation_renew(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for a new link: the officer who sent the old one is told by e-mail."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(
            request,
            "portal/invitation_invalid.html",
            {"message": _("The link is not valid. Check that you copied all of it from the e-mail."), "token": token},
            status=404,
        )
    try:
        services.invitation_request_renewal(invitation=invitation, ip_address=client_ip(request))
    except DomainError as exc:
        return render(
            request,
            "portal/invitation_invalid.html",
            {"message": exc.message, "token": token, "can_renew": False},
            status=exc.status,
        )
    return render(request, "portal/invitation_renewal_sent.html", {"invitation": invitation})


# --- The supplier's own view ------------------------------------------------------------


def _statuses(user: User, today: datetime.date) -> tuple[policy.Status, dict[int, policy.Status]]:
    """The supplier's overall status and one per contract, from one query over the
    deviations that concern it (the findings policy decides the colours)."""
    deviations = list(access.deviations_of_supplier(user).only(*STATUS_FIELDS))
    by_contract: dict[int, list[Deviation]] = {}
    for deviation in deviations:
        by_contract.setdefault(deviation.contract_id, []).append(deviation)
    per_contract = {cid: policy.status_of(items, today) for cid, items in by_contract.items()}
    return policy.status_of(deviations, today), per_contract


STATUS_FIELDS = ("id", "contract_id", "title", "severity", "status", "deadline", "fixed_on")


def _open_plans(user: User) -> QuerySet[ActionPlan]:
    return (
        ActionPlan.objects.filter(
            deviation__in=access.deviations_of_supplier(user).values("pk"), status=PlanStatus.AGREED
        )
        .select_related("deviation", "deviation__contract")
        .prefetch_related("items")
        .order_by("deadline", "id")
    )


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The supplier's start page: status, action plans and requests with deadlines,
    documents to read or renew, and what they have sent."""
    user = _user(request)
    supplier = access.supplier_of(user)
    today = timezone.localdate()
    overall, per_contract = _statuses(user, today)
    contracts = list(
        access.contracts_of_supplier(user)
        .filter(status=ContractStatus.ACTIVE)
        .order_by("-signed_on", "contract_number")[:20]
    )
    for contract in contracts:
        contract.portal_status = per_contract.get(contract.pk, policy.Status(reasons=[_("No deviations.")]))  # type: ignore[attr-defined]
    documents = [d for d in selectors.library_with_flags(access.documents_of_supplier(user), today) if d.warning]
    return render(
        request,
        "portal/home.html",
        {
            "supplier": supplier,
            "overall": overall,
            "contracts": contracts,
            "plans": list(_open_plans(user)[:20]),
            "requests": list(open_requests_for_supplier(supplier)[:20]),
            "document_warnings": documents,
            "history": paginate(request, selectors.sent_by_supplier(supplier), per_page=10),
            "today": today,
        },
    )


@login_required
@require_safe
def contract_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    qs = access.contracts_of_supplier(user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(contract_number__icontains=q) | Q(title__icontains=q))
    status = request.GET.get("status", "")
    if status in ContractStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, with_extensions(qs).prefetch_related("buyers").order_by("-signed_on", "contract_number"))
    _overall, per_contract = _statuses(user, timezone.localdate())
    for contract in page.object_list:
        contract.portal_status = per_contract.get(contract.pk, policy.Status(reasons=[_("No deviations.")]))
    template = "portal/contract_list.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        template = "portal/_contract_results.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": ContractStatus.choices,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_safe
def contract_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    supplier = access.supplier_of(user)
    contract = access.contract_for_supplier(user, key)
    contract = with_extensions(Contract.objects.filter(pk=contract.pk)).prefetch_related("buyers").get()
    # Only what the supplier should know: dates and status of follow-ups, never the
    # buyer's notes, and only its own subcontractors.
    activities = (
        Activity.objects.filter(contract=contract)
        .select_related("requirement")
        .only("uuid", "due_on", "status", "method", "completed_on", "requirement__title", "contract_id")
        .order_by("due_on", "id")
    )
    _overall, per_contract = _statuses(user, timezone.localdate())
    return render(
        request,
        "portal/contract_detail.html",
        {
            "contract": contract,
            "supplier": supplier,
            "end": effective_end(contract),
            "status": per_contract.get(contract.pk, policy.Status(reasons=[_("No deviations.")])),
            "requirements": contract.requirements.order_by("position", "id"),
            "activities": activities,
            "subcontractors": Subcontractor.objects.filter(contract=contract, supplier=supplier).order_by("name"),
            "declarations": SubcontractorDeclaration.objects.filter(contract=contract, supplier=supplier).order_by(
                "-created_at"
            ),
            "deviations": access.deviations_of_supplier(user).filter(contract=contract).order_by("-raised_on", "-id"),
        },
    )


@login_required
@require_safe
def deviation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    qs = access.deviations_of_supplier(user).select_related("contract")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(contract__contract_number__icontains=q))
    status = request.GET.get("status", "")
    if status in DeviationStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-raised_on", "-id"))
    template = "portal/deviation_list.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        template = "portal/_deviation_results.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": DeviationStatus.choices,
            "querystring": querystring_without_page(request),
            "today": timezone.localdate(),
        },
    )


def _deviation_page(user: User, key: str) -> Deviation:
    deviation = access.deviation_for_supplier(user, key)
    return (
        Deviation.objects.select_related("contract", "requirement")
        .prefetch_related(
            Prefetch("action_plans", queryset=ActionPlan.objects.prefetch_related("items").order_by("id"))
        )
        .get(pk=deviation.pk)
    )


@login_required
@require_safe
def deviation_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    deviation = _deviation_page(user, key)
    plan = deviation.current_plan()
    return render(
        request,
        "portal/deviation_detail.html",
        {"deviation": deviation, "plan": plan, "can_respond": plan is not None and plan.status == PlanStatus.AGREED},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_respond(request: HttpRequest, key: str) -> HttpResponse:
    """The supplier's response to the current action plan. Two people answering at once
    cannot overwrite each other: the second gets a conflict and keeps what they wrote."""
    user = _user(request)
    access.supplier_of(user)
    deviation = _deviation_page(user, key)
    plan = deviation.current_plan()
    if plan is None or plan.status != PlanStatus.AGREED:
        messages.error(request, _("There is no agreed action plan waiting for your response."))
        return redirect("portal:deviation_detail", key=deviation.uuid)
    form = ResponseForm(
        request.POST or None, initial={"supplier_response": plan.supplier_response, "version": deviation.version}
    )
    conflict_text = None
    if request.method == "POST" and form.is_valid():
        try:
            findings_services.action_plan_record_response(
                actor=user,
                deviation=deviation,
                expected_version=form.cleaned_data["version"],
                supplier_response=form.cleaned_data["supplier_response"],
            )
        except ConcurrentEditError as exc:
            # Keep what they typed, show what was saved meanwhile, and let a new save replace it deliberately.
            fresh = _deviation_page(user, key)
            fresh_plan = fresh.current_plan()
            conflict_text = fresh_plan.supplier_response if fresh_plan else ""
            data = request.POST.copy()
            data["version"] = str(fresh.version)
            form = ResponseForm(data)
            form.is_valid()
            add_service_errors(form, exc)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your response was sent to the buyer."))
            return redirect("portal:deviation_detail", key=deviation.uuid)
    return render(
        request,
        "portal/deviation_respond.html",
        {"deviation": deviation, "plan": plan, "form": form, "conflict_text": conflict_text},
        status=409 if conflict_text is not None else (400 if request.method == "POST" else 200),
    )


# --- Evidence library -------------------------------------------------------------------


@login_required
@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    supplier = access.supplier_of(user)
    qs = access.documents_of_supplier(user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(issuer__icontains=q))
    kind = request.GET.get("kind", "")
    if kind in DocumentKind.values:
        qs = qs.filter(kind=kind)
    show_withdrawn = request.GET.get("withdrawn") == "1"
    page = paginate(request, qs if show_withdrawn else qs.filter(withdrawn_at__isnull=True))
    page.object_list = list(
        selectors.library_with_flags(
            SupplierDocument.objects.filter(pk__in=[d.pk for d in page.object_list]), include_withdrawn=True
        )
    )
    return render(
        request,
        "portal/document_list.html",
        {
            "supplier": supplier,
            "page": page,
            "q": q,
            "kind": kind,
            "kinds": DocumentKind.choices,
            "show_withdrawn": show_withdrawn,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)

    def save(data: dict[str, Any]) -> SupplierDocument:
        try:
            return services.document_add(
                actor=user,
                upload=data.get("upload"),
                kind=data.get("kind") or "",
                title=data.get("title") or "",
                issuer=data.get("issuer") or "",
                valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                exc.error_dict["upload"] = exc.error_dict.pop("file")  # the form calls the file "upload"
            raise

    def done(document: SupplierDocument) -> HttpResponse:
        messages.success(request, _("%(title)s was added to your library.") % {"title": document.title})
        return redirect("portal:documents")

    return form_page(
        request,
        DocumentForm(request.POST or None, request.FILES or None),
        template="portal/document_form.html",
        save=save,
        done=done,
        context={"accepted": uploads.ACCEPTED_HELP},
    )


@login_required
@require_safe
def document_file(request: HttpRequest, key: str) -> FileResponse:
    """The only way to a library file: never under a static or media URL."""
    document = access.document_for(request.user, key)
    secrecy.download_logged(
        user=request.user, kind=DownloadKind.SUPPLIER_DOCUMENT, item=document, file_name=document.original_name
    )
    return file_response(document)


def file_response(document: SupplierDocument) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    document = access.document_for(user, key, change=True)
    if request.method == "POST":
        services.document_withdraw(actor=user, document=document)
        messages.success(request, _("%(title)s was removed from your library.") % {"title": document.title})
        return redirect("portal:documents")
    return render(request, "portal/document_withdraw.html", {"document": document})


@login_required
@require_safe
def supplier_documents(request: HttpRequest, key: str) -> HttpResponse:
    """A buyer's view of a supplier's library: the certificates and governing documents the
    supplier keeps once for every contract."""
    user = _user(request)
    supplier = supplier_for(user, key)
    documents = secrecy_access.attach(
        user, MarkKind.SUPPLIER_DOCUMENT, selectors.library_with_flags(access.supplier_library_for(user, supplier))
    )
    return render(
        request,
        "portal/supplier_documents.html",
        {"supplier": supplier, "documents": documents, "can_mark": secrecy_access.can_mark(user)},
    )


# --- Subcontractor declarations -----------------------------------------------------------


@login_required
@require_safe
def declaration_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    qs = access.declarations_of_supplier(user).select_related("contract")
    status = request.GET.get("status", "")
    if status in DeclarationStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "portal/declaration_list.html",
        {
            "page": paginate(request, qs.order_by("-created_at", "-id")),
            "status": status,
            "statuses": DeclarationStatus.choices,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.supplier_of(user)
    contract = access.contract_for_supplier(user, key)
    return form_page(
        request,
        DeclarationForm(request.POST or None, initial={"country": "SE"}),
        template="portal/declaration_form.html",
        save=lambda data: services.declaration_submit(
            actor=user, contract=contract, **{f: data.get(f) or "" for f in services.DECLARATION_FIELDS}
        ),
        done=saved(
            request,
            _("The subcontractor was declared. Inköp reviews the declaration."),
            "portal:contract_detail",
            key=contract.uuid,
        ),
        context={"contract": contract},
    )


@login_required
@require_safe
def contract_declarations(request: HttpRequest, key: str) -> HttpResponse:
    """Inköp's list of the declarations on one contract, reached from the contract."""
    user = _user(request)
    if access.is_supplier_contact(user):
        raise Http404
    contract = accounts_access.contract_for(user, key)
    declarations = (
        SubcontractorDeclaration.objects.filter(contract=contract)
        .select_related("supplier", "submitted_by", "reviewed_by")
        .order_by("status", "-created_at")
    )
    return render(
        request,
        "portal/contract_declarations.html",
        {
            "contract": contract,
            "page": paginate(request, declarations),
            "can_review": accounts_access.has_perm(user, Perm.MANAGE_CONTRACTS),
            "querystring": "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_review(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    declaration = access.declaration_for_review(user, key)
    return form_page(
        request,
        ReviewForm(request.POST or None, initial={"version": declaration.version}),
        template="portal/declaration_review.html",
        save=lambda data: services.declaration_review(
            actor=user,
            declaration=declaration,
            expected_version=data["version"],
            accept=None if not data["decision"] else data["decision"] == DeclarationStatus.ACCEPTED,
            comment=data["comment"],
        ),
        done=saved(
            request, _("The declaration was reviewed."), "portal:contract_declarations", key=declaration.contract.uuid
        ),
        context={"declaration": declaration},
    )
