from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.supplierinfo.models import DocumentKind, PolicyDocument, RegionContact


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *DocumentKind.choices])
    state = forms.ChoiceField(
        label=_("Shown"),
        required=False,
        choices=[("", _("All")), ("active", _("Published")), ("withdrawn", _("Withdrawn"))],
    )


class DocumentForm(ServiceModelForm):
    class Meta:
        model = PolicyDocument
        fields = ["title", "kind", "description", "title_en", "description_en"]


class VersionForm(forms.Form):
    label = forms.CharField(
        label=_("Version"), max_length=50, help_text=_("As the document names it, e.g. 2.1 or 2024.")
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word (.docx), Excel (.xlsx) or text. Leave empty if you give a link."),
    )
    url = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=500,
        help_text=_("The address of the document on the region's website. Leave empty if you upload a file."),
        widget=forms.URLInput,
    )
    change_note = forms.CharField(
        label=_("What changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to suppliers and in the feed."),
    )


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history. The document's versions stay, and it can be restored."),
    )


class RegionContactForm(ServiceModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = RegionContact
        fields = ["visiting_address", "phone", "email", "website"]


class AcknowledgementFilterForm(forms.Form):
    q = forms.CharField(label=_("Supplier or person"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Confirmed"),
        required=False,
        choices=[("", _("All")), ("yes", _("Has confirmed")), ("no", _("Has not confirmed"))],
    )
