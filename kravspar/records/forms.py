from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.records.models import Anchor, PeriodUnit, RecordType


class RuleForm(forms.Form):
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Organisation"), to_field_name="uuid"
    )
    record_type = forms.ChoiceField(label=_("Record type"), choices=RecordType.choices)
    period = forms.IntegerField(label=_("Period"), min_value=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=PeriodUnit.choices)
    anchor = forms.ChoiceField(label=_("Counted from"), choices=Anchor.choices)
    decision = forms.CharField(label=_("Decision"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, organisations: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if editing:
            del self.fields["organisation"]
            del self.fields["record_type"]
