from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CpvSearchForm(forms.Form):
    q = forms.CharField(
        label=_("CPV code or words"),
        required=False,
        max_length=100,
        help_text=_("The first digits of a code, e.g. 1510, or words from its name in Swedish or English."),
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )

    def query(self) -> str:
        """What to search for; empty when nothing, or nothing usable, was typed."""
        return self.cleaned_data["q"] if self.is_valid() else ""
