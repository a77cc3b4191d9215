"""Forms of the financial-system import: the column mapping and the upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kravspar.core.pickers import PickerField
from kravspar.ledger.services import FIELDS
from kravspar.organisations.models import Organisation


class MappingForm(forms.Form):
    cost_centres = forms.CharField(
        label=_("Cost centres and ordering units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: the cost centre, an equals sign and the unit's name, e.g. 4711 = Ortopedkliniken."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, required in reversed(FIELDS):
            self.fields = {
                name: forms.CharField(
                    label=label,
                    required=required,
                    max_length=100,
                    help_text=_("The column's heading in the export."),
                ),
                **self.fields,
            }

    def clean_cost_centres(self) -> dict[str, str]:
        centres: dict[str, str] = {}
        for number, line in enumerate(str(self.cleaned_data["cost_centres"]).splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, unit = line.partition("=")
            if not sep or not code.strip() or not unit.strip():
                raise ValidationError(_("Line %(line)d: write the cost centre = the unit's name.") % {"line": number})
            centres[code.strip()] = unit.strip()
        return centres


class MappingChoiceForm(forms.Form):
    """Which organisation's column mapping to open: a picker, as a list of every organisation
    grew with the data."""

    mapping = PickerField(label=_("Organisation"), queryset=Organisation.objects.none(), url="organisations:options")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = organisations  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    organisation = PickerField(
        label=_("Organisation"), queryset=Organisation.objects.none(), url="organisations:options"
    )
    export_file = forms.FileField(
        label=_("Export file"),
        help_text=_("CSV (semicolon or comma) or Excel (.xlsx) from the financial system, with a heading row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
