"""Forms of the invoice pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kravspar.core.pickers import PickerField
from kravspar.invoices.models import DocumentKind
from kravspar.invoices.services import max_file_bytes
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier

MAX_FILES = 50


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Invoice number, seller or organisation number"),
        widget=forms.SearchInput,
    )
    # Pickers, not selects: a select of every organisation and supplier grew with the data.
    organisation = PickerField(
        label=_("Buyer"), required=False, queryset=Organisation.objects.none(), url="organisations:options"
    )
    supplier = PickerField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.none(), url="suppliers:options"
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *DocumentKind.choices])
    status = forms.ChoiceField(
        label=_("Import status"),
        required=False,
        choices=[
            ("", _("All")),
            ("clean", _("Imported without remarks")),
            ("warnings", _("Imported with warnings")),
            ("no_supplier", _("Seller not in the supplier registry")),
            ("no_buyer", _("Unknown buyer")),
        ],
        help_text=_("Warnings: the invoice was stored, but something deserves a look."),
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], suppliers: QuerySet[Supplier], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's recipe for several files in one field: each file is cleaned on its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        items = [item for item in data if item] if isinstance(data, list | tuple) else ([data] if data else [])
        if not items:
            return super().clean(None, initial)  # "required"
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class UploadForm(forms.Form):
    invoice_files = MultipleFileField(
        label=_("Invoice files"),
        widget=MultipleFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
        error_messages={"required": _("Choose at least one file.")},
        help_text=_("Peppol BIS Billing 3.0 invoices or credit notes as XML, up to 50 files."),
    )

    def clean_invoice_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["invoice_files"]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Upload at most %(count)s files at a time.") % {"count": MAX_FILES}, code="too_many"
            )
        limit = max_file_bytes()
        for f in files:
            if f.size is not None and f.size > limit:
                raise ValidationError(
                    _("%(name)s is larger than %(size)s.") % {"name": f.name, "size": filesizeformat(limit)},
                    code="too_large",
                )
        return files
