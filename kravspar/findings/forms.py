from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm, VersionedForm
from kravspar.findings.models import Decision, Deviation, DeviationStatus, Fulfilment, SanctionKind, Severity
from kravspar.procurements.models import Aim


class DeviationFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *DeviationStatus.choices])
    contract = forms.CharField(label=_("Contract number"), required=False, max_length=60)
    diary_number = forms.CharField(label=_("Diary number"), required=False, max_length=60)
    decision_needed = forms.BooleanField(label=_("Only those waiting for a sanction decision"), required=False)
    awaiting_assessment = forms.BooleanField(
        label=_("Only those reported by orderers, awaiting assessment"), required=False
    )


class DeviationForm(ServiceModelForm):
    class Meta:
        model = Deviation
        fields = ["severity", "title", "description", "requirement", "supplier", "subcontractor", "diary_number"]
        help_texts = {"diary_number": _("The deviation's case in the case management system, if it is registered.")}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = contract.requirements.all()  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = contract.suppliers.all()  # type: ignore[attr-defined]
        self.fields["subcontractor"].queryset = contract.subcontractors.all()  # type: ignore[attr-defined]
        self.fields["requirement"].help_text = _("Defaults to the follow-up's requirement.")


class DeviationRaiseForm(DeviationForm):
    raised_on = forms.DateField(
        label=_("Found"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the deviation was found. Leave empty for today."),
    )

    def __init__(self, *args: Any, reported: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reported:
            # Reported by the one who carried out the follow-up: Inköp decides the severity.
            self.fields["severity"].label = _("Proposed severity")
            self.fields["severity"].help_text = _("Inköp assesses the deviation and decides its severity.")


class AssessForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    note = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_ROWS = 5


class ActionPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    agreed_on = forms.DateField(label=_("Agreed"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When every action must be done and verifiable."),
    )
    supplier_response = forms.CharField(label=_("The supplier's response"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Action %(n)s") % {"n": i + 1}, required=False, max_length=500
            )
            self.fields[f"action_{i}_deadline"] = forms.DateField(
                label=_("Action %(n)s deadline") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def items(self) -> list[tuple[str, Any]]:
        data = self.cleaned_data
        return [(data[f"action_{i}"], data[f"action_{i}_deadline"]) for i in range(ACTION_ROWS) if data[f"action_{i}"]]


class ResponseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    supplier_response = forms.CharField(label=_("The supplier's response"), widget=forms.Textarea)


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fixed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Fixed")), ("0", _("Not fixed, or not enough"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    verified_on = forms.DateField(label=_("Verified"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Verification"), required=False, widget=forms.Textarea)


class ActionDoneForm(VersionedForm):
    """The "Mark done" button next to an open action: the version the page showed."""


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)


class SanctionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(
        label=_("Sanction"),
        required=False,
        choices=[("", "–"), *SanctionKind.choices],
        help_text=_(
            "A fine is computed from the contract for each deviation: per started week after its deadline until "
            "the decision day, up to the cap; a decision covering several deviations sums them."
        ),
    )
    clause = forms.CharField(label=_("Contract clause"), required=False, max_length=200)
    amount = forms.DecimalField(
        label=_("Amount (SEK)"),
        required=False,
        min_value=0,
        decimal_places=0,
        help_text=_("For a price reduction or set-off."),
    )
    reason = forms.CharField(
        label=_("Reasoning"), required=False, widget=forms.Textarea, help_text=_("Required when waiving.")
    )
    decided_on = forms.DateField(label=_("Decided"), widget=forms.DateInput(attrs={"type": "date"}))
    also = forms.ModelMultipleChoiceField(
        label=_("The same decision also covers"),
        required=False,
        queryset=Deviation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Other deviations of this contract that wait for a sanction decision. One decision; a fine is the sum "
            "of each deviation's own fine."
        ),
    )

    def __init__(self, *args: Any, others: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if others is not None:
            self.fields["also"].queryset = others  # type: ignore[attr-defined]
        if others is None or not others.exists():
            del self.fields["also"]


class EvaluationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evaluated_on = forms.DateField(label=_("Evaluated"), widget=forms.DateInput(attrs={"type": "date"}))
    supplier_relationship = forms.CharField(label=_("Supplier relationship"), required=False, widget=forms.Textarea)
    lessons = forms.CharField(label=_("Lessons for the next procurement"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for aim in Aim:
            self.fields[f"aim_{aim.value}"] = forms.ChoiceField(
                label=aim.label, choices=Fulfilment.choices, initial=Fulfilment.NOT_RELEVANT
            )
            self.fields[f"aim_{aim.value}_comment"] = forms.CharField(
                label=_("Comment: %(aim)s") % {"aim": aim.label}, required=False
            )

    def aims(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {aim.value: (data[f"aim_{aim.value}"], data[f"aim_{aim.value}_comment"]) for aim in Aim}
