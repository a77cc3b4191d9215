"""Pages of the supplier portal. Supplier-facing pages fetch only through
``portal.access`` (their own supplier, else 404); the officer's pages through
``accounts.access`` and the supplier registry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from kravspar.accounts.forms import client_ip
from kravspar.accounts.models import User
from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.portal import access, services
from kravspar.portal.forms import InvitationForm, SetPasswordForm
from kravspar.portal.models import Invitation, InvitationState
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


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    supplier = access.supplier_of(request.user)
    return render(request, "portal/home.html", {"supplier": supplier})
