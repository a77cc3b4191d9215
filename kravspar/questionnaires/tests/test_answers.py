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


def test_numbers_stay_right_when_follow_up_questions_are_hidden():
    first = q(1, "yes_no")
    policy = q(2, "file", parent=first, value="yes")
    reason = q(3, "text", parent=first, value="no")
    second = q(4, "multiple", options=["A", "B"])
    detail = q(5, "text", parent=second, value="B")
    nested = q(6, "text", parent=detail, value="x")
    third = q(7, "text")
    numbers = answers.numbering([first, policy, reason, second, detail, nested, third])
    assert numbers == {1: "1", 2: "1.1", 3: "1.2", 4: "2", 5: "2.1", 6: "2.1.1", 7: "3"}
    # Whatever is shown, a question keeps its number: the third question is 3 in every case.
    for shown in ({}, {first.key: "yes"}, {first.key: "no", second.key: ["B"]}):
        visible = answers.visible_questions([first, policy, reason, second, detail, nested, third], shown)
        assert [numbers[v.pk] for v in visible][-1] == "3"
