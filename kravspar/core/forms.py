from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's validation errors on the form, each on its field where the
    form has that field, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    """A model form used only for its fields (labels, help texts, choices). It never
    saves and skips model validation: the service it hands ``cleaned_data`` to does
    both, so the UI, the API and commands share one set of rules and messages."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def _post_clean(self) -> None:
        pass
