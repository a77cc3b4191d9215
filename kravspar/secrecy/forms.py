from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.secrecy.models import DisclosureOutcome, DownloadKind, DownloadReason, Provision

DATE = forms.DateInput(attrs={"type": "date"})


class MarkForm(forms.Form):
    provision = forms.ModelChoiceField(
        label=_("Provision"), queryset=Provision.objects.filter(active=True), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the item may be secret. A mark is a prior assessment; secrecy is decided per request."),
    )


class UnmarkForm(forms.Form):
    reason = forms.CharField(label=_("Reason for removing"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisclosureForm(forms.Form):
    requested_on = forms.DateField(label=_("Request received"), required=False, widget=DATE)
    requester = forms.CharField(label=_("Requested by"), required=False, max_length=200)
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("", "–"), *DisclosureOutcome.choices], required=False)
    masked = forms.CharField(
        label=_("What was masked"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a partial disclosure: which parts were withheld."),
    )
    provision = forms.ModelChoiceField(
        label=_("Provision"),
        queryset=Provision.objects.filter(active=True),
        required=False,
        help_text=_("For a refusal or masking: the provision it rests on."),
    )
    reason = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decided_on = forms.DateField(label=_("Decided"), required=False, widget=DATE)


BUYER_ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.SUPPLIER_CONTACT]


class ProvisionForm(forms.Form):
    code = forms.CharField(label=_("Provision"), max_length=60, help_text=_("For example OSL 31 kap. 16 §."))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    officers_on_contract = forms.BooleanField(label=_("Inköp officers on the contract may see"), required=False)
    concerned_supplier = forms.BooleanField(label=_("the supplier it concerns may see"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles that may see"),
        choices=BUYER_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every holder of these roles who sees the contract may see items marked under it."),
    )
    personal_data = forms.BooleanField(label=_("protects personal data"), required=False)
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)


class DownloadFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Downloaded by"), queryset=User.objects.order_by("last_name", "first_name"), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *DownloadKind.choices], required=False)
    reason = forms.ChoiceField(
        label=_("Why logged"), choices=[("", _("All reasons")), *DownloadReason.choices], required=False
    )
    q = forms.CharField(label=_("File or contract"), required=False, widget=forms.SearchInput)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


class DiaryRuleForm(forms.Form):
    pattern = forms.CharField(
        label=_("Pattern"),
        required=False,
        max_length=200,
        help_text=_("A regular expression the whole diary number must match, e.g. RS-\\d{4}-\\d{4}. Empty: no rule."),
    )
    example = forms.CharField(
        label=_("Example"),
        required=False,
        max_length=60,
        help_text=_("A number of the right form; the error message shows it, e.g. RS-2026-0142."),
    )
