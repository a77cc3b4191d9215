from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.organisations.counties import County
from kravspar.suppliers.models import CollectiveAgreement, SizeClass, Supplier
from kravspar.suppliers.services import REGISTRY_FIELDS


class SupplierForm(ServiceModelForm):
    # Wider than the stored digits: people type "556054-1889".
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=13,
        required=False,
        help_text=_("Swedish suppliers: ten digits, e.g. 556054-1889. Foreign suppliers: leave empty."),
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_("Swedish suppliers: SE + organisation number + 01."),
    )
    f_tax = forms.NullBooleanField(
        label=_("Approved for F-tax"),
        required=False,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Supplier
        fields = REGISTRY_FIELDS
        help_texts = {
            "peppol_value": _("Leave empty to use the organisation number (scheme 0007)."),
            "country": _("ISO 3166 code, e.g. SE, NO or DE."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"] = forms.ChoiceField(
            label=_("County"), required=False, choices=[("", "–"), *County.choices]
        )
        for name in ("peppol_scheme", "peppol_value", "country"):
            self.fields[name].required = False
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        self.fields["street_address"].widget.attrs["autocomplete"] = "street-address"


class SupplierFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Name or organisation number"), widget=forms.SearchInput
    )
    size_class = forms.ChoiceField(
        label=_("Size class"), required=False, choices=[("", _("All sizes")), *SizeClass.choices]
    )
    county = forms.ChoiceField(label=_("County"), required=False, choices=[("", _("All counties")), *County.choices])
    collective_agreement = forms.ChoiceField(
        label=_("Collective agreement"),
        required=False,
        choices=[("", _("All")), *CollectiveAgreement.choices],
    )
