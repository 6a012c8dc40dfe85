"""Unit tests for ``mlops_course.widgets`` (the live knowledge-check widget and its static fallback)."""

from __future__ import annotations

import pytest

from mlops_course import widgets as w
from mlops_course.lessons.knowledge_checks import KnowledgeCheck, Option, get_check

CHECK = KnowledgeCheck(
    id="test-min", chapter=3,
    question="Which aggregate gives the **ML Test Score**?",
    options=(
        Option("The mean of the four sections", False, "WHY-MEAN: the mean lets one strong section hide a hole."),
        Option("The minimum of the four sections", True, "WHY-MIN: the weakest section decides."),
        Option("The sum of the four sections", False, "WHY-SUM: a sum has no fixed scale."),
    ),
)
WHYS = [option.why for option in CHECK.options]


def test_static_text_holds_question_and_options_but_no_answer():
    text = w.static_text(CHECK)
    assert CHECK.question in text
    assert all(f"- {option.text}" in text for option in CHECK.options)
    assert not any(why in text for why in WHYS)
    assert "correct" not in text.lower() and "answer:" not in text.lower()


def test_static_html_formats_the_question_and_hides_the_answer():
    page = w.static_html(CHECK)
    assert "<strong>ML Test Score</strong>" in page
    assert page.count("<li>") == len(CHECK.options)
    assert not any(why in page for why in WHYS)


def test_the_fallback_is_the_same_for_every_option_order_of_correctness():
    # Which option is correct must not change the fallback at all, or the output would betray it.
    moved = KnowledgeCheck(CHECK.id, CHECK.chapter, CHECK.question, tuple(
        Option(o.text, o.text.startswith("The mean"), o.why) for o in CHECK.options))
    assert w.static_text(moved) == w.static_text(CHECK)
    assert w.static_html(moved) == w.static_html(CHECK)


def test_widget_bundle_replaces_the_repr_with_the_fallbacks():
    bundle = w.KnowledgeCheckWidget(CHECK)._repr_mimebundle_()
    assert bundle["text/plain"] == w.static_text(CHECK)
    assert bundle["text/html"] == w.static_html(CHECK)
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_one_full_text_button_per_option():
    widget = w.KnowledgeCheckWidget(CHECK)
    assert [b.description for b in widget.option_buttons] == [o.text for o in CHECK.options]
    assert all("mlops-kc-option" in b._dom_classes for b in widget.option_buttons)
    assert "<strong>ML Test Score</strong>" in widget.question_html.value
    assert widget.feedback_html.value == ""


def test_wrong_option_explains_why_it_is_wrong_without_revealing_the_answer():
    widget = w.KnowledgeCheckWidget(CHECK)
    feedback = widget.choose(0)
    assert feedback.startswith("Not this one.") and WHYS[0] in feedback
    assert WHYS[1] not in feedback and "minimum" not in feedback
    assert widget.option_buttons[0].button_style == "danger" and not widget.solved


def test_correct_option_explains_why():
    widget = w.KnowledgeCheckWidget(CHECK)
    feedback = widget.choose(1)
    assert feedback == f"Correct. {WHYS[1]}"
    assert widget.solved and widget.option_buttons[1].button_style == "success"


def test_other_options_stay_explorable_after_solving():
    widget = w.KnowledgeCheckWidget(CHECK)
    widget.choose(1)
    feedback = widget.choose(2)
    assert WHYS[2] in feedback and "Try another" not in feedback
    assert widget.tried == {1, 2}


def test_clicking_a_button_gives_feedback():
    widget = w.KnowledgeCheckWidget(CHECK)
    widget.option_buttons[2].click()  # what a click does in the browser
    assert WHYS[2] in widget.feedback_html.value


def test_feedback_is_html_escaped():
    check = KnowledgeCheck("esc", 1, "Q?", (Option("a", True, "Use <min> & co."), Option("b", False, "no")))
    widget = w.KnowledgeCheckWidget(check)
    widget.choose(0)
    assert "&lt;min&gt; &amp; co." in widget.feedback_html.value and "<min>" not in widget.feedback_html.value


@pytest.mark.parametrize("index", [3, -1, True, "b", 1.0])
def test_invalid_choice_is_rejected(index):
    with pytest.raises(ValueError, match="choose an option index from 0 to 2"):
        w.KnowledgeCheckWidget(CHECK).choose(index)


def test_widget_needs_a_check_object():
    with pytest.raises(TypeError, match="knowledge_check"):
        w.KnowledgeCheckWidget("ch1-guardrail")


def test_knowledge_check_displays_one_widget_from_the_bank(monkeypatch):
    shown = []
    monkeypatch.setattr(w, "display", shown.append)
    assert w.knowledge_check("ch1-guardrail") is None
    assert len(shown) == 1 and shown[0].check is get_check("ch1-guardrail")


def test_knowledge_check_with_unknown_id_says_which_ids_exist():
    with pytest.raises(KeyError, match="no knowledge check with id 'ch9-none'.*ch1-guardrail"):
        w.knowledge_check("ch9-none")


def test_markdown_rendering():
    assert w.markdown_to_html("A *b* and `c`") == "<p>A <em>b</em> and <code>c</code></p>"


def test_markdown_paragraphs_escaping_and_code_spans():
    assert w.markdown_to_html("a <b>\n\nc `x*y*` **d**") == (
        "<p>a &lt;b&gt;</p><p>c <code>x*y*</code> <strong>d</strong></p>")


def test_bank_questions_use_only_the_supported_markdown():
    from mlops_course.lessons.knowledge_checks import CHECKS
    for check in CHECKS.values():
        for line in check.question.splitlines():
            assert not line.lstrip().startswith(("#", "- ", "* ", "1.", ">", "|")), (
                f"{check.id}: block Markdown is not rendered by the widget: {line!r}")
        assert "[" not in check.question and "_" not in check.question.replace("`self_employed`", ""), (
            f"{check.id}: links and underscore emphasis are not rendered by the widget")


def test_static_text_box_shows_its_text_in_static_copies():
    box = w.StaticTextBox([], "Interactive tool: needs a running notebook.")
    assert box._repr_mimebundle_()["text/plain"] == "Interactive tool: needs a running notebook."
    with pytest.raises(ValueError):
        w.StaticTextBox([], " ")
