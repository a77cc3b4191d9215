"""Search-as-you-type pickers for filters over thousands of organisations or suppliers.

A picker is one text input. With JavaScript (static/kravspar/js/picker.js) it is a combobox:
typing asks the picker's endpoint for at most ``LIMIT`` matching options (an htmx fragment),
and choosing one writes its label, "Name (organisation number)", into the input. Without
JavaScript it is a plain form field: what is typed (a name, a part of one, an organisation
number, or the label) is resolved on the server when it names exactly one record. A select
listing every record is what made the list pages grow with the data (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.core.ids import is_uuid
from kravspar.organisations.identifiers import format_org_number

LIMIT = 20  # options shown while typing; more means "type more"
LABEL = re.compile(r"^(?P<name>.*?)\s*\((?P<number>[\d\s-]{10,13})\)\s*$")


def org_number_digits(text: str) -> str | None:
    """The digits of something typed as an organisation number (at least three), else None."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if len(digits) >= 3 and digits.isdigit() else None


def label_of(obj: Any) -> str:
    """What the picker shows for a record: its name, and its organisation number if it has one."""
    number = getattr(obj, "org_number", "")
    return f"{obj.name} ({format_org_number(number)})" if number else obj.name


def search(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Records whose name contains ``text`` or whose organisation number starts with its
    digits; those whose name starts with it first, then by name."""
    text = text.strip()
    if not text:
        return queryset.none()
    condition = Q(name__icontains=text)
    if (digits := org_number_digits(text)) is not None:
        condition |= Q(org_number__startswith=digits)
    return queryset.filter(condition).order_by("name", "pk")


def resolve(queryset: QuerySet[Any], text: str) -> Any:
    """The one record ``text`` names: a uuid, a label, an exact name or organisation number,
    or else the only record the search finds. ValidationError when none or several match."""
    text = text.strip()
    if is_uuid(text):
        found = list(queryset.filter(uuid=text)[:2])
    else:
        found = []
        if (label := LABEL.match(text)) is not None:
            found = list(queryset.filter(org_number=re.sub(r"[\s-]", "", label["number"]))[:2])
        if not found and (digits := org_number_digits(text)) is not None and len(digits) == 10:
            found = list(queryset.filter(org_number=digits)[:2])
        if not found:
            found = list(queryset.filter(name__iexact=text)[:2])
        if not found:
            found = list(search(queryset, text)[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(_("Nothing matches “%(text)s”. Check the spelling.") % {"text": text}, code="none")
    raise ValidationError(
        _("Several match “%(text)s”. Type more of the name, or the organisation number.") % {"text": text},
        code="several",
    )


class PickerInput(forms.TextInput):
    """The combobox's input; picker.js finds it by ``data-picker`` (the options' address)."""

    is_picker = True  # templates/includes/form.html puts the listbox after it

    def __init__(self, url: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "data-picker": url,
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                **(attrs or {}),
            }
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        # The options' address is a URL name, reversed here, once the urls are loaded; the
        # listbox is the element templates/includes/picker.html puts after the field.
        widget_attrs["data-picker"] = reverse(self.attrs["data-picker"])
        widget_attrs["aria-controls"] = f"{widget_attrs.get('id', name)}-options"
        return context


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField typed into instead of chosen from a select: the cleaned value is
    the record, as before, so views and selectors do not change; links with the uuid work."""

    widget = forms.TextInput
    default_error_messages = {"invalid_choice": gettext_lazy("Choose one of the suggestions.")}

    def __init__(self, *, url: str, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("Type a name or an organisation number."))
        kwargs.setdefault("to_field_name", "uuid")
        super().__init__(widget=PickerInput(url), **kwargs)

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if self.to_field_name == "pk" and text.isdigit() and len(text) < 10:  # a link with the id
            found = self.queryset.filter(pk=text).first()  # type: ignore[union-attr]
            if found is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return found
        return resolve(self.queryset, text)  # type: ignore[arg-type]

    def prepare_value(self, value: Any) -> Any:
        """Show the label, also for a uuid that came in a link."""
        if isinstance(value, Model):
            return label_of(value)
        key = str(value).strip() if isinstance(value, str | int) else ""
        if is_uuid(key) or (self.to_field_name == "pk" and key.isdigit() and len(key) < 10):
            found = self.queryset.filter(**{"uuid" if is_uuid(key) else "pk": key}).first()  # type: ignore[union-attr]
            return label_of(found) if found is not None else value
        return value


def options_context(queryset: QuerySet[Any], text: str, label: Callable[[Any], str] = label_of) -> dict[str, Any]:
    """The context of templates/includes/_picker_options.html: at most LIMIT options."""
    found = list(search(queryset, text)[: LIMIT + 1]) if len(text.strip()) >= 2 else []
    return {
        "query": text.strip(),
        "options": [(obj.uuid, label(obj), obj) for obj in found[:LIMIT]],
        "more": len(found) > LIMIT,
    }
