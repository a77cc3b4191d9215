from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.procurements.models import Aim
from kravspar.requirements.models import Requirement, RequirementTemplate, RequirementType

MAX_IMPORT_BYTES = 1024 * 1024
REQUIREMENT_FORM_FIELDS = [
    "title",
    "type",
    "text",
    "level",
    "criterion_ref",
    "criterion_version",
    "evidence",
    "verified_when",
    "binds_subcontractors",
    "aims",
]


def _aims_field() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("Aims served"),
        choices=Aim.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The purchasing policy's aims this requirement serves."),
    )


class _RequirementFieldsForm(ServiceModelForm):
    aims = _aims_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].widget = forms.RadioSelect(choices=RequirementType.choices)
        self.fields["type"].choices = RequirementType.choices  # type: ignore[attr-defined]
        self.fields["verified_when"].widget = forms.RadioSelect(choices=self.fields["verified_when"].choices)  # type: ignore[attr-defined]
        level = self.fields["level"]
        level.choices = [("", _("No level")), *[c for c in level.choices if c[0] != ""]]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RequirementForm(_RequirementFieldsForm):
    class Meta:
        model = Requirement
        fields = REQUIREMENT_FORM_FIELDS
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "evidence": forms.Textarea(attrs={"rows": 2})}


class TemplateForm(_RequirementFieldsForm):
    class Meta:
        model = RequirementTemplate
        fields = [*REQUIREMENT_FORM_FIELDS, "source", "is_active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "evidence": forms.Textarea(attrs={"rows": 2})}


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Title, text or criterion"), widget=forms.SearchInput
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *RequirementType.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Not offered")), ("all", _("All"))],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, at most 1 MB, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".csv") or upload.content_type == "text/csv"):
            raise forms.ValidationError(_("Choose a CSV file (ending in .csv)."))
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the most that can be imported at once is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_BYTES)},
            )
        return upload
