"""The rules for answers: types, follow-up questions and what is required."""

from __future__ import annotations

from kravspar.questionnaires import answers
from kravspar.questionnaires.models import Question


def q(pk, type, required=False, options=None, parent=None, value=""):
    question = Question(pk=pk, text=f"F{pk}", type=type, required=required, options=options or [])
    if parent is not None:
        question.show_if_question = parent
        question.show_if_value = value
    return question


def test_follow_ups_are_shown_for_the_given_answer_only_and_chain():
    first = q(1, "yes_no", required=True)
    second = q(2, "multiple", required=True, options=["A", "B"], parent=first, value="yes")
    third = q(3, "text", required=True, parent=second, value="B")
    questions = [first, second, third]
    assert answers.visible_questions(questions, {}) == [first]
    assert answers.visible_questions(questions, {first.key: "yes"}) == [first, second]
    assert answers.visible_questions(questions, {first.key: "yes", second.key: ["A", "B"]}) == questions
    # Hidden parent hides the grandchild even if its answer is still saved
    assert answers.visible_questions(questions, {first.key: "no", second.key: ["B"]}) == [first]
    missing = answers.missing_answers(questions, {first.key: "yes"})
    assert list(missing) == [second.field_name]


def test_values_are_typed():
    number = q(1, "number")
    assert answers.clean_value(number, "1 234,5") == ("1234.5", None)
    assert answers.clean_value(number, "NaN")[0] is None
    date = q(2, "date")
    assert answers.clean_value(date, "2026-02-30")[1]
    assert answers.clean_value(date, "2026-02-28") == ("2026-02-28", None)
    multiple = q(3, "multiple", options=["A", "B", "C"])
    assert answers.clean_value(multiple, ["C", "A"]) == (["A", "C"], None)
    assert answers.clean_value(multiple, ["D"])[1]
    assert answers.clean_value(q(4, "yes_no"), True) == ("yes", None)
    assert answers.clean_value(q(5, "text"), "  ") == (None, None)
