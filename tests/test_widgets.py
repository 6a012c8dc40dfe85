"""Unit tests for ``mlops_course.widgets`` (knowledge checks with immediate feedback)."""

from __future__ import annotations

import pytest

from mlops_course import widgets as w

OPTIONS = ["The mean", "The minimum", "The sum"]
EXPLANATION = "All four sections matter, so the weakest one decides."


def make(correct=1, options=OPTIONS, explanation=EXPLANATION):
    return w.KnowledgeCheck("Which aggregate gives the ML Test Score?", options, correct, explanation)


def test_static_texts():
    check = make()
    assert check.question_text().splitlines() == [
        "Knowledge check: Which aggregate gives the ML Test Score?",
        "  a) The mean",
        "  b) The minimum",
        "  c) The sum",
        "Pick a letter below for feedback.",
    ]
    assert check.answer_key() == f"Answer: b) The minimum\n{EXPLANATION}"


def test_widget_plain_text_is_the_answer_key():
    check = make()
    bundle = check.widget._repr_mimebundle_()
    assert bundle["text/plain"] == check.answer_key()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_correct_answer_explains():
    check = make()
    feedback = check.answer("b")
    assert feedback.startswith("Correct")
    assert EXPLANATION in feedback
    assert check.solved


def test_first_wrong_answer_does_not_give_the_answer_away():
    check = make()
    feedback = check.answer("a")
    assert feedback.startswith("Not quite")
    assert "minimum" not in feedback and EXPLANATION not in feedback
    assert not check.solved


def test_second_wrong_answer_reveals_answer_and_explanation():
    check = make()
    check.answer("a")
    feedback = check.answer("c")
    assert "b) The minimum" in feedback and EXPLANATION in feedback
    assert not check.solved


def test_choices_by_upper_case_letter_or_index():
    assert make().answer("B").startswith("Correct")
    assert make().answer(1).startswith("Correct")


@pytest.mark.parametrize("choice", ["d", 3, -1, True, "minimum"])
def test_invalid_choice(choice):
    with pytest.raises(ValueError):
        make().answer(choice)


def test_correct_given_as_option_text():
    assert make(correct="The minimum").correct == 1


@pytest.mark.parametrize(("correct", "error"), [(3, ValueError), ("The median", ValueError), (True, TypeError),
                                                (1.0, TypeError)])
def test_invalid_correct(correct, error):
    with pytest.raises(error):
        make(correct=correct)


@pytest.mark.parametrize("kwargs", [
    {"options": ["only one"]},
    {"options": ["same", "same"]},
    {"options": ["fine", ""]},
    {"explanation": "  "},
])
def test_invalid_construction(kwargs):
    with pytest.raises(ValueError):
        make(**kwargs)


def test_empty_question_is_rejected():
    with pytest.raises(ValueError):
        w.KnowledgeCheck("", OPTIONS, 1, EXPLANATION)


def test_clicking_a_letter_updates_the_feedback_line():
    check = make()
    check.buttons.value = 1  # what a click on "b" does in the browser
    assert check.solved
    assert check.feedback_html.value == f"<p>Correct: b) The minimum. {EXPLANATION}</p>"


def test_feedback_is_html_escaped():
    check = make(explanation="Use <min>, not <mean> & co.")
    check.answer("b")
    assert "&lt;min&gt;" in check.feedback_html.value and "<min>" not in check.feedback_html.value


def test_knowledge_check_prints_then_displays(capsys, monkeypatch):
    shown = []
    monkeypatch.setattr(w, "display", lambda obj: shown.append(obj))
    assert w.knowledge_check("Which aggregate?", OPTIONS, 1, EXPLANATION) is None
    printed = capsys.readouterr().out
    assert printed.startswith("Knowledge check: Which aggregate?") and "  b) The minimum" in printed
    assert "Answer:" not in printed, "the printed text must not give the answer away"
    assert len(shown) == 1 and isinstance(shown[0], w.StaticTextBox)


def test_static_text_box_needs_text():
    with pytest.raises(ValueError):
        w.StaticTextBox([], " ")
