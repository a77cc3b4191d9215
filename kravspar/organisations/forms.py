from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.organisations.counties import County
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind


class OrganisationForm(ServiceModelForm):
    # Wider than the stored digits: people type "232100-0032" and "SE 2321000032 01".
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=13,
        help_text=_("Ten digits, e.g. 232100-0032. The last digit is a check digit."),
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=16,
        required=False,
        help_text=_("SE + organisation number + 01, e.g. SE232100003201."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "parent",
            "org_number",
            "peppol_scheme",
            "peppol_value",
            "vat_number",
            "street_address",
            "postal_code",
            "city",
            "county",
            "sso_required",
            "sso_provisioning",
            "sso_default_role",
        ]
        help_texts = {
            "peppol_value": _("Leave empty to use the organisation number (scheme 0007)."),
            "sso_required": _(
                "Staff log in only through single sign-on (SITHS or Freja eID); their passwords are refused."
            ),
            "sso_provisioning": _(
                "A person who logs in with single sign-on and whose HSA-id or organisation attribute names "
                "this organisation gets an account here, even if nobody added them. Off: they are refused."
            ),
            "sso_default_role": _("The role such an account gets. Empty: no role until an administrator gives one."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.filter(kind=OrganisationKind.REGION)  # type: ignore[attr-defined]
        self.fields["peppol_value"].required = False
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        self.fields["street_address"].widget.attrs["autocomplete"] = "street-address"


class UnitForm(ServiceModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "description", "serves", "followup_contact"]
        widgets = {"serves": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["followup_contact"]  # a new unit has nobody in it yet
        else:
            self.fields["followup_contact"].queryset = people  # type: ignore[attr-defined]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Name, organisation number or city"),
        widget=forms.SearchInput,
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganisationKind.choices])
    county = forms.ChoiceField(label=_("County"), required=False, choices=[("", _("All counties")), *County.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))],
    )


UNIT_KIND_CHOICES = [("", _("All kinds")), *UnitKind.choices]
