"""Checking a supplier's answers against the questions: types, options, required questions,
and follow-up questions that are shown only for a given answer. Shared by the page, the
API and the services, so that all three give the same Swedish messages.

Answers are keyed by the question's uuid (as text). Errors are keyed by the question's
form field name (``q_<hex>``), so that a form shows each next to its question.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kravspar.core import failures, numbers
from kravspar.questionnaires.models import NO, YES, Question, QuestionType

MAX_TEXT = 10_000


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def matches(answer: Any, expected: str) -> bool:
    """Whether an answer to a choice question is the value that shows a follow-up question."""
    if isinstance(answer, list):
        return expected in answer
    return answer == expected


def visible_questions(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown for these answers, in order. A follow-up question is shown when
    its question is shown and answered with the given value."""
    shown: set[int] = set()
    result = []
    for question in questions:
        parent_id = question.show_if_question_id
        if parent_id is not None:
            parent = question.show_if_question
            if parent_id not in shown or parent is None or not matches(answers.get(parent.key), question.show_if_value):
                continue
        shown.add(question.pk)
        result.append(question)
    return result


def numbering(questions: Iterable[Question]) -> dict[int, str]:
    """Each question's number as the supplier reads it: the questions always shown are 1,
    2, 3 …; a follow-up question takes its question's number and its own place among that
    question's follow-ups (2.1, 2.2). Hiding a follow-up question never renumbers the rest,
    with or without JavaScript."""
    numbers: dict[int, str] = {}
    top = 0
    children: dict[int, int] = {}
    for question in questions:
        parent_id = question.show_if_question_id
        if parent_id is not None and parent_id in numbers:
            children[parent_id] = children.get(parent_id, 0) + 1
            numbers[question.pk] = f"{numbers[parent_id]}.{children[parent_id]}"
        else:
            top += 1
            numbers[question.pk] = str(top)
    return numbers


def clean_value(question: Question, value: Any) -> tuple[Any, str | None]:
    """(the value to store, None) or (None, a message). Empty values come back as None."""
    if isinstance(value, str):
        value = value.strip()
    if is_empty(value):
        return None, None
    kind = question.type
    if kind == QuestionType.YES_NO:
        if value is True or value in (YES, "ja", "true"):
            return YES, None
        if value is False or value in (NO, "nej", "false"):
            return NO, None
        return None, _("Answer yes or no.")
    if kind == QuestionType.SINGLE:
        if value in question.options:
            return value, None
        return None, _("Choose one of the options.")
    if kind == QuestionType.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if all(isinstance(v, str) and v in question.options for v in values):
            # Keep the questionnaire's order, whatever order they were ticked in.
            return [o for o in question.options if o in values], None
        return None, _("Choose among the options.")
    if kind == QuestionType.TEXT:
        text = str(value)
        if len(text) > MAX_TEXT:
            return None, _("Write at most %(max)s characters.") % {"max": MAX_TEXT}
        return text, None
    if kind == QuestionType.NUMBER:
        try:
            # Bounded before formatting: "1e999999999" must not become a billion digits.
            number = numbers.parse_decimal(
                value if isinstance(value, int | float | Decimal) else str(value), places=10, digits=30
            )
        except numbers.NumberRefused as exc:
            if exc.reason == numbers.Reason.NOT_A_NUMBER:
                return None, _("Write a number, e.g. 38 or 12,5.")
            return None, numbers.refusal_text(exc)
        return format(number, "f"), None
    if kind == QuestionType.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return None, _("Write a date as YYYY-MM-DD.")
    if kind == QuestionType.FILE:
        if isinstance(value, dict) and "file" in value:
            return value, None
        return None, _("Upload the file on the page.")
    return None, _("Unknown type of question.")


def clean_answers(questions: Iterable[Question], raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Type-check every given answer. Returns (answers, errors by field name)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        if question.key not in raw:
            continue
        try:
            value, error = clean_value(question, raw[question.key])
        except Exception as exc:  # one answer's bug refuses that answer, never the request
            reference = failures.log_internal_error(f"the answer to question {question.key}", exc)
            value, error = None, failures.internal_error_text(reference)
        if error:
            errors[question.field_name] = error
        elif value is not None:
            answers[question.key] = value
    return answers, errors


def missing_answers(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, str]:
    """The required questions that are shown and not answered, as errors by field name."""
    errors: dict[str, str] = {}
    for question in visible_questions(questions, answers):
        if question.required and is_empty(answers.get(question.key)):
            if question.type == QuestionType.FILE:
                errors[question.field_name] = _("Upload a file: this question must be answered.")
            elif question.show_if_question_id is not None:
                errors[question.field_name] = _("Answer this question too: it follows from your previous answer.")
            else:
                errors[question.field_name] = _("Answer this question: it is required.")
    return errors


def only_visible(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the questions that are shown; answers to hidden follow-up questions
    are dropped when the answers are submitted."""
    keys = {q.key for q in visible_questions(questions, answers)}
    return {k: v for k, v in answers.items() if k in keys}
