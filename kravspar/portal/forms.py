from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.portal.models import DeclarationStatus, DocumentKind, SubcontractorDeclaration, SupplierDocument
from kravspar.suppliers.models import CollectiveAgreement


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The link is sent here. The address becomes the person's login."),
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password_again = forms.CharField(
        label=_("Repeat password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ResponseForm(forms.Form):
    supplier_response = forms.CharField(
        label=_("Your response"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you have done or will do to correct the deviation, and when."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DocumentForm(ServiceModelForm):
    upload = forms.FileField(label=_("File"), required=False)

    class Meta:
        model = SupplierDocument
        fields = ["kind", "title", "issuer", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("kind", "title", "valid_from"):
            self.fields[name].required = False
        self.fields["kind"].choices = [("", "---------"), *DocumentKind.choices]  # type: ignore[attr-defined]


class DeclarationForm(ServiceModelForm):
    # Wider than the stored values: the service normalises "556036-0793" and " se " and
    # explains what is wrong, instead of the form's bare length error.
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        required=False,
        help_text=_("Swedish subcontractors: ten digits."),
    )
    country = forms.CharField(
        label=_("Country"), max_length=60, required=False, help_text=_("Two-letter ISO 3166 code, e.g. SE, PL or DE.")
    )

    class Meta:
        model = SubcontractorDeclaration
        fields = ["name", "org_number", "country", "role", "collective_agreement"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.required = False
        self.fields["collective_agreement"].choices = [  # type: ignore[attr-defined]
            ("", _("Not stated")),
            *CollectiveAgreement.choices,
        ]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(DeclarationStatus.ACCEPTED, _("Accept")), (DeclarationStatus.REJECTED, _("Reject"))],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you reject: say what is missing or wrong. The supplier sees it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
