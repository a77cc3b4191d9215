"""A history event's changes in the reader's language: "Status: Pågår → Klar", never the stored
codes, Python literals or lists. The stored ``before``/``after`` keep the codes, and the API
returns them unchanged; only pages use this module.

A key is named by the model field it came from (its ``verbose_name``), by a field of the same
name elsewhere in Kravspår (a strategy entry's ``timing`` logged on its procurement), or by
``EXTRA_LABELS``; a value by the field's choices, ``VALUE_CHOICES`` for lists of codes, and
plain formatting for booleans, numbers, dates and times.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from kravspar.audit.models import AuditEvent

EMPTY = "–"

# Keys that are not a model field: counts, snapshots and summaries services write.
EXTRA_LABELS: dict[str, Promise] = {
    "addressed": _("Addressed"),
    "answers": _("Answers"),
    "approved_at": _("Approved"),
    "at_months": _("Months after signing"),
    "buyers": _("Buying organisations"),
    "cancelled": _("Follow-ups cancelled"),
    "created": _("Follow-ups created"),
    "duplicates": _("Duplicates"),
    "files": _("Files"),
    "actions": _("Actions"),
    "how": _("How"),
    "link": _("Link"),
    "imported": _("Imported"),
    "kept": _("Follow-ups kept"),
    "label": _("File names"),
    "lines": _("Invoice lines"),
    "moved": _("Follow-ups moved"),
    "overdue": _("Follow-ups overdue"),
    "question": _("Question"),
    "refused": _("Refused"),
    "relevant": _("Relevant"),
    "replanned": _("Follow-ups planned again"),
    "request": _("Request"),
    "requests": _("Requests"),
    "requirement": _("Requirement"),
    "requirements": _("Requirements"),
    "requirements_added": _("Requirements added"),
    "roles": _("Roles"),
    "skipped_requirements": _("Requirements without follow-up"),
    "strategy": _("Follow-up strategy"),
    "suppliers": _("Suppliers"),
    "unchanged": _("Follow-ups unchanged"),
    "verification": _("Verification"),
    "version": _("Version"),
}

# Keys whose values are never shown: internal ids and checksums say nothing to a reader.
HIDDEN_KEYS = {"id", "sha256", "demo"}


# Codes an app keeps outside model choices (a review checklist), by key: the app registers a
# function giving code -> label in its AppConfig.ready().
VALUE_LABELS: dict[str, Callable[[], Mapping[str, object]]] = {}


@cache
def _value_choices() -> dict[str, Mapping[str, object]]:
    """Lists of codes stored in JSON fields, by key: code -> label (lazy, so per language)."""
    from kravspar.accounts.roles import Role
    from kravspar.procurements.models import Aim, Method

    return {
        "methods": dict(Method.choices),
        "proposed_methods": dict(Method.choices),
        "aims": {str(code): label for code, label in Aim.choices},
        "roles": dict(Role.choices),
    }


@cache
def _fields_by_name() -> dict[str, list[models.Field[Any, Any]]]:
    """Every concrete field of Kravspår's models by name, those with choices first, for keys a
    service logged on another object (a strategy entry's fields on its procurement, a sanction's
    on its deviation)."""
    found: dict[str, list[models.Field[Any, Any]]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("kravspar."):
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                found.setdefault(field.name, []).append(field)
    for fields in found.values():
        fields.sort(key=lambda f: not f.choices)
    return found


@cache
def _choice_labels() -> dict[str, Any]:
    """Every word code of every choice field in Kravspår (``time_report``) with its label, for
    lists of codes an app stores in a JSON field; a code two enums label differently is left out."""
    found: dict[str, Any] = {}
    ambiguous: set[str] = set()
    for fields in _fields_by_name().values():
        for field in fields:
            for code, label in field.flatchoices:
                if not isinstance(code, str) or not _WORD_CODE.fullmatch(code):
                    continue
                if code in found and str(found[code]) != str(label):
                    ambiguous.add(code)
                found.setdefault(code, label)
    return {code: label for code, label in found.items() if code not in ambiguous}


_WORD_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+")


def _has_choice(field: models.Field[Any, Any], value: Any) -> bool:
    return any(str(code) == str(value) for code, _label in field.flatchoices)


def _field(object_type: str, key: str, value: Any = None) -> models.Field[Any, Any] | None:
    """The field ``key`` came from: the object's own, unless another model's field of that name
    is the one whose choices hold ``value`` (a sanction's kind logged on its deviation)."""
    own: models.Field[Any, Any] | None = None
    try:
        field = apps.get_model(object_type)._meta.get_field(key)
        if isinstance(field, models.Field):
            own = field
    except (LookupError, ValueError, FieldDoesNotExist):
        pass
    others = _fields_by_name().get(key, [])
    own_holds = own is not None and bool(own.choices) and _has_choice(own, value)
    if isinstance(value, str | int) and value != "" and not own_holds:
        for other in others:
            if other.choices and _has_choice(other, value):
                return other
    if own is not None:
        return own
    return others[0] if others else None


_AIM_KEY = re.compile(r"^aim_(\d)$")
_GOAL_KEY = re.compile(r"^goal (.+)$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def field_label(object_type: str, key: str, value: Any = None) -> str:
    if match := _AIM_KEY.match(key):
        from kravspar.procurements.models import Aim

        number = int(match.group(1))
        if number in Aim.values:
            return _g("Aim %(number)s: %(aim)s") % {"number": number, "aim": Aim(number).label}
    if match := _GOAL_KEY.match(key):
        return _g("Environmental goal %(goal)s") % {"goal": match.group(1)}
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    field = _field(object_type, key, value)
    if field is not None and field.verbose_name:
        return str(capfirst(field.verbose_name))
    # A key that is itself a code (answers by condition: "working_hours") reads as its label.
    if (label := _choice_labels().get(key)) is not None:
        return str(label)
    # Keys a service wrote as text (a requirement's title for its strategy entry).
    return key


def _number(value: float) -> str:
    # Grouped from 10 000 up, as Swedish writes amounts ("4 800 000"); years and versions stay.
    return formats.number_format(value, force_grouping=abs(value) >= 10_000)


def _scalar(field: models.Field[Any, Any] | None, key: str, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _g("Yes") if value else _g("No")
    codes = VALUE_LABELS[key]() if key in VALUE_LABELS else _value_choices().get(key)
    if codes is not None and str(value) in codes:
        return str(codes[str(value)])
    if field is not None and field.choices:
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, int | float):
        return _number(value)
    # A snake_case code no field claims (a new app's list of codes): its label wherever it is defined.
    if isinstance(value, str) and "_" in value and (label := _choice_labels().get(value)) is not None:
        return str(label)
    if isinstance(value, str):
        if field is not None and isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            try:
                return _number(float(value) if "." in value else int(value))
            except ValueError:
                return value
        if _DATETIME.match(value) and (moment := parse_datetime(value)) is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _list_item(object_type: str, key: str, value: Any) -> str:
    field = _field(object_type, key, value)
    text = _scalar(field, key, value)
    if text == value and isinstance(value, str) and (label := _choice_labels().get(value)) is not None:
        return str(label)  # a one-word code in a list of codes ("payslip")
    return text


def value_text(object_type: str, key: str, value: Any) -> str:
    """One stored value in words: choices by their label, lists joined, dicts as 'Label: value'."""
    if isinstance(value, list | tuple):
        return ", ".join(_list_item(object_type, key, v) for v in value) if value else EMPTY
    if isinstance(value, dict):
        if value and all(_UUID.match(str(k)) for k in value):
            # Questionnaire answers by question id: how many, not the ids.
            return ngettext("%(count)d answer", "%(count)d answers", len(value)) % {"count": len(value)}
        parts = [
            f"{field_label(object_type, k)}: {value_text(object_type, k, v)}"
            for k, v in value.items()
            if k not in HIDDEN_KEYS and v not in (None, "", [], {})
        ]
        return "; ".join(parts) if parts else EMPTY
    return _scalar(_field(object_type, key, value), key, value)


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the field had no value before (a creation)
    after: str


def changes_in_words(event: AuditEvent) -> list[Change]:
    """The event's changed fields, labelled and valued in the active language."""
    result = []
    for key, before, after in event.changes():
        if key in HIDDEN_KEYS:
            continue
        result.append(
            Change(
                label=field_label(event.object_type, key, after if after is not None else before),
                before=None if before is None else value_text(event.object_type, key, before),
                after=value_text(event.object_type, key, after),
            )
        )
    return result
