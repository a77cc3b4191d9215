"""Forms of the labour-conditions pages; the services do the checking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.labour import policy
from kravspar.labour.models import (
    BuyerCategory,
    CollectiveAgreement,
    Condition,
    ContractKind,
    DocumentKind,
    NeedDecision,
    RequestReason,
    ReviewOutcome,
    WorkLocation,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _agreements() -> Any:
    return CollectiveAgreement.objects.filter(is_active=True).order_by("sector", "name")


class AssessmentForm(forms.Form):
    contract_kind = forms.ChoiceField(label=_("Contract kind"), choices=ContractKind.choices)
    work_location = forms.ChoiceField(label=_("Where the work is done"), choices=WorkLocation.choices)
    decision = forms.ChoiceField(label=_("Decision"), choices=NeedDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why conditions are or are not needed: the risk of low wages or long hours in the sector."),
    )
    agreement = forms.ModelChoiceField(
        label=_("Central collective agreement"), queryset=CollectiveAgreement.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = _agreements()  # type: ignore[attr-defined]


class ConditionsForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("Central collective agreement"), queryset=CollectiveAgreement.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = _agreements()  # type: ignore[attr-defined]


class DeclarationAnswerForm(forms.Form):
    wages = forms.TypedChoiceField(
        label=_("Wages are at least at the agreement's level"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    holiday = forms.TypedChoiceField(
        label=_("Holiday is at least at the agreement's level"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    working_hours = forms.TypedChoiceField(
        label=_("Working hours are within the agreement's level"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    employees = forms.IntegerField(label=_("Employees working on the contract"), min_value=1)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DocumentRequestForm(forms.Form):
    subcontractor = forms.ChoiceField(label=_("For"), choices=())
    reason = forms.ChoiceField(label=_("Reason"), choices=RequestReason.choices)
    employees = forms.IntegerField(label=_("Employees in the sample"), min_value=1)
    months = forms.CharField(label=_("Months"), help_text=_("YYYY-MM, separated by commas."))
    kinds = forms.MultipleChoiceField(
        label=_("Documents"), choices=DocumentKind.choices, widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subcontractor"].choices = parties  # type: ignore[attr-defined]

    def month_list(self) -> list[str]:
        return [m.strip() for m in self.cleaned_data["months"].split(",") if m.strip()]


class ProofUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=())
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(DocumentKind.choices)
        self.fields["kind"].choices = [(k, labels.get(k, k)) for k in kinds]  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    condition = forms.ChoiceField(widget=forms.HiddenInput, choices=Condition.choices)
    checklist = forms.MultipleChoiceField(
        label=_("Checked"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, condition: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", condition)
        super().__init__(*args, **kwargs)
        labels = policy.checklist_labels()
        self.fields["checklist"].choices = [(c, labels[c]) for c in policy.CHECKLIST[condition]]  # type: ignore[attr-defined]
        self.fields["condition"].initial = condition


class ConsultationForm(forms.Form):
    union = forms.CharField(label=_("Trade union"), max_length=200)
    contact = forms.CharField(label=_("Who"), max_length=200)
    held_on = forms.DateField(label=_("When"), widget=DATE)
    summary = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}))


class Step1Form(forms.Form):
    deadline = forms.DateField(label=_("Answer by"), widget=DATE)
    message = forms.CharField(
        label=_("Message to the supplier"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))


# --- The maintained tables -----------------------------------------------------------------


class AgreementForm(forms.Form):
    name = forms.CharField(label=_("Agreement"), max_length=200)
    parties = forms.CharField(
        label=_("Parties"), max_length=300, help_text=_("The employers' organisation and the trade union.")
    )
    sector = forms.CharField(label=_("Sector"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, required=False)
    cpv_prefixes = forms.CharField(
        label=_("CPV prefixes"),
        required=False,
        help_text=_("The sector's CPV codes, to propose the agreement from a procurement's codes: e.g. 9091, 45."),
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Only active agreements are offered in procurements.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self.fields}
        data["cpv_prefixes"] = [p.strip() for p in data.get("cpv_prefixes", "").replace(";", ",").split(",")]
        return data


class ThresholdForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE)
    buyer_category = forms.ChoiceField(label=_("Buyer category"), choices=BuyerCategory.choices)
    contract_kind = forms.ChoiceField(label=_("Contract kind"), choices=ContractKind.choices)
    amount_eur = forms.CharField(label=_("Threshold (EUR)"), max_length=30)
    amount_sek = forms.CharField(label=_("Threshold (SEK)"), max_length=30)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("The delegated regulation (euro) and the Commission's communication in the OJ C series (kronor)."),
    )
