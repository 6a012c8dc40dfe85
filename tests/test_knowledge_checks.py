"""The knowledge-check bank and its use in the chapters: answers spread out, never given away.

A check is only a check when guessing does not work: when the correct option is not always in one
position, not systematically the longest, and not visible in the notebook before the learner answers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from mlops_course.lessons.knowledge_checks import CHECKS, KnowledgeCheck, Option, get_check

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("[0-9][0-9]-*.ipynb"))
CELL = re.compile(r'knowledge_check\("([^"]+)"\)')
ALL = list(CHECKS.values())


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def output_text(cell):
    """Everything a reader of the committed notebook can see in a code cell's outputs."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def test_bank_is_large_enough_to_measure_balance():
    assert len(ALL) >= 20 and {c.chapter for c in ALL} == {1, 2, 3}


def test_every_check_has_one_correct_option_and_four_choices():
    for check in ALL:
        assert len(check.options) == 4, f"{check.id}: expected 4 options, got {len(check.options)}"
        assert sum(o.correct for o in check.options) == 1, f"{check.id}: exactly one option must be correct"


def test_correct_answers_are_spread_over_the_positions():
    positions = Counter(check.correct_index for check in ALL)
    fair = len(ALL) / 4
    for position in range(4):
        assert 0.5 * fair <= positions[position] <= 1.5 * fair, (
            f"position {position} holds the correct answer in {positions[position]} of {len(ALL)} checks; "
            f"keep every position between {0.5 * fair:.1f} and {1.5 * fair:.1f}")


@pytest.mark.parametrize("chapter", [1, 2, 3])
def test_no_position_dominates_a_chapter(chapter):
    checks = [c for c in ALL if c.chapter == chapter]
    position, count = Counter(c.correct_index for c in checks).most_common(1)[0]
    assert count <= len(checks) / 2, f"chapter {chapter}: position {position} is correct in {count} of {len(checks)}"


def test_correct_option_is_the_longest_in_at_most_a_third_of_checks():
    longest = [c.id for c in ALL if len(c.options[c.correct_index].text) == max(len(o.text) for o in c.options)]
    assert len(longest) <= len(ALL) / 3, f"the correct option is the longest in {len(longest)} checks: {longest}"


def test_correct_option_is_the_shortest_in_at_most_a_third_of_checks():
    shortest = [c.id for c in ALL if len(c.options[c.correct_index].text) == min(len(o.text) for o in c.options)]
    assert len(shortest) <= len(ALL) / 3, f"the correct option is the shortest in {len(shortest)} checks: {shortest}"


def test_every_option_explains_itself_in_its_own_words():
    for check in ALL:
        whys = [o.why for o in check.options]
        assert len(set(whys)) == len(whys), f"{check.id}: two options share one explanation"
        assert all(len(why.split()) >= 8 for why in whys), f"{check.id}: an explanation is too short to teach"


def test_chapter_numbers_and_ids_agree():
    for check in ALL:
        assert check.id.startswith(f"ch{check.chapter}-"), check.id


def test_get_check_and_its_error():
    assert get_check("ch1-guardrail") is CHECKS["ch1-guardrail"]
    with pytest.raises(KeyError, match="no knowledge check with id 'missing'"):
        get_check("missing")


@pytest.mark.parametrize("options, message", [
    ((Option("a", True, "x"), Option("b", True, "y")), "exactly one option"),
    ((Option("a", False, "x"), Option("b", False, "y")), "exactly one option"),
    ((Option("a", True, "x"), Option("a", False, "y")), "same text"),
    ((Option("a", True, "x"),), "at least two"),
    ((Option("a", True, " "), Option("b", False, "y")), "explanation"),
])
def test_malformed_checks_are_rejected(options, message):
    with pytest.raises(ValueError, match=message):
        KnowledgeCheck("bad", 1, "Question?", options)


def test_every_check_is_shown_once_in_its_own_chapter():
    shown = Counter()
    for path in CHAPTERS:
        chapter = int(path.name[:2])
        for cell in cells(path):
            for check_id in CELL.findall(source(cell)):
                assert check_id in CHECKS, f"{path.name} shows an unknown check {check_id!r}"
                assert CHECKS[check_id].chapter == chapter, f"{check_id} is shown in {path.name}"
                shown[check_id] += 1
    assert set(shown) == set(CHECKS), f"checks never shown: {sorted(set(CHECKS) - set(shown))}"
    assert max(shown.values()) == 1, f"checks shown twice: {[k for k, v in shown.items() if v > 1]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_check_cells_hold_only_the_id(path):
    for cell in cells(path):
        text = source(cell)
        if "knowledge_check(" in text and cell["cell_type"] == "code" and "import" not in text:
            assert CELL.fullmatch(text.strip()), f"{path.name}: a check cell must be exactly knowledge_check(\"<id>\"), got {text!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_committed_outputs_give_no_answer_away(path):
    whys = {why for check in ALL for why in (o.why for o in check.options)}
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        text = output_text(cell)
        assert "Answer:" not in text, f"{path.name}, cell {index}: an output prints an answer"
        for why in whys:
            # a sentence-long piece of any explanation is enough to give it away
            assert why[:60] not in text, f"{path.name}, cell {index}: output holds the explanation {why[:60]!r}"
        for check_id in CELL.findall(source(cell)):
            assert text, f"{path.name}, cell {index}: {check_id} has no committed output"
            assert get_check(check_id).question in text, f"{path.name}, cell {index}: question of {check_id} missing"
