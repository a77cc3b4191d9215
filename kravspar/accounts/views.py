from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kravspar.accounts import access, services, sso, twofactor
from kravspar.accounts.forms import ApiTokenForm, LoginForm, PersonForm, TwoFactorCodeForm, person_initial
from kravspar.accounts.models import ApiToken, User
from kravspar.accounts.roles import Perm, Role
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.core.pickers import PickerField
from kravspar.organisations.models import Organisation


class PersonFilterForm(forms.Form):
    """The people list's organisation filter; the list's other filters are plain parameters."""

    # A picker, not a select: a select of every organisation grew with the data.
    organisation = PickerField(
        label=gettext_lazy("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        url="organisations:options",
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["providers"] = sso.providers()
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        twofactor.after_password_login(self.request, user)
        if twofactor.is_pending(self.request):
            target = "accounts:twofactor_verify" if twofactor.is_enabled(user) else "accounts:twofactor_enrol"
            return redirect(reverse(target) + "?" + urlencode({"next": self.get_success_url()}))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        # Proving control of the e-mail address lifts a lockout, as the lockout message promises.
        response = super().form_valid(form)
        services.login_failures_clear(user=form.user)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The person's own page: who they are, their roles, and their API tokens."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(actor=user, user=user, name=form.cleaned_data["name"])
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": user.api_tokens.all(),
            "can_use_api": access.has_perm(user, Perm.USE_API),
            "two_factor_enabled": twofactor.is_enabled(user),
            "role_labels": [Role(r).label for r in sorted(access.roles_of(user))],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, key: str) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, uuid=key if is_uuid(key) else None).first()  # type: ignore[misc]
    if token is None:
        raise Http404
    if request.method == "POST":
        services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("accounts:account")
    return render(request, "accounts/confirm_revoke.html", {"token": token})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_PEOPLE)
    qs = (
        access.people_visible_to(request.user)
        .select_related("organisation", "unit")
        .prefetch_related(Prefetch("groups"))
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    form = PersonFilterForm(request.GET or None, organisations=access.organisations_visible_to(request.user))
    if form.is_valid():
        if organisation := form.cleaned_data["organisation"]:
            qs = qs.filter(organisation=organisation)
    elif form.errors:  # a name that matches no organisation, or several: nobody, and the message
        qs = qs.none()
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(groups__name=role)
    status = request.GET.get("status", "active")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    page = paginate(request, qs.order_by("last_name", "first_name", "username"))
    template = "accounts/person_list.html"
    if request.headers.get("HX-Request"):
        template = "accounts/_person_results.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "form": form,
            "roles": [(r.value, r.label) for r in Role],
            "role": role,
            "status": status,
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(request.user, Perm.MANAGE_PEOPLE),
        },
    )


@login_required
def person_detail(request: HttpRequest, key: str) -> HttpResponse:
    person = access.person_for(request.user, key)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "role_labels": [Role(r).label for r in person.groups.values_list("name", flat=True) if r in Role.values],
            "history": paginate(request, audit_events_for(person), per_page=20),
            "can_manage": access.can_change_person(request.user, person),
        },
    )


def _person_form(request: HttpRequest, **kwargs: object) -> PersonForm:
    orgs = Organisation.objects.filter(is_active=True)
    return PersonForm(request.POST or None, organisations=orgs, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.MANAGE_PEOPLE)
    form = _person_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,  # type: ignore[arg-type]
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                title=data["title"],
                organisation=data["organisation"],
                unit=data["unit"],
                roles=data["roles"],
                hsa_id=data["hsa_id"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was added and has been e-mailed a link to choose a password.") % {"name": person},
            )
            return redirect("accounts:person_detail", key=person.uuid)
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, key: str) -> HttpResponse:
    person = access.person_for(request.user, key, change=True)
    form = _person_form(request, initial=person_initial(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                expected_version=data["version"],
                roles=data["roles"],
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                title=data["title"],
                organisation=data["organisation"],
                unit=data["unit"],
                hsa_id=data["hsa_id"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("accounts:person_detail", key=person.uuid)
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": person},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_set_active(request: HttpRequest, key: str) -> HttpResponse:
    person = access.person_for(request.user, key, change=True)
    error = None
    if request.method == "POST":
        try:
            services.person_set_active(actor=request.user, person=person, active=not person.is_active)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(
                request,
                (_("%(name)s was reactivated.") if not person.is_active else _("%(name)s was deactivated."))
                % {"name": person},
            )
            return redirect("accounts:person_detail", key=person.uuid)
    return render(request, "accounts/confirm_person_active.html", {"person": person, "error": error})


# --- Two-factor login ----------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:home")


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password login: a code from the app or a recovery code."""
    user: User = request.user  # type: ignore[assignment]
    if not twofactor.is_pending(request):
        return redirect(_safe_next(request))
    if not twofactor.is_enabled(user):
        return redirect("accounts:twofactor_enrol")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request=request, user=user, token=form.cleaned_data["code"]):
            return redirect(_safe_next(request))
        form.add_error(
            "code",
            _("Code: the code is wrong or too old. Wait for the next code in the app and try again."),
        )
    return render(
        request,
        "accounts/twofactor_verify.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code, confirm with a code, get recovery codes.
    A person who already has an app must give a code first (the middleware sees to it),
    so setting up a new one replaces the old only after a proper login."""
    user: User = request.user  # type: ignore[assignment]
    if twofactor.is_pending(request) and twofactor.is_enabled(user):
        return redirect("accounts:twofactor_verify")
    device = twofactor.enrolment_device(user)
    if device is None or request.method == "GET":
        device = twofactor.enrolment_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    form.fields["code"].help_text = _("The six digits the app shows after you added Kravspår.")
    if request.method == "POST" and form.is_valid():
        codes = twofactor.enrolment_confirm(request=request, user=user, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            return render(
                request, "accounts/twofactor_codes.html", {"codes": codes, "next": _safe_next(request), "new": True}
            )
        form.add_error("code", _("Code: the code does not match. Check the app's clock and try the next code."))
    return render(
        request,
        "accounts/twofactor_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_svg_data_uri(device),
            "secret": twofactor.secret_for_typing(device),
            "next": _safe_next(request),
            "required": twofactor.required_for(user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def twofactor_settings(request: HttpRequest) -> HttpResponse:
    """The person's own two-factor page: state, new recovery codes, turn off or reset."""
    user: User = request.user  # type: ignore[assignment]
    required = twofactor.required_for(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and twofactor.is_enabled(user):
            codes = twofactor.recovery_codes_renew(user=user)
            return render(
                request, "accounts/twofactor_codes.html", {"codes": codes, "next": reverse("accounts:twofactor")}
            )
        if action == "off" and twofactor.is_enabled(user):
            twofactor.two_factor_reset(actor=user, person=user)
            messages.success(
                request,
                _("Two-factor login is reset. Set up your app again now.")
                if required
                else _("Two-factor login is turned off."),
            )
            return redirect("accounts:twofactor_enrol" if required else "accounts:twofactor")
        return redirect("accounts:twofactor")
    return render(
        request,
        "accounts/twofactor_settings.html",
        {
            "enabled": twofactor.is_enabled(user),
            "required": required,
            "codes_left": twofactor.recovery_codes_left(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_twofactor_reset(request: HttpRequest, key: str) -> HttpResponse:
    """An administrator resets a person's two-factor login (lost phone and recovery codes)."""
    person = access.person_for(request.user, key, change=True)
    if request.method == "POST":
        twofactor.two_factor_reset(actor=request.user, person=person)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Two-factor login for %(name)s is reset. They set up a new app at their next login.") % {"name": person},
        )
        return redirect("accounts:person_detail", key=person.uuid)
    return render(
        request,
        "accounts/confirm_twofactor_reset.html",
        {"person": person, "enabled": twofactor.is_enabled(person)},
    )
