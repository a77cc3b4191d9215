from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kravspar.accounts import services
from kravspar.accounts.models import User
from kravspar.accounts.roles import ROLE_HELP, Role
from kravspar.organisations.models import Organisation, Unit


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind N reverse proxies (KRAVSPAR_TRUSTED_PROXIES=N) it is the
    N-th address from the right of X-Forwarded-For — the one the outermost trusted proxy
    saw; anything further left is what the client claims and is ignored."""
    if request is None:
        return None
    proxies = settings.KRAVSPAR_TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("Wrong username, e-mail or password. Check them and try again."),
        "inactive": _("This account is deactivated. Contact your administrator."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request)
        minutes = services.login_address_locked_minutes(address)
        if minutes:
            raise forms.ValidationError(
                ngettext(
                    "Too many failed logins from your network address. Try again in %(minutes)d minute.",
                    "Too many failed logins from your network address. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="address_locked",
            )
        if username:
            self._refuse_if_sso_required(username)
            minutes = services.login_locked_minutes(username)
            if minutes:
                raise forms.ValidationError(
                    ngettext(
                        "Too many failed logins. The account is locked for %(minutes)d more minute. "
                        "You can reset your password by e-mail.",
                        "Too many failed logins. The account is locked for %(minutes)d more minutes. "
                        "You can reset your password by e-mail.",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="locked",
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_failure_record(identifier=username, ip_address=address)
            raise
        if self.user_cache is not None:
            services.login_failures_clear(user=self.user_cache)
        return cleaned

    def _refuse_if_sso_required(self, username: str) -> None:
        """An organisation that requires single sign-on: its staff may not use a password
        (only while a provider is configured, or nobody could log in).

        The refusal comes before the password is looked at, so the page is the same whether
        the password was right or wrong: it must never confirm a password that an attacker
        guessed (a password of an SSO-only account may be an old or reused one). The message
        tells that the identifier belongs to such an organisation; that is less than a
        confirmed password, and the person needs the hint to find the right button. The
        refusal counts against the client address only (the password spraying limit): the
        account's own lockout is for guessing its password, which is not tried here."""
        from kravspar.accounts import sso

        buttons = sso.providers()
        if not buttons:
            return
        user = services.login_person(username)
        organisation = user.organisation if user is not None and user.is_active else None
        if organisation is not None and organisation.sso_required:
            services.login_refusal_record(ip_address=client_ip(self.request))
            User().set_password(self.cleaned_data.get("password") or "")  # the same time as a check
            if len(buttons) == 1:
                message = _("%(organisation)s logs in with single sign-on. Use the button “%(button)s” above.") % {
                    "organisation": organisation.name,
                    "button": buttons[0]["label"],
                }
            else:
                message = _(
                    "%(organisation)s logs in with single sign-on. Use one of the buttons above: %(buttons)s."
                ) % {
                    "organisation": organisation.name,
                    "buttons": _(" or ").join(f"“{button['label']}”" for button in buttons),
                }
            raise forms.ValidationError(message, code="sso_required")


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    hsa_id = forms.CharField(
        label=_("HSA-id"),
        max_length=64,
        required=False,
        help_text=_("For single sign-on with SITHS: the person's HSA-id, e.g. SE2321000032-abc1."),
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, help_text=_("Must belong to the organisation.")
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.SUPPLIER_CONTACT],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=" ".join(f"{Role(r).label}: {h}" for r, h in ROLE_HELP.items() if r != Role.SUPPLIER_CONTACT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(organisation__in=organisations).select_related(  # type: ignore[attr-defined]
            "organisation"
        )
        self.fields["unit"].label_from_instance = lambda u: f"{u.organisation} – {u.name}"  # type: ignore[attr-defined]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, so you recognise it later.")
    )


def person_initial(person: User) -> dict[str, Any]:
    return {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "title": person.title,
        "hsa_id": person.hsa_id,
        "organisation": person.organisation_id,
        "unit": person.unit_id,
        "roles": list(person.groups.values_list("name", flat=True)),
        "version": person.version,
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )
