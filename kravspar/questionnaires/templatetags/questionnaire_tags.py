from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kravspar.questionnaires.models import NO, YES, Question, QuestionType
from kravspar.questionnaires.selectors import can_handle_request, is_supplier_contact

register = template.Library()


@register.simple_tag
def question_numbers(items: Any) -> dict[str, str]:
    """``{% question_numbers questions as numbers %}``: the questions' numbers (see
    ``answers.numbering``), from a list of questions or of (question, field, …) rows."""
    from kravspar.questionnaires.answers import numbering

    numbers = numbering(item[0] if isinstance(item, tuple) else item for item in items or [])
    return {str(pk): number for pk, number in numbers.items()}


@register.simple_tag
def show_answer(value: Any, question: Question, request_uuid: Any) -> SafeString | str:
    """An answer as the page shows it: Ja/Nej, options, a file as a download link."""
    if value is None or value == "" or value == []:
        return "–"
    if question.type == QuestionType.YES_NO:
        return _("Yes") if value == YES else _("No") if value == NO else str(value)
    if question.type == QuestionType.MULTIPLE and isinstance(value, list):
        return format_html('<ul class="plain">{}</ul>', format_html_join("", "<li>{}</li>", ((v,) for v in value)))
    if question.type == QuestionType.FILE and isinstance(value, dict):
        url = reverse("questionnaires:file", args=[request_uuid, value.get("file", "")])
        return format_html('<a href="{}" download>{}</a>', url, value.get("name", _("file")))
    if question.type == QuestionType.TEXT:
        return format_html("{}", value)
    return str(value)


@register.inclusion_tag("questionnaires/_activity_requests.html", takes_context=True)
def activity_supplier_requests(context: dict[str, Any], activity: Any) -> dict[str, Any]:
    """The follow-up page's section on its requests to the supplier."""
    user = context["request"].user
    requests = list(activity.supplier_requests.select_related("supplier").order_by("-created_at"))
    can_send = not is_supplier_contact(user) and bool(context.get("can_record")) and context.get("is_open")
    return {
        "activity": activity,
        "requests": requests,
        "can_send": can_send,
        "can_handle": bool(requests) and can_handle_request(user, requests[0]),
    }


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(str(key)) if hasattr(mapping, "get") else None


@register.filter
def choice_label(value: str) -> str:
    """A follow-up's trigger as the page shows it: Ja/Nej for yes/no, else the option."""
    return _("Yes") if value == YES else _("No") if value == NO else value
