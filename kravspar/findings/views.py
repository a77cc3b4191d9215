"""Deviation pages. Each change goes through one service in ``services.py``; the views
only fetch through ``access`` (404 for what the person may not see, 403 for what they
may see but not change) and turn errors into messages on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.formviews import created, form_page, saved, without_version
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.findings import policy, selectors, services
from kravspar.findings.forms import (
    ActionDoneForm,
    ActionPlanForm,
    AssessForm,
    DeviationFilterForm,
    DeviationForm,
    DeviationRaiseForm,
    EvaluationForm,
    ReasonForm,
    ResponseForm,
    SanctionForm,
    VerifyForm,
)
from kravspar.findings.models import ActionItem, ContractEvaluation, Deviation, DeviationStatus, PlanStatus, Severity
from kravspar.procurements.models import Aim
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy.models import MarkKind


def _list_template(request: HttpRequest, full: str, partial: str) -> str:
    return partial if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


@login_required
def deviation_list(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    today = timezone.localdate()
    form = DeviationFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "severity": data["severity"],
            "status": data["status"],
            "decision_needed": data["decision_needed"],
            "awaiting_assessment": data["awaiting_assessment"],
            "diary_number": data["diary_number"],
        }
        if number := data["contract"].strip():
            contract = access.contracts_visible_to(request.user).filter(contract_number=number).first()
            filters["contract"] = contract
            if contract is None:
                filters["severity"] = "__none__"  # an unknown or invisible contract matches nothing
    page = paginate(request, selectors.deviation_list(request.user, today=today, **filters))
    selectors.attach_supplier_statuses({d.supplier for d in page.object_list if d.supplier}, today)
    secrecy_access.attach(request.user, MarkKind.DEVIATION, page.object_list)
    rows = []
    for deviation in page.object_list:
        light = policy.deviation_light(deviation, today)
        rows.append(
            {
                "deviation": deviation,
                "light": light[0] if light else None,
                "light_label": policy.Light.LABELS[light[0]] if light else "",
                "needs_decision": policy.needs_decision(deviation, today, decided=deviation.decided),
            }
        )
    return render(
        request,
        _list_template(request, "findings/deviation_list.html", "findings/_deviation_results.html"),
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": querystring_without_page(request),
            "can_manage": access.can_manage_findings(request.user),
            # Inköp's queue: what orderers reported and Inköp has not yet assessed.
            "awaiting_count": selectors.deviation_list(request.user, today=today, awaiting_assessment=True).count()
            if access.can_manage_findings(request.user)
            else 0,
        },
    )


@login_required
def deviation_detail(request: HttpRequest, key: str) -> HttpResponse:
    deviation = access.deviation_for(request.user, key)
    mark = secrecy_access.mark_of(MarkKind.DEVIATION, deviation)
    if mark is not None and not secrecy_access.may_see(request.user, mark):
        # Its existence stays visible (title, date, provision), nothing more (issue 14).
        return render(request, "secrecy/hidden_item.html", {"mark": mark, "back": reverse("findings:list")})
    deviation = selectors.deviation_page_data(deviation)
    today = timezone.localdate()
    plans = list(deviation.action_plans.all())
    plan = plans[-1] if plans else None
    sanctions = list(deviation.sanctions.all())
    light = policy.deviation_light(deviation, today)
    fine = policy.fine_for_deviations(deviation.contract, [deviation], today)
    can_manage = access.can_manage_findings(request.user)
    status = deviation.status
    return render(
        request,
        "findings/deviation_detail.html",
        {
            "deviation": deviation,
            "plan": plan,
            "earlier_plans": plans[:-1],
            "sanctions": sanctions,
            "light": light[0] if light else None,
            "light_label": policy.Light.LABELS[light[0]] if light else "",
            "light_reason": light[1] if light else "",
            "needs_decision": policy.needs_decision(deviation, today, decided=bool(sanctions)),
            "fine": fine if fine and fine.weeks else None,
            "history": paginate(request, audit_events_for(deviation), per_page=20),
            "can_manage": can_manage,
            "secrecy_mark": mark,
            "can_mark": secrecy_access.can_mark(request.user),
            "can_assess": can_manage and deviation.awaiting_assessment,
            "action_plan_days": policy.action_plan_days(),
            "can_agree": can_manage
            and not deviation.awaiting_assessment
            and status in (DeviationStatus.OPEN, DeviationStatus.REOPENED, DeviationStatus.NOT_FIXED),
            "can_respond": can_manage and plan is not None and plan.status == PlanStatus.AGREED,
            "can_close": can_manage and status != DeviationStatus.CLOSED,
            "can_reopen": can_manage
            and status in (DeviationStatus.FIXED, DeviationStatus.CLOSED, DeviationStatus.NOT_FIXED),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_raise(request: HttpRequest, activity_key: str) -> HttpResponse:
    activity = access.activity_for(request.user, activity_key)
    # Inköp raises; the one who carries out the follow-up reports, for Inköp to assess.
    reported = not access.can_manage_findings(request.user)
    if reported and not access.can_record_activity(request.user, activity):
        raise PermissionDenied
    contract = activity.contract
    form = DeviationRaiseForm(
        request.POST or None,
        contract=contract,
        reported=reported,
        initial={"requirement": activity.requirement_id, "severity": Severity.MINOR},
    )
    return form_page(
        request,
        form,
        template="findings/deviation_form.html",
        save=lambda data: services.deviation_raise(
            actor=request.user,  # type: ignore[arg-type]
            activity=activity,
            severity=data["severity"],
            title=data["title"],
            description=data["description"],
            requirement=data["requirement"],
            supplier=data["supplier"],
            subcontractor=data["subcontractor"],
            raised_on=data["raised_on"],
            diary_number=data["diary_number"],
        ),
        done=created(
            request,
            _("The deviation was reported to Inköp, who assesses it.")
            if reported
            else _("The deviation was recorded."),
            "findings:detail",
        ),
        context={"deviation": None, "activity": activity, "reported": reported},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_edit(request: HttpRequest, key: str) -> HttpResponse:
    deviation: Deviation = access.deviation_for(request.user, key, change=True)
    initial = {
        "severity": deviation.severity,
        "title": deviation.title,
        "description": deviation.description,
        "requirement": deviation.requirement_id,
        "supplier": deviation.supplier_id,
        "subcontractor": deviation.subcontractor_id,
        "version": deviation.version,
    }
    return form_page(
        request,
        DeviationForm(request.POST or None, contract=deviation.contract, initial=initial),
        template="findings/deviation_form.html",
        save=lambda data: services.deviation_update(
            actor=request.user,  # type: ignore[arg-type]
            deviation=deviation,
            expected_version=data["version"],
            **without_version(data),
        ),
        done=saved(request, _("Your changes were saved."), "findings:detail", key=deviation.uuid),
        context={"deviation": deviation},
    )


def _step(
    request: HttpRequest,
    key: str,
    form_class: type[forms.Form],
    title: str,
    initial: dict[str, Any],
    call: Callable[[Deviation, dict[str, Any], forms.Form], Any],
    success: str,
) -> HttpResponse:
    """One step of a deviation's lifecycle: a small form, one service call."""
    deviation: Deviation = access.deviation_for(request.user, key, change=True)
    form = form_class(request.POST or None, initial={"version": deviation.version, **initial})
    return form_page(
        request,
        form,
        template="findings/step_form.html",
        save=lambda data: call(deviation, data, form),
        done=saved(request, success, "findings:detail", key=deviation.uuid),
        context={"deviation": deviation, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_assess(request: HttpRequest, key: str) -> HttpResponse:
    """Inköp decides the severity of a deviation an orderer reported (the proposal is the default)."""
    deviation: Deviation = access.deviation_for(request.user, key, change=True)
    return form_page(
        request,
        AssessForm(request.POST or None, initial={"version": deviation.version, "severity": deviation.severity}),
        template="findings/step_form.html",
        save=lambda data: services.deviation_assess(
            actor=request.user,  # type: ignore[arg-type]
            deviation=deviation,
            expected_version=data["version"],
            severity=data["severity"],
            note=data["note"],
        ),
        done=saved(request, _("The deviation was assessed."), "findings:detail", key=deviation.uuid),
        context={"deviation": deviation, "title": _("Assess the reported deviation")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_agree(request: HttpRequest, key: str) -> HttpResponse:
    today = timezone.localdate()
    return _step(
        request,
        key,
        ActionPlanForm,
        _("Agree an action plan"),
        {"agreed_on": today},
        lambda d, data, form: services.action_plan_agree(
            actor=request.user,  # type: ignore[arg-type]
            deviation=d,
            expected_version=data["version"],
            agreed_on=data["agreed_on"],
            deadline=data["deadline"],
            items=form.items(),  # type: ignore[attr-defined]
            supplier_response=data["supplier_response"],
        ),
        _("The action plan was agreed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_response(request: HttpRequest, key: str) -> HttpResponse:
    return _step(
        request,
        key,
        ResponseForm,
        _("Record the supplier's response"),
        {},
        lambda d, data, form: services.action_plan_record_response(
            actor=request.user,  # type: ignore[arg-type]
            deviation=d,
            expected_version=data["version"],
            supplier_response=data["supplier_response"],
        ),
        _("The supplier's response was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_verify(request: HttpRequest, key: str) -> HttpResponse:
    return _step(
        request,
        key,
        VerifyForm,
        _("Verify the correction"),
        {"verified_on": timezone.localdate()},
        lambda d, data, form: services.action_plan_verify(
            actor=request.user,  # type: ignore[arg-type]
            deviation=d,
            expected_version=data["version"],
            fixed=data["fixed"],
            verified_on=data["verified_on"],
            note=data["note"],
        ),
        _("The verification was recorded."),
    )


@login_required
@require_POST
def action_item_done(request: HttpRequest, key: str, item_id: int) -> HttpResponse:
    """The "Mark done" button on the deviation page: no page of its own, so any refusal
    (a stale version, an earlier plan) comes back as a message on the deviation page."""
    deviation: Deviation = access.deviation_for(request.user, key, change=True)
    item = get_object_or_404(ActionItem.objects.select_related("plan"), pk=item_id, plan__deviation=deviation)
    item.plan.deviation = deviation
    form = ActionDoneForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_mark_done(
                actor=request.user,  # type: ignore[arg-type]
                item=item,
                expected_version=form.cleaned_data["version"],
                done_on=timezone.localdate(),
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, str(exc.message) if isinstance(exc, DomainError) else " ".join(exc.messages))
        else:
            messages.success(request, _("The action was marked as done."))
    return redirect("findings:detail", key=deviation.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def deviation_close(request: HttpRequest, key: str) -> HttpResponse:
    return _step(
        request,
        key,
        ReasonForm,
        _("Close the deviation"),
        {},
        lambda d, data, form: services.deviation_close(
            actor=request.user,  # type: ignore[arg-type]
            deviation=d,
            expected_version=data["version"],
            note=data["reason"],
        ),
        _("The deviation was closed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_reopen(request: HttpRequest, key: str) -> HttpResponse:
    return _step(
        request,
        key,
        ReasonForm,
        _("Reopen the deviation"),
        {},
        lambda d, data, form: services.deviation_reopen(
            actor=request.user,  # type: ignore[arg-type]
            deviation=d,
            expected_version=data["version"],
            reason=data["reason"],
        ),
        _("The deviation was reopened."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def sanction_decide(request: HttpRequest, key: str) -> HttpResponse:
    deviation: Deviation = access.deviation_for(request.user, key, change=True)
    today = timezone.localdate()
    contract = deviation.contract
    others = Deviation.objects.filter(policy.decision_needed_q(today), contract=contract).exclude(pk=deviation.pk)
    form = SanctionForm(request.POST or None, initial={"decided_on": today}, others=others.order_by("deadline", "id"))
    fine = policy.fine_for_deviations(contract, [deviation], today)
    return form_page(
        request,
        form,
        template="findings/sanction_form.html",
        save=lambda data: services.sanction_decide(
            actor=request.user,  # type: ignore[arg-type]
            contract=contract,
            deviations=[deviation, *data.get("also", [])],
            decision=data["decision"],
            kind=data["kind"],
            clause=data["clause"],
            reason=data["reason"],
            amount=data["amount"],
            decided_on=data["decided_on"],
        ),
        done=saved(request, _("The sanction decision was recorded."), "findings:detail", key=deviation.uuid),
        context={"deviation": deviation, "contract": contract, "fine": fine if fine and fine.weeks else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, contract_key: str) -> HttpResponse:
    contract = access.contract_for(request.user, contract_key)
    if not access.can_manage_findings(request.user):
        raise PermissionDenied
    existing = ContractEvaluation.objects.filter(contract=contract).prefetch_related("aims").first()
    initial: dict[str, Any] = {"evaluated_on": timezone.localdate()}
    if existing is not None:
        initial |= {
            "version": existing.version,
            "evaluated_on": existing.evaluated_on,
            "supplier_relationship": existing.supplier_relationship,
            "lessons": existing.lessons,
        }
        for row in existing.aims.all():
            initial[f"aim_{row.aim}"] = row.fulfilment
            initial[f"aim_{row.aim}_comment"] = row.comment
    form = EvaluationForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="findings/evaluation_form.html",
        save=lambda data: services.evaluation_record(
            actor=request.user,  # type: ignore[arg-type]
            contract=contract,
            expected_version=data["version"],
            aims=form.aims(),
            supplier_relationship=data["supplier_relationship"],
            lessons=data["lessons"],
            evaluated_on=data["evaluated_on"],
        ),
        done=saved(request, _("The evaluation was saved."), "findings:evaluation", contract_key=contract.uuid),
        context={
            "contract": contract,
            "evaluation": existing,
            "aim_rows": [(form[f"aim_{aim.value}"], form[f"aim_{aim.value}_comment"]) for aim in Aim],
            "status": selectors.contract_status(contract, timezone.localdate()),
        },
    )
