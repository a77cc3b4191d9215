from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.reports.importing import FIELDS, MAX_BYTES


class DashboardForm(forms.Form):
    """The scope and period. The query string says ``from`` and ``to``, which are not
    Python names, so those two fields are added in __init__."""

    scope = forms.ChoiceField(
        label=_("Organisation"),
        required=False,
        help_text=_("A region counts with its companies; the joint Inköp with everything it serves."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if first and last and last < first:
            self.add_error("to", _("To: the period cannot end before it starts."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Contract register"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, at most 2 MB, with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Split the register into several files."))
        return upload


class MappingForm(forms.Form):
    """One choice per contract field: which of the sheet's columns holds it."""

    def __init__(self, *args: Any, headers: list[str], initial_mapping: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("– not in the sheet –")), *[(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]]
        for key, label, required in FIELDS:
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=str(initial_mapping[key]) if key in initial_mapping else "",
                help_text=_("Required") if required else "",
            )
        self.fields["buyers"].help_text = _(
            "Required. One or more organisation numbers, separated by commas, e.g. 232100-0032."
        )
        self.fields["ordering_units"].help_text = _(
            "The ordering unit (beställaren): the unit that uses the contract, e.g. a clinic, by its name as "
            "registered under Organisations; several separated by semicolons. A register's column “Beställare” "
            "holds this, not the buying organisation."
        )
        self.fields["signed_on"].help_text = _("If not in the sheet, the start date is used.")

    def mapping(self) -> dict[str, int | None]:
        return {key: int(v) if (v := self.cleaned_data.get(key)) else None for key, _label, _req in FIELDS}
