"""Pages for the category tables behind the planning suggestions (policy.suggestions):
every buyer reads them, the keepers of the requirement library maintain them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.forms import ServiceModelForm
from kravspar.core.formviews import form_page, saved
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.cpv import codes
from kravspar.cpv.models import CpvCode
from kravspar.procurements import policy, services
from kravspar.procurements.forms import CpvCodeField
from kravspar.procurements.models import CategoryRule, CategoryRuleKind


class CategoryRuleForm(ServiceModelForm):
    class Meta:
        model = CategoryRule
        fields = ["kind", "cpv_prefix", "label", "source", "is_active"]
        help_texts = {
            "cpv_prefix": gettext_lazy(
                "2 to 8 digits; every CPV code that starts with them is in the category, "
                "e.g. 15 for all food, 9091 for cleaning."
            ),
            "source": gettext_lazy(
                "Where the rule comes from: the policy, programme, list or law, e.g. LOU 17 kap. 2–5 §§."
            ),
            "is_active": gettext_lazy(
                "An inactive rule stays in the table with its history but gives no more suggestions."
            ),
        }
        widgets = {"cpv_prefix": forms.TextInput(attrs={"inputmode": "numeric", "size": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service says what is missing and why (e.g. "Source: say where the rule comes
        # from."); the fields stay marked as required for the browser and assistive technology.
        for name in ("cpv_prefix", "label", "source"):
            self.fields[name].required = False
            self.fields[name].widget.attrs["required"] = True

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CategoryFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        help_text=gettext_lazy("CPV prefix or category"),
        widget=forms.SearchInput,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Table"),
        required=False,
        choices=[("", gettext_lazy("All tables")), *CategoryRuleKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("active", gettext_lazy("Active")),
            ("inactive", gettext_lazy("Inactive")),
            ("all", gettext_lazy("All")),
        ],
    )


class TryCodeForm(forms.Form):
    cpv = CpvCodeField(
        label=gettext_lazy("CPV code"),
        required=True,
        help_text=gettext_lazy("Eight digits, e.g. 90911200"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 12}),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _rule_for(key: str) -> CategoryRule:
    rule = CategoryRule.objects.filter(uuid=key).first() if is_uuid(key) else None
    if rule is None:
        raise Http404
    return rule


def _prefix_code(prefix: str) -> str:
    """The CPV code a prefix names: "9091" is the class 90910000."""
    return prefix.ljust(codes.CODE_LENGTH, "0")


def _filtered_rules(form: CategoryFilterForm) -> Any:
    qs = CategoryRule.objects.all()
    status = "active"
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            qs = qs.filter(Q(cpv_prefix__startswith=q) | Q(label__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        status = data["status"] or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("kind", "cpv_prefix", "pk")


@login_required
@require_safe
def category_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_PROCUREMENTS)
    form = CategoryFilterForm(request.GET or None)
    page = paginate(request, _filtered_rules(form))
    # One query for the CPV labels of the whole page.
    cpv_by_code = CpvCode.objects.in_bulk([_prefix_code(rule.cpv_prefix) for rule in page.object_list])
    rows = [(rule, cpv_by_code.get(_prefix_code(rule.cpv_prefix))) for rule in page.object_list]
    try_form = TryCodeForm(request.GET) if "cpv" in request.GET else TryCodeForm()
    tried = try_form.cleaned_data["cpv"] if try_form.is_bound and try_form.is_valid() else None
    return render(
        request,
        "procurements/category_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": querystring_without_page(request),
            "try_form": try_form,
            # The try form keeps the list as it was filtered.
            "keep": [(name, request.GET[name]) for name in CategoryFilterForm.base_fields if request.GET.get(name)],
            "tried": tried,
            "suggestions": policy.suggestions_for_codes([tried.code]) if tried else [],
            "can_manage": access.has_perm(user, Perm.MANAGE_LIBRARY),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_LIBRARY)
    form = CategoryRuleForm(request.POST or None)
    del form.fields["is_active"]  # a new rule always applies

    def done(rule: CategoryRule) -> HttpResponse:
        messages.success(
            request,
            _("The rule for %(prefix)s %(label)s was added.") % {"prefix": rule.cpv_prefix, "label": rule.label},
        )
        return redirect("categories:list")

    return form_page(
        request,
        form,
        template="procurements/category_form.html",
        save=lambda _data: services.category_rule_create(actor=user, **form.service_data()),
        done=done,
        context={"rule": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.MANAGE_LIBRARY)
    rule = _rule_for(key)
    initial = {f: getattr(rule, f) for f in CategoryRuleForm.Meta.fields} | {"version": rule.version}
    form = CategoryRuleForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        template="procurements/category_form.html",
        save=lambda data: services.category_rule_update(
            actor=user, rule=rule, expected_version=data["version"], **form.service_data()
        ),
        done=saved(request, _("Your changes were saved."), "categories:list"),
        context={
            "rule": rule,
            "cpv": CpvCode.objects.filter(code=_prefix_code(rule.cpv_prefix)).first(),
            "history": paginate(request, audit_events_for(rule), per_page=20),
        },
    )


app_name = "categories"
urlpatterns = [
    path("", category_list, name="list"),
    path("ny/", category_create, name="create"),
    path("<str:key>/andra/", category_edit, name="edit"),
]
