from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kravspar.accounts.models import User
from kravspar.core.forms import VersionedForm
from kravspar.followups.models import ActivityStatus, Outcome
from kravspar.followups.uploads import ACCEPTED_HELP


class TransitionForm(VersionedForm):
    """Start, await the supplier, review: no data besides the version."""


class CompleteForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "–"), *Outcome.choices])
    note = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when deviations were found."),
    )
    no_deviation_reason = forms.CharField(
        label=_("Why no deviation is reported"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "When deviations were found, report each one (“Report a deviation”) before marking the follow-up "
            "as done — or say here why none is reported."
        ),
    )


class CancelForm(VersionedForm):
    reason = forms.CharField(label=_("Why is it not carried out?"), widget=forms.Textarea(attrs={"rows": 2}))


class NotesForm(VersionedForm):
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


class AssignForm(VersionedForm):
    person = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody named – the whole unit"),
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=ACCEPTED_HELP)


class WorkListFilterForm(forms.Form):
    VIEWS = [
        ("open", _("All open")),
        ("due_soon", _("Due within 14 days")),
        ("overdue", _("Overdue")),
        ("waiting", _("Waiting for me")),
        ("all", _("All, including done and cancelled")),
    ]
    SCOPES = [("mine", _("Mine and my unit's")), ("all", _("Everything I can see"))]
    view = forms.ChoiceField(label=_("Show"), choices=VIEWS, required=False)
    scope = forms.ChoiceField(label=_("Whose"), choices=SCOPES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *ActivityStatus.choices], required=False)
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))


class FeedForm(forms.Form):
    contract_number = forms.CharField(
        label=_("Contract number"),
        required=False,
        max_length=60,
        help_text=_("Leave empty for a feed of your own follow-ups."),
    )
