"""The grading helper, proved on the fixture assignment through the real ``nbgrader autograde``."""

import copy

import pytest

from mlops_course.grading import fill_answers, graded_cells

pytestmark = pytest.mark.slow

CORRECT_BUT_DIFFERENT = {
    "q1_missing_share": (
        "def missing_share(values):\n"
        "    count = 0\n"
        "    for v in values:\n"
        "        if v is None:\n"
        "            count += 1\n"
        "    return count / len(values) if values else 0.0"
    ),
    "q2_approval_rates": "approval_rates = decisions.pivot_table(index='group', values='approved')['approved']",
}
# A common slip: counting every falsy value (0, "") as missing. Right on the visible example only.
WRONG_Q1 = {**CORRECT_BUT_DIFFERENT, "q1_missing_share": (
    "def missing_share(values):\n"
    "    return sum(not v for v in values) / len(values) if values else 0.0")}
# Hard-coding the visible example's answer.
HARD_CODED_Q2 = {**CORRECT_BUT_DIFFERENT,
                 "q2_approval_rates": "import pandas as pd\napproval_rates = pd.Series({'a': 0.5, 'b': 0.5, 'c': 0.5})"}

FULL = {"q1_missing_share_tests": 2.0, "q2_approval_rates_tests": 3.0}


def _without(nb, grade_id):
    trimmed = copy.deepcopy(nb)
    trimmed.cells = [c for c in trimmed.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return trimmed


@pytest.fixture(scope="module")
def grades(fixture_course):
    release = fixture_course.release_notebook("fixture")
    correct = fill_answers(release, CORRECT_BUT_DIFFERENT)
    submissions = {
        "correct": correct,
        "wrong_q1": fill_answers(release, WRONG_Q1),
        "hard_coded_q2": fill_answers(release, HARD_CODED_Q2),
        "deleted_test_cell": _without(correct, "q2_approval_rates_tests"),
        "blank": release,
    }
    return fixture_course.grade({name: {"fixture": nb} for name, nb in submissions.items()})


def _auto(result):
    return {k: v for k, v in result.scores.items() if k in FULL}


def test_correct_but_different_scores_full_marks(grades):
    assert _auto(grades["correct"]) == FULL


def test_wrong_answer_loses_exactly_its_question(grades):
    assert _auto(grades["wrong_q1"]) == {**FULL, "q1_missing_share_tests": 0.0}


def test_hard_coded_answer_is_caught_by_hidden_tests(grades):
    assert _auto(grades["hard_coded_q2"]) == {**FULL, "q2_approval_rates_tests": 0.0}


def test_deleted_test_cell_is_restored_and_graded(grades):
    assert _auto(grades["deleted_test_cell"]) == FULL


def test_blank_release_scores_nothing(grades):
    assert _auto(grades["blank"]) == {k: 0.0 for k in FULL}


def test_broken_json_is_reported_not_fatal(fixture_course):
    result = fixture_course.grade({"broken": {"fixture": "{this is not a notebook"}})["broken"]
    assert result.scores == {}
    assert "error" in result.log.lower()


def test_fill_answers_rejects_unknown_grade_ids(fixture_course):
    release = fixture_course.release_notebook("fixture")
    with pytest.raises(KeyError, match="q9_typo"):
        fill_answers(release, {"q9_typo": "x = 1"})
    assert "q1_missing_share" in graded_cells(release)
