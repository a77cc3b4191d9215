"""Procurement pages: the list, planning (aims, goals, strategy), approval, the lifecycle
and the strategy's versions. Every change goes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.formviews import created, form_page, render_form, saved, without_version
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.organisations.models import Unit
from kravspar.procurements import policy, selectors, services
from kravspar.procurements.forms import (
    AIM_TEXT,
    AimsForm,
    AssessmentsForm,
    CancelForm,
    CommentForm,
    GoalsForm,
    LibraryAddForm,
    ProcurementFilterForm,
    ProcurementForm,
    StrategyEntryForm,
    StrategyForm,
    VerificationForm,
)
from kravspar.procurements.models import (
    Aim,
    Procurement,
    ProcurementStatus,
    Strategy,
    StrategyStatus,
    Tier,
)
from kravspar.procurements.services import StrategyIncompleteError
from kravspar.procurements.steps import item_step, missing_by_step, planning_steps
from kravspar.requirements.services import retrofitting

# What the button that moves a procurement on says, by target status.
TRANSITION_LABELS = {
    ProcurementStatus.STRATEGY_APPROVED: gettext_lazy("Mark the strategy as approved"),
    ProcurementStatus.ADVERTISED: gettext_lazy("Advertise"),
    ProcurementStatus.EVALUATION: gettext_lazy("Start the evaluation"),
    ProcurementStatus.AWARDED: gettext_lazy("Award"),
    ProcurementStatus.CONCLUDED: gettext_lazy("Conclude"),
}
CLOSED = (ProcurementStatus.CONCLUDED, ProcurementStatus.CANCELLED)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _list_template(request: HttpRequest, full: str, fragment: str) -> str:
    # htmx asks for just the results when the person types in the search field.
    return fragment if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


def _detail_url(procurement: Procurement, anchor: str = "") -> str:
    url = reverse("procurements:detail", args=[procurement.uuid])
    return f"{url}#{anchor}" if anchor else url


# --- List and my work ------------------------------------------------------------------


@login_required
@require_safe
def procurement_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    form = ProcurementFilterForm(
        request.GET or None, user=user, officers=selectors.officers_of_visible_procurements(user)
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    page = paginate(request, selectors.procurement_list(user, **filters))
    return render(
        request,
        _list_template(request, "procurements/procurement_list.html", "procurements/_procurement_results.html"),
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(user, Perm.MANAGE_PROCUREMENTS),
            "tiers": {t.value: t.label for t in Tier},
            "strategy_statuses": dict(StrategyStatus.choices),
        },
    )


@login_required
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    return render(
        request,
        "procurements/my_work.html",
        {
            "planning": selectors.my_planning(user),
            "awaiting": selectors.strategies_awaiting_approval(user),
            "can_approve": access.has_perm(user, Perm.APPROVE_STRATEGY),
            "tiers": {t.value: t.label for t in Tier},
            "strategy_statuses": dict(StrategyStatus.choices),
        },
    )


# --- Create and edit --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def procurement_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_PROCUREMENTS)
    initial: dict[str, Any] = {"agreement_type": "contract"}
    if Role.PROCUREMENT_OFFICER in access.roles_of(user):
        initial["officer"] = user.pk
    return form_page(
        request,
        ProcurementForm(request.POST or None, user=user, initial=initial),
        template="procurements/procurement_form.html",
        save=lambda data: services.procurement_create(actor=user, **without_version(data)),
        done=created(
            request,
            lambda procurement: (
                _("%(number)s was registered. Next: assess the six aims.") % {"number": procurement.registry_number}
            ),
            "procurements:detail",
        ),
        context={"procurement": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    form = ProcurementForm(
        request.POST or None,
        user=user,
        procurement=procurement,
        initial=ProcurementForm.initial_for(procurement),
    )
    return form_page(
        request,
        form,
        template="procurements/procurement_form.html",
        save=lambda data: services.procurement_update(
            actor=user, procurement=procurement, expected_version=data["version"], **without_version(data)
        ),
        done=saved(request, _("Your changes were saved."), "procurements:detail", key=procurement.uuid),
        context={"procurement": procurement},
    )


# --- The procurement page -------------------------------------------------------------


def _detail_context(request: HttpRequest, procurement: Procurement) -> dict[str, Any]:
    user = _user(request)
    prefetch_related_objects(
        [procurement], "buyers", "ordering_units__organisation", "cpv_additional", "aim_assessments", "goal_assessments"
    )
    requirements = list(procurement.requirements.filter(removed=False).select_related("template"))
    strategy = policy.current_strategy(procurement)
    suggestions = policy.suggestions(procurement)
    aims = {a.aim: a for a in procurement.aim_assessments.all()}
    goals = policy.goals_for(procurement)
    goal_assessments = {a.goal_id: a for a in procurement.goal_assessments.all()}
    can_manage = access.can_change_procurement(user, procurement)
    editable = can_manage and procurement.status not in CLOSED
    # A concluded procurement whose contract lacks a strategy may still get one (see
    # requirements.services.retrofitting); everything else about it stays closed.
    retrofit = can_manage and procurement.status == ProcurementStatus.CONCLUDED and retrofitting(procurement)
    targets = [t for t in services.allowed_transitions(procurement) if t in TRANSITION_LABELS]
    if procurement.status == ProcurementStatus.PLANNING:
        # Planning moves on by approval; "Advertise" is offered so the gate can say what is missing.
        targets = [ProcurementStatus.ADVERTISED]
    submitted = strategy is not None and strategy.status == StrategyStatus.SUBMITTED
    missing = policy.strategy_gate_missing(procurement)
    steps = planning_steps(missing, strategy)
    return {
        "procurement": procurement,
        "buyers": procurement.buyers.all(),
        "kraljic": policy.kraljic(procurement),
        "tier": policy.tier(procurement),
        "computed_tier": policy.computed_tier(procurement),
        "tiers": list(Tier),
        "suggestions": suggestions,
        "aims": [(aim, AIM_TEXT[aim], aims.get(aim.value)) for aim in Aim],
        "goals": [(goal, goal_assessments.get(goal.pk)) for goal in goals],
        "requirements": requirements,
        "strategy": strategy,
        "rows": selectors.current_rows(requirements, strategy),
        "versions": [s for s in procurement.strategies.order_by("-number") if strategy is None or s.pk != strategy.pk],
        "missing": missing,
        "steps": steps,
        "gate_items": missing_by_step(steps),
        "library_form": LibraryAddForm(),
        "comment_form": CommentForm(),
        "transitions": [(t, TRANSITION_LABELS[ProcurementStatus(t)]) for t in targets],
        "can_cancel": editable and ProcurementStatus.CANCELLED in services.allowed_transitions(procurement),
        "can_manage": can_manage,
        "editable": editable,
        "strategy_editable": (editable or retrofit) and not submitted,
        "strategy_open": editable or retrofit,
        "retrofit": retrofit,
        "can_approve": submitted
        and access.has_perm(user, Perm.APPROVE_STRATEGY)
        and strategy is not None
        and strategy.submitted_by_id != user.pk,
        "history": paginate(request, audit_events_for(procurement), per_page=20),
        "suppliers": procurement.supplier_links.select_related("supplier"),
        "contracts": access.contracts_visible_to(user).filter(procurement=procurement),
        "verifications": procurement.verifications.select_related("requirement", "verified_by").order_by(
            "requirement__position", "requirement_id"
        ),
        "can_verify": can_manage and procurement.status == ProcurementStatus.EVALUATION,
        "can_register_contract": access.has_perm(user, Perm.MANAGE_CONTRACTS)
        and procurement.status in (ProcurementStatus.AWARDED, ProcurementStatus.CONCLUDED),
    }


@login_required
@require_safe
def procurement_detail(request: HttpRequest, key: str) -> HttpResponse:
    procurement = access.procurement_for(_user(request), key)
    return render(request, "procurements/procurement_detail.html", _detail_context(request, procurement))


def _refused(request: HttpRequest, procurement: Procurement, exc: DomainError) -> HttpResponse:
    """The procurement page again, with the refusal and, from the gate, what is missing."""
    procurement.refresh_from_db()
    context = _detail_context(request, procurement)
    context["refusal"] = {
        "message": exc.message,
        # Each item with the step of the page that fixes it (the gate's items know theirs).
        "missing": [
            (item, item_step(item) if isinstance(exc, StrategyIncompleteError) else "verifications")
            for item in (
                exc.missing if isinstance(exc, (StrategyIncompleteError, services.VerificationsOpenError)) else []
            )
        ],
    }
    return render(request, "procurements/procurement_detail.html", context, status=409)


@login_required
@require_POST
def procurement_transition(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    target = request.POST.get("to", "")
    if target == ProcurementStatus.CANCELLED:
        return redirect("procurements:cancel", key=procurement.uuid)
    try:
        services.procurement_transition(actor=user, procurement=procurement, to=target)
    except DomainError as exc:
        return _refused(request, procurement, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_detail_url(procurement, "status"))
    procurement.refresh_from_db()
    messages.success(
        request, _("The procurement is now: %(status)s.") % {"status": procurement.get_status_display().lower()}
    )
    return redirect(_detail_url(procurement, "status"))


@login_required
@require_http_methods(["GET", "POST"])
def procurement_cancel(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    return form_page(
        request,
        CancelForm(request.POST or None),
        template="procurements/confirm_cancel.html",
        save=lambda data: services.procurement_transition(
            actor=user, procurement=procurement, to=ProcurementStatus.CANCELLED, reason=data["reason"]
        ),
        done=saved(request, _("The procurement was cancelled."), "procurements:detail", key=procurement.uuid),
        context={"procurement": procurement},
    )


# --- Aims and environmental goals --------------------------------------------------------


class _Rollback(Exception):
    """Undo every row of a page-wide form when one of them is refused."""


def _save_rows(form: AssessmentsForm, calls: list[tuple[str, Callable[[], object]]]) -> bool:
    """Run one service call per row, all or none; refusals land on the row's fields."""
    try:
        with transaction.atomic():
            failed = False
            for key, call in calls:
                try:
                    call()
                except ValidationError as exc:
                    failed = True
                    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"how": exc.messages}
                    for field, errors in messages_by_field.items():
                        form.add_error(f"{key}_how" if field == "how" else None, errors)
                except DomainError as exc:
                    failed = True
                    form.add_error(None, str(exc.message))
            if failed:
                raise _Rollback
    except _Rollback:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def aims_assess(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    form = AimsForm(request.POST or None, assessments=list(procurement.aim_assessments.all()))
    if request.method == "POST" and form.is_valid():
        calls: list[tuple[str, Callable[[], object]]] = [
            (
                row,
                partial(
                    services.aim_assess,
                    actor=user,
                    procurement=procurement,
                    aim=int(row.removeprefix("aim")),
                    relevant=yes,
                    how=how,
                ),
            )
            for row, yes, how in form.answers()
        ]
        if _save_rows(form, calls):
            messages.success(request, _("The assessment of the aims was saved."))
            return redirect(_detail_url(procurement, "aims"))
    return render_form(request, "procurements/aims_form.html", {"form": form, "procurement": procurement})


@login_required
@require_http_methods(["GET", "POST"])
def goals_assess(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    goals = policy.goals_for(procurement)
    by_key = {f"goal{g.pk}": g for g in goals}
    form = GoalsForm(request.POST or None, goals=goals, assessments=list(procurement.goal_assessments.all()))
    if request.method == "POST" and form.is_valid():
        calls: list[tuple[str, Callable[[], object]]] = [
            (
                row,
                partial(
                    services.goal_assess, actor=user, procurement=procurement, goal=by_key[row], addressed=yes, how=how
                ),
            )
            for row, yes, how in form.answers()
        ]
        if _save_rows(form, calls):
            messages.success(request, _("The environmental goals were saved."))
            return redirect(_detail_url(procurement, "goals"))
    return render_form(
        request, "procurements/goals_form.html", {"form": form, "procurement": procurement, "goals": goals}
    )


# --- Strategy ---------------------------------------------------------------------------


def _new_version_note(strategy: Strategy | None) -> bool:
    """Whether a change now makes a new version (the current one is approved)."""
    return strategy is not None and strategy.status == StrategyStatus.APPROVED


@login_required
@require_http_methods(["GET", "POST"])
def strategy_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    strategy = policy.current_strategy(procurement)
    initial = (
        {f: getattr(strategy, f) for f in StrategyForm.Meta.fields}
        if strategy
        else {"kickoff_meeting": True, "supplier_must_participate": True}
    )
    return form_page(
        request,
        StrategyForm(request.POST or None, initial=initial),
        template="procurements/strategy_form.html",
        save=lambda data: services.strategy_update(actor=user, procurement=procurement, **without_version(data)),
        done=saved(request, _("The strategy was saved."), _detail_url(procurement, "strategy")),
        context={"procurement": procurement, "strategy": strategy, "new_version": _new_version_note(strategy)},
    )


def _units_for_entries(procurement: Procurement) -> Any:
    return (
        Unit.objects.filter(is_active=True, organisation_id__in=services.access_org_ids(procurement))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def strategy_entry_edit(request: HttpRequest, key: str, requirement_key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    requirement = selectors.requirement_of(procurement, requirement_key)
    strategy = policy.current_strategy(procurement)
    entry = strategy.entries.filter(requirement=requirement).first() if strategy else None
    policy_responsible = policy.responsible_for(requirement.type)
    proposal = policy.proposed_follow_up(procurement, requirement)
    if entry is not None:
        initial: dict[str, Any] = {
            "methods": entry.methods,
            "timing": entry.timing,
            "interval_months": entry.interval_months,
            "at_months": ", ".join(str(m) for m in entry.at_months),
            "responsible": entry.responsible,
            "responsible_unit": entry.responsible_unit_id,
            "environment_specialist": entry.environment_specialist,
            "override_reason": entry.override_reason,
            "change_reason": entry.method_change_reason,
        }
    else:
        initial = {
            "responsible": policy_responsible,
            "environment_specialist": requirement.type == "environment"
            and policy.needs_environment_specialist(procurement),
        }
        if proposal is not None:
            initial |= {"methods": list(proposal.methods), "timing": proposal.timing}
            initial["interval_months"] = proposal.interval_months
    return form_page(
        request,
        StrategyEntryForm(request.POST or None, initial=initial, units=_units_for_entries(procurement)),
        template="procurements/strategy_entry_form.html",
        save=lambda data: services.strategy_entry_set(
            actor=user, procurement=procurement, requirement=requirement, **data
        ),
        done=saved(
            request,
            _("The follow-up of “%(title)s” was saved.") % {"title": requirement.title},
            _detail_url(procurement, "strategy"),
        ),
        context={
            "procurement": procurement,
            "requirement": requirement,
            "strategy": strategy,
            "policy_responsible": policy_responsible,
            "proposal": services.proposal_text(proposal) if proposal else "",
            "tier": policy.tier(procurement),
            "new_version": _new_version_note(strategy),
        },
    )


@login_required
@require_POST
def strategy_submit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    try:
        strategy = services.strategy_submit(actor=user, procurement=procurement)
    except DomainError as exc:
        return _refused(request, procurement, exc)
    messages.success(
        request,
        _("Strategy version %(number)d was sent for approval. A second person must approve it.")
        % {"number": strategy.number},
    )
    return redirect(_detail_url(procurement, "approval"))


@login_required
@require_POST
def strategy_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    try:
        strategy = services.strategy_withdraw(actor=user, procurement=procurement)
    except DomainError as exc:
        return _refused(request, procurement, exc)
    messages.success(
        request, _("Strategy version %(number)d is a draft again and can be changed.") % {"number": strategy.number}
    )
    return redirect(_detail_url(procurement, "approval"))


@login_required
@require_POST
def strategy_approve(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key)
    access.require_perm(user, Perm.APPROVE_STRATEGY)
    try:
        strategy = services.strategy_approve(actor=user, procurement=procurement)
    except DomainError as exc:
        return _refused(request, procurement, exc)
    messages.success(request, _("Strategy version %(number)d was approved.") % {"number": strategy.number})
    return redirect(_detail_url(procurement, "approval"))


@login_required
@require_http_methods(["GET", "POST"])
def strategy_return(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key)
    access.require_perm(user, Perm.APPROVE_STRATEGY)

    def done(strategy: Strategy) -> HttpResponse:
        messages.success(
            request, _("Strategy version %(number)d was sent back to draft.") % {"number": strategy.number}
        )
        return redirect(_detail_url(procurement, "approval"))

    return form_page(
        request,
        CommentForm(request.POST or None),
        template="procurements/strategy_return.html",
        save=lambda data: services.strategy_return(actor=user, procurement=procurement, comment=data["comment"]),
        done=done,
        context={"procurement": procurement},
    )


def _version_context(request: HttpRequest, key: str, number: int) -> dict[str, Any]:
    procurement = access.procurement_for(_user(request), key)
    strategy = selectors.strategy_version(procurement, number)
    return {
        "procurement": procurement,
        "strategy": strategy,
        "rows": selectors.version_rows(strategy),
        "buyers": procurement.buyers.order_by("name"),
        "current": policy.current_strategy(procurement),
    }


@login_required
@require_safe
def strategy_version(request: HttpRequest, key: str, number: int) -> HttpResponse:
    context = _version_context(request, key, number)
    context["versions"] = context["procurement"].strategies.order_by("-number")
    return render(request, "procurements/strategy_version.html", context)


@login_required
@require_safe
def strategy_print(request: HttpRequest, key: str, number: int) -> HttpResponse:
    context = _version_context(request, key, number)
    context["ordering_units"] = context["procurement"].ordering_units.select_related("organisation")
    return render(request, "procurements/strategy_print.html", context)


# --- Verification during the procurement ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def verification_record(request: HttpRequest, key: str, verification_key: str) -> HttpResponse:
    user = _user(request)
    procurement = access.procurement_for(user, key, change=True)
    verification = selectors.verification_of(procurement, verification_key)
    return form_page(
        request,
        VerificationForm(
            request.POST or None,
            initial={"outcome": verification.outcome, "evidence": verification.evidence, "reason": verification.reason},
        ),
        template="procurements/verification_form.html",
        save=lambda data: services.verification_record(actor=user, verification=verification, **data),
        done=saved(
            request,
            _("The verification of “%(title)s” was recorded.") % {"title": verification.requirement.title},
            _detail_url(procurement, "verifications"),
        ),
        context={"procurement": procurement, "verification": verification},
    )
