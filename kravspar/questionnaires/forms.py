from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kravspar.core.forms import ServiceModelForm, VersionedForm
from kravspar.followups.uploads import ACCEPTED_HELP
from kravspar.questionnaires.models import (
    CHOICE_TYPES,
    Question,
    Questionnaire,
    QuestionType,
    RequestKind,
    RequestStatus,
)
from kravspar.requirements.models import RequirementType
from kravspar.suppliers.models import Supplier


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuestionnaireForm(ServiceModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "requirement_type", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(VersionedForm):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(
        label=_("Help text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Explain terms the supplier may not know, or what evidence you expect."),
    )
    type = forms.ChoiceField(label=_("Type of answer"), choices=QuestionType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For one or several choices: one option per line."),
    )
    show_when = forms.ChoiceField(
        label=_("Show only when"),
        required=False,
        help_text=_(
            "A follow-up question: shown, and required if marked so, only when an earlier question has "
            "this answer. Otherwise it is always shown."
        ),
    )

    def __init__(self, *args: Any, earlier: list[Question] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("Always")))]
        for question in earlier or []:
            if question.type in CHOICE_TYPES:
                for value, label in question.choices():
                    choices.append((f"{question.uuid}|{value}", f"{question.text[:70]} = {label}"))
        self.fields["show_when"].choices = choices  # type: ignore[attr-defined]
        self._earlier = {str(q.uuid): q for q in earlier or []}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        parent, value = None, ""
        if data.get("show_when"):
            key, value = data["show_when"].split("|", 1)
            parent = self._earlier.get(key)
        return {
            "text": data["text"],
            "help_text": data["help_text"],
            "type": data["type"],
            "required": data["required"],
            "options": data["options"],
            "show_if_question": parent,
            "show_if_value": value,
        }

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "version": question.version,
            "text": question.text,
            "help_text": question.help_text,
            "type": question.type,
            "required": question.required,
            "options": "\n".join(question.options),
            "show_when": f"{question.show_if_question.uuid}|{question.show_if_value}"
            if question.show_if_question
            else "",
        }


class RequestCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask for?"), choices=RequestKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("The supplier sees it in the e-mail."))
    template = forms.ModelChoiceField(
        label=_("Questionnaire template"),
        queryset=Questionnaire.objects.none(),
        required=False,
        empty_label=_("No template – add the questions yourself"),
        help_text=_("The request gets its own copy of the questions; you can adjust them before sending."),
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    message = forms.CharField(
        label=_("Message to the supplier"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, templates: QuerySet[Questionnaire], suppliers: QuerySet[Supplier], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class RequestEditForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    message = forms.CharField(
        label=_("Message to the supplier"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(VersionedForm):
    DECISIONS = [("accept", _("Accept the answers")), ("complete", _("Ask the supplier to complete them"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment to the supplier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you ask for completion: say what is missing."),
    )
    deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when asking for completion; leave empty to keep the deadline."),
    )
    complete_activity = forms.BooleanField(
        label=_("Mark the follow-up as done (compliant) when accepting"), required=False, initial=True
    )


class CancelForm(VersionedForm):
    reason = forms.CharField(label=_("Why is the request cancelled?"), widget=forms.Textarea(attrs={"rows": 2}))


class SendForm(VersionedForm):
    pass


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *RequestStatus.choices], required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.none(), required=False, empty_label=_("Any")
    )
    contract = forms.CharField(label=_("Contract number"), required=False, max_length=60)

    def __init__(self, *args: Any, suppliers: QuerySet[Supplier] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suppliers is not None:
            self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class TemplateFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    requirement_type = forms.ChoiceField(
        label=_("Requirement type"), choices=[("", _("Any")), *RequirementType.choices], required=False
    )


class AnswerForm(forms.Form):
    """The questionnaire as a form. Every field is optional here: the service decides what is
    required (a follow-up question that is hidden is not), with the same messages as the API."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, questions: list[Question], saved: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        saved = saved or {}
        for question in questions:
            field = self._field_for(question)
            field.label = question.text
            field.help_text = question.help_text
            if question.type == QuestionType.FILE:
                field.help_text = " ".join(filter(None, [question.help_text, str(ACCEPTED_HELP)]))
            if question.required:
                field.widget.attrs["aria-required"] = "true"
            self.fields[question.field_name] = field
            if question.key in saved and question.type != QuestionType.FILE:
                self.initial[question.field_name] = saved[question.key]

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        kind = question.type
        if kind in (QuestionType.YES_NO, QuestionType.SINGLE):
            return forms.ChoiceField(choices=question.choices(), widget=forms.RadioSelect, required=False)
        if kind == QuestionType.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=question.choices(), widget=forms.CheckboxSelectMultiple, required=False
            )
        if kind == QuestionType.TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, strip=True)
        if kind == QuestionType.NUMBER:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), required=False)
        if kind == QuestionType.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
        return forms.FileField(required=False)

    def answers(self) -> dict[str, Any]:
        """The typed answers by question uuid, for the service."""
        result: dict[str, Any] = {}
        for question in self.questions:
            if question.type == QuestionType.FILE:
                continue
            result[question.key] = self.cleaned_data.get(question.field_name)
        return result

    def uploads(self) -> dict[str, Any]:
        return {
            q.key: self.cleaned_data[q.field_name]
            for q in self.questions
            if q.type == QuestionType.FILE and self.cleaned_data.get(q.field_name)
        }
