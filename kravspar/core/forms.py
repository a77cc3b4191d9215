from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from kravspar.core.errors import DomainError


def add_service_errors(form: forms.BaseForm, exc: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form: validation errors each on its field where the
    form has that field, a domain error (e.g. a concurrent edit) at the top. What the person
    typed stays in the form."""
    if isinstance(exc, DomainError):
        form.add_error(None, str(exc.message))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class VersionedForm(forms.Form):
    """A form that carries the version of the object the page showed, for the service's
    optimistic lock (a stale version is refused as a concurrent edit). On its own it is the
    form behind a bare button (start, adopt, mark done)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    """A model form used only for its fields (labels, help texts, choices). It never
    saves and skips model validation: the service it hands ``cleaned_data`` to does
    both, so the UI, the API and commands share one set of rules and messages."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def _post_clean(self) -> None:
        pass
