from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.labels import action_label
from kravspar.audit.models import AuditEvent
from kravspar.audit.selectors import audit_event_search
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.core.pickers import PickerField
from kravspar.organisations.models import Organisation


class AuditSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Who, what or which object"), widget=forms.SearchInput
    )
    action = forms.ChoiceField(label=_("Event"), required=False)
    # A picker, not a select: a select of every organisation grew with the data.
    organisation = PickerField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        url="organisations:options",
        to_field_name="pk",
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        # The events by their names in words; the code is only the submitted value.
        named = sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1])
        self.fields["action"].choices = [("", _("All events")), *named]  # type: ignore[attr-defined]


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """All history, searchable, for administrators."""
    access.require_perm(request.user, Perm.VIEW_AUDIT_LOG)
    form = AuditSearchForm(request.GET or None)
    qs: QuerySet[AuditEvent] = AuditEvent.objects.select_related("organisation")
    if form.is_valid():
        data = form.cleaned_data
        qs = audit_event_search(
            text=data["q"].strip(),
            action=data["action"],
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return render(
        request,
        "audit/audit_search.html",
        {"form": form, "page": paginate(request, qs), "querystring": querystring_without_page(request)},
    )
