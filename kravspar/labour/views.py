"""Pages of labour-law conditions: the needs assessment and conditions on a procurement,
the two-step follow-up on a contract, the step-2 documents, and the figures with their
records. Every read goes through ``labour.access`` or ``accounts.access``."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.contracts.models import Subcontractor
from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors
from kravspar.findings.models import Deviation, Sanction
from kravspar.labour import access, policy, services
from kravspar.labour.forms import (
    AssessmentForm,
    CloseForm,
    ConditionsForm,
    ConsultationForm,
    DocumentRequestForm,
    ReviewForm,
    Step1Form,
)
from kravspar.labour.models import (
    Condition,
    ConditionReview,
    DocumentRequest,
    LabourFollowUp,
    NeedsAssessment,
    ProofDocument,
    SelfDeclaration,
)
from kravspar.labour.report import FIGURES, labour_counts, labour_report
from kravspar.procurements.models import Procurement
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import DownloadKind


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- Needs assessment and conditions on a procurement ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def procurement_labour(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = accounts_access.procurement_for(user, key)
    assessment = (
        NeedsAssessment.objects.filter(procurement=procurement)
        .select_related("agreement", "threshold", "decided_by")
        .prefetch_related("conditions__requirement")
        .first()
    )
    facts = policy.facts(procurement, contract_kind=assessment.contract_kind if assessment else None)
    suggested = policy.agreements_for(procurement)
    initial: dict[str, Any] = {
        "contract_kind": facts.contract_kind,
        "work_location": assessment.work_location if assessment else "sweden",
        "decision": assessment.decision if assessment else "",
        "reason": assessment.reason if assessment else "",
        "agreement": assessment.agreement if assessment and assessment.agreement else next(iter(suggested), None),
    }
    form = AssessmentForm(initial=initial)
    conditions_form = ConditionsForm(initial={"agreement": initial["agreement"]})
    if request.method == "POST":
        procurement = accounts_access.procurement_for(user, key, change=True)
        action = request.POST.get("action")
        try:
            if action == "assess":
                form = AssessmentForm(request.POST)
                if form.is_valid():
                    services.assessment_record(
                        actor=user,
                        procurement=procurement,
                        decision=form.cleaned_data["decision"],
                        reason=form.cleaned_data["reason"],
                        work_location=form.cleaned_data["work_location"],
                        contract_kind=form.cleaned_data["contract_kind"],
                        agreement=form.cleaned_data["agreement"],
                    )
                    messages.success(request, _("The needs assessment is recorded."))
                    return redirect("labour:procurement", procurement.uuid)
            elif action == "conditions":
                conditions_form = ConditionsForm(request.POST)
                if conditions_form.is_valid():
                    services.conditions_set(
                        actor=user, procurement=procurement, agreement=conditions_form.cleaned_data["agreement"]
                    )
                    messages.success(request, _("The three conditions are set as requirements."))
                    return redirect("labour:procurement", procurement.uuid)
            else:
                raise Http404
        except (ValidationError, DomainError) as exc:
            add_service_errors(conditions_form if action == "conditions" else form, exc)
    return render(
        request,
        "labour/procurement.html",
        {
            "procurement": procurement,
            "assessment": assessment,
            "facts": facts,
            "suggested": suggested,
            "form": form,
            "conditions_form": conditions_form,
            "gate": policy.gate_missing(procurement),
            "can_change": accounts_access.can_change_procurement(user, procurement),
            "contracts": procurement.contracts.order_by("contract_number"),
        },
    )


# --- Follow-up on a contract ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contract_labour(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = accounts_access.contract_for(user, key)
    if request.method == "POST":
        contract = accounts_access.contract_for(user, key, change=True)
        try:
            followup = services.followup_open(actor=user, contract=contract)
        except (ValidationError, DomainError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("The follow-up is opened and step 1 is asked of the supplier."))
            return redirect("labour:followup", followup.uuid)
    return render(
        request,
        "labour/contract.html",
        {
            "contract": contract,
            "followups": contract.labour_followups.select_related("agreement", "officer").order_by("-opened_on"),
            "can_open": accounts_access.can_change_contract(user, contract),
        },
    )


def _parties(followup: LabourFollowUp) -> list[tuple[str, str]]:
    parties = [(f"s:{s.uuid}", s.name) for s in followup.contract.suppliers.order_by("name")]
    parties += [
        (f"u:{sub.uuid}", _("%(name)s (subcontractor)") % {"name": sub.name})
        for sub in followup.contract.subcontractors.filter(is_active=True).order_by("name")
    ]
    return parties


@login_required
@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    followup = access.followup_for(user, key)
    is_officer = access.is_officer_on(user, followup)
    contract = followup.contract
    parties = _parties(followup)
    end = min(timezone.localdate(), contract.ends_on)
    start = max(contract.starts_on, end - datetime.timedelta(days=365))
    workforce = max(
        [d.employees or 0 for d in followup.declarations.all()] + [policy.MIN_SAMPLE], default=policy.MIN_SAMPLE
    )
    plan = policy.sample(workforce=workforce, period_start=min(start, end), period_end=end)
    request_form = DocumentRequestForm(
        parties=parties,
        initial={
            "employees": plan.employees,
            "months": ", ".join(plan.months),
            "kinds": ["payslip", "time_report", "employee_list"],
            "due_on": timezone.localdate() + datetime.timedelta(days=30),
            "subcontractor": parties[-1][0] if parties else "",
        },
    )
    consultation_form, close_form = ConsultationForm(), CloseForm()
    step1_form = Step1Form(initial={"deadline": timezone.localdate() + datetime.timedelta(days=30)})
    review_forms: dict[tuple[int, str], ReviewForm] = {}
    if request.method == "POST":
        followup = access.followup_for(user, key, change=True)
        action = request.POST.get("action")
        try:
            if action == "step1":
                step1_form = Step1Form(request.POST)
                if step1_form.is_valid():
                    sent = services.step1_send(actor=user, followup=followup, **step1_form.cleaned_data)
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s self-declaration questionnaire was sent through the supplier portal.",
                            "%(n)s self-declaration questionnaires were sent through the supplier portal.",
                            len(sent),
                        )
                        % {"n": len(sent)},
                    )
                    return redirect("labour:followup", followup.uuid)
            elif action == "request":
                request_form = DocumentRequestForm(request.POST, parties=parties)
                if request_form.is_valid():
                    party = request_form.cleaned_data["subcontractor"]
                    sub = (
                        Subcontractor.objects.filter(contract=contract, uuid=party[2:]).first()
                        if party.startswith("u:")
                        else None
                    )
                    supplier = contract.suppliers.filter(uuid=party[2:]).first() if party.startswith("s:") else None
                    services.document_request_create(
                        actor=user,
                        followup=followup,
                        subcontractor=sub,
                        supplier=supplier,
                        reason=request_form.cleaned_data["reason"],
                        employees=request_form.cleaned_data["employees"],
                        months=request_form.month_list(),
                        kinds=request_form.cleaned_data["kinds"],
                        due_on=request_form.cleaned_data["due_on"],
                    )
                    messages.success(request, _("The documents are requested through the supplier portal."))
                    return redirect("labour:followup", followup.uuid)
            elif action == "review":
                doc_request = access.request_for(user, request.POST.get("request", ""), change=True)
                condition = request.POST.get("condition", "")
                if condition not in Condition.values:
                    raise Http404
                form = ReviewForm(request.POST, condition=condition)
                review_forms[(doc_request.pk, condition)] = form
                if form.is_valid():
                    try:
                        services.condition_review(
                            actor=user,
                            request=doc_request,
                            condition=condition,
                            outcome=form.cleaned_data["outcome"],
                            checklist=form.cleaned_data["checklist"],
                            note=form.cleaned_data["note"],
                        )
                    except (ValidationError, DomainError) as exc:
                        add_service_errors(form, exc)
                    else:
                        messages.success(request, _("The review is recorded."))
                        return redirect("labour:followup", followup.uuid)
            elif action == "consult":
                consultation_form = ConsultationForm(request.POST)
                if consultation_form.is_valid():
                    services.consultation_record(actor=user, followup=followup, **consultation_form.cleaned_data)
                    messages.success(request, _("The consultation is recorded."))
                    return redirect("labour:followup", followup.uuid)
            elif action == "close":
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    services.followup_close(actor=user, followup=followup, **close_form.cleaned_data)
                    messages.success(
                        request, _("The follow-up is closed; the step-2 documents are scheduled for deletion.")
                    )
                    return redirect("labour:followup", followup.uuid)
            else:
                raise Http404
        except (ValidationError, DomainError) as exc:
            target = {
                "step1": step1_form,
                "request": request_form,
                "consult": consultation_form,
                "close": close_form,
            }.get(str(action))
            if target is None:
                raise
            add_service_errors(target, exc)
    requests = list(
        followup.document_requests.select_related("subcontractor", "supplier")
        .prefetch_related(
            Prefetch("documents", queryset=ProofDocument.objects.order_by("uploaded_at", "id")),
            Prefetch("reviews", queryset=ConditionReview.objects.select_related("deviation")),
        )
        .order_by("id")
    )
    declarations = list(followup.declarations.select_related("supplier", "subcontractor", "request").order_by("id"))
    labels = policy.checklist_labels()
    for doc_request in requests:
        done = {r.condition: r for r in doc_request.reviews.all()}
        doc_request.review_rows = [  # type: ignore[attr-defined]
            {
                "condition": c,
                "review": done.get(c.value),
                "checked": [labels[x] for x in done[c.value].checklist] if c.value in done else [],
                "form": review_forms.get((doc_request.pk, c.value)) or ReviewForm(condition=c.value),
            }
            for c in Condition
        ]
    return render(
        request,
        "labour/followup.html",
        {
            "followup": followup,
            "contract": contract,
            "is_officer": is_officer,
            "declarations": declarations,
            "step1_pending": any(d.request_id is None and d.status == "requested" for d in declarations),
            "step1_form": step1_form,
            "requests": requests,
            "consultations": followup.consultations.order_by("held_on", "id"),
            "request_form": request_form,
            "consultation_form": consultation_form,
            "close_form": close_form,
            "sample": plan,
            "workforce": workforce,
            "conditions": list(Condition),
        },
    )


@login_required
@require_safe
def proof_file(request: HttpRequest, key: str) -> FileResponse:
    """The only way to a step-2 document: the officers on the contract and the uploading
    supplier; everyone else gets 404. Never cached."""
    document = access.proof_for(request.user, key)
    secrecy.download_logged(
        user=request.user,
        kind=DownloadKind.LABOUR_PROOF,
        item=document,
        file_name=document.original_name,
        contract=document.request.followup.contract,
        personal_data=document.personal_data,
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Figures and their records ----------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    accounts_access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    year = _year(request)
    rows = labour_counts(year=year, organisation_ids=accounts_access.visible_organisation_ids(user))
    return render(request, "labour/report.html", {"year": year, "rows": rows, "figures": FIGURES})


@login_required
@require_safe
def records(request: HttpRequest) -> HttpResponse:
    """The records behind one figure of one organisation and year."""
    user = _user(request)
    accounts_access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    year = _year(request)
    figure = request.GET.get("figure", "")
    if figure not in FIGURES:
        raise Http404
    organisation = accounts_access.organisation_for(user, request.GET.get("organisation", ""))
    rows = labour_report(year=year, organisation_ids=[organisation.pk])
    found = rows[0] if rows else None
    procurements: Any = Procurement.objects.none()
    deviations: Any = Deviation.objects.none()
    sanctions: Any = Sanction.objects.none()
    if found is not None:
        if figure == "deviations":
            deviations = accounts_access.deviations_visible_to(user).filter(pk__in=found.deviations)
            deviations = deviations.select_related("contract").order_by("-raised_on", "id")
        elif figure == "sanctions":
            sanctions = accounts_access.sanctions_visible_to(user).filter(pk__in=found.sanctions)
            sanctions = sanctions.select_related("contract").order_by("-created_at", "id")
        else:
            procurements = (
                accounts_access.procurements_visible_to(user)
                .filter(pk__in=found.procurements[figure])
                .select_related("labour_assessment")
                .order_by("registry_number")
            )
    return render(
        request,
        "labour/records.html",
        {
            "year": year,
            "organisation": organisation,
            "figure": figure,
            "procurements": procurements,
            "deviations": deviations,
            "sanctions": sanctions,
        },
    )


# --- The supplier's pages ---------------------------------------------------------------


@login_required
@require_safe
def portal_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    declarations = access.declarations_of_supplier(user).select_related(
        "followup__contract", "followup__agreement", "subcontractor", "request"
    )
    requests = access.requests_of_supplier(user).select_related("followup__contract", "subcontractor")
    return render(
        request,
        "labour/portal_home.html",
        {"declarations": declarations.order_by("status", "id"), "requests": requests.order_by("status", "id")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_declaration(request: HttpRequest, key: str) -> HttpResponse:
    from kravspar.labour.forms import DeclarationAnswerForm

    user = _user(request)
    declaration: SelfDeclaration = access.declaration_for_supplier(user, key)
    if declaration.request is not None:
        # Asked through the labour questionnaire: it is answered there.
        return redirect("questionnaires:answer", declaration.request.uuid)
    form = DeclarationAnswerForm()
    if request.method == "POST":
        form = DeclarationAnswerForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.declaration_answer(
                    actor=user,
                    declaration=declaration,
                    answers={c.value: data[c.value] for c in Condition},
                    employees=data["employees"],
                    comment=data["comment"],
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: the self-declaration is sent."))
                return redirect("labour_portal:home")
    return render(request, "labour/portal_declaration.html", {"declaration": declaration, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def portal_request(request: HttpRequest, key: str) -> HttpResponse:
    from kravspar.labour.forms import ProofUploadForm

    user = _user(request)
    doc_request: DocumentRequest = access.request_for_supplier(user, key)
    form = ProofUploadForm(kinds=doc_request.kinds)
    if request.method == "POST":
        form = ProofUploadForm(request.POST, request.FILES, kinds=doc_request.kinds)
        if form.is_valid():
            try:
                services.proof_upload(
                    actor=user, request=doc_request, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The document is uploaded."))
                return redirect("labour_portal:request", doc_request.uuid)
    documents = access.proofs_visible_to(user).filter(request=doc_request).order_by("uploaded_at", "id")
    return render(
        request, "labour/portal_request.html", {"doc_request": doc_request, "form": form, "documents": documents}
    )
