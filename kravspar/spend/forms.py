from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm
from kravspar.core.pickers import PickerField
from kravspar.organisations.models import Organisation
from kravspar.spend.figures import GROUPS
from kravspar.spend.models import MatchStatus, PriceListArticle
from kravspar.spend.pricelists import MAX_IMPORT_BYTES


class ArticleForm(ServiceModelForm):
    net_price = forms.DecimalField(
        label=_("agreed net price"),
        max_digits=14,
        decimal_places=4,
        min_value=0,
        help_text=_("Price per unit excluding VAT, in SEK, as agreed in the contract."),
        localize=True,
    )

    class Meta:
        model = PriceListArticle
        fields = [
            "seller_item_id",
            "gtin",
            "name",
            "unit_code",
            "net_price",
            "valid_from",
            "valid_to",
            "price_index",
            "note",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class PriceListImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "CSV (UTF-8, comma or semicolon separated) or Excel (.xlsx, first sheet), at most 5 MB, with a header row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the most that can be imported at once is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_BYTES)},
            )
        return upload


class PriceListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Invoice number or seller's name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("All reasons")), *MatchStatus.choices, ("lines", _("Lines without article"))],
    )
    organisation = PickerField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.none(), url="organisations:options"
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class FigureFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organisation = PickerField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.none(), url="organisations:options"
    )
    group = forms.ChoiceField(label=_("Per"), required=False, choices=[(k, label) for k, (_f, label) in GROUPS.items()])

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("To: the end cannot be before the start."))
        return data


class AssignContractForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    contract: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Contract"), queryset=None, to_field_name="uuid"
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this contract (optional)."),
    )

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class AssignArticleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    article: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Article"), queryset=None, to_field_name="uuid"
    )

    def __init__(self, *args: Any, articles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = articles  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("Why no contract is needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The invoice leaves the queue but still counts as bought outside contract."),
    )
