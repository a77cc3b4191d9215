from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kravspar.contracts.models import Contract, ContractStatus, Subcontractor
from kravspar.core.forms import ServiceModelForm
from kravspar.core.pickers import PickerField
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import CollectiveAgreement, Supplier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(ServiceModelForm):
    class Meta:
        model = Contract
        fields = [
            "contract_number",
            "title",
            "diary_number",
            "suppliers",
            "buyers",
            "signed_on",
            "starts_on",
            "ends_on",
            "extension_options",
            "extension_months",
            "value",
            "fine_per_week",
            "fine_cap_weeks",
            "termination_grounds",
        ]
        widgets = {
            "signed_on": DATE,
            "starts_on": DATE,
            "ends_on": DATE,
            "buyers": forms.CheckboxSelectMultiple,
            "termination_grounds": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "suppliers": _("The suppliers that signed the contract."),
            "termination_grounds": _("The clauses that allow hävning or termination, e.g. 14.2 a–f."),
        }

    def __init__(
        self,
        *args: Any,
        suppliers: QuerySet[Supplier],
        buyers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].queryset = suppliers  # type: ignore[attr-defined]
        self.fields["buyers"].queryset = buyers  # type: ignore[attr-defined]
        for name in ("extension_options", "extension_months"):
            self.fields[name].required = False


class ExtensionForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StatusForm(forms.Form):
    to = forms.ChoiceField(
        label=_("New status"),
        choices=[(ContractStatus.TERMINATED.value, _("Terminated")), (ContractStatus.EXPIRED.value, _("Expired"))],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(
        label=_("Ended"),
        required=False,
        widget=DATE,
        help_text=_("Empty: today for termination, the end date for expiry."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for termination: the clause and what happened."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SubcontractorForm(ServiceModelForm):
    collective_agreement = forms.ChoiceField(
        label=_("Collective agreement"), required=False, choices=[("", _("Not known")), *CollectiveAgreement.choices]
    )

    class Meta:
        model = Subcontractor
        fields = ["supplier", "name", "org_number", "country", "role", "collective_agreement"]
        help_texts = {"org_number": _("Swedish subcontractors: ten digits, e.g. 556054-1889.")}

    def __init__(self, *args: Any, suppliers: QuerySet[Supplier] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_number"] = forms.CharField(
            label=_("Organisation number"), max_length=13, required=False, help_text=self.fields["org_number"].help_text
        )
        if suppliers is None:
            del self.fields["supplier"]
        else:
            self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
        self.fields["country"].required = False


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Contract number, title or supplier"),
        widget=forms.SearchInput,
    )
    # Pickers, not selects: a select of every organisation and supplier grew with the data.
    organisation = PickerField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.none(), url="organisations:options"
    )
    supplier = PickerField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.none(), url="suppliers:options"
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ContractStatus.choices])
    strategy_missing = forms.BooleanField(label=_("Only contracts without an approved strategy"), required=False)

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], suppliers: QuerySet[Supplier], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
