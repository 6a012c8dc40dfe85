"""Every submission bank in ``tests/banks/`` scores exactly as it says, through real nbgrader autograde.

The format of a bank is described in ``mlops_course/grading/banks.py``. One autograde run per
assignment grades the whole bank.
"""

from pathlib import Path

import pytest

from mlops_course.grading.banks import autograded_max_scores, load_bank, solution_answers
from mlops_course.grading.cells import read_notebook
from mlops_course.paths import course_root

BANKS = sorted((Path(__file__).parent / "banks").glob("*.py"))

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("bank_path", BANKS, ids=lambda p: p.stem)
def test_bank_scores_as_expected(bank_path, scratch_course_for):
    bank = load_bank(bank_path)
    source = read_notebook(course_root() / "solutions" / bank.assignment / f"{bank.notebook}.ipynb")
    course = scratch_course_for(bank.assignment)
    max_scores = autograded_max_scores(source)
    submissions = bank.notebooks(source, course.release_notebook(bank.notebook))
    results = course.grade({name: {bank.notebook: nb} for name, nb in submissions.items()})

    mismatches = []
    for name, result in results.items():
        got = {cell: result.scores.get(cell) for cell in max_scores}
        for cell, want in bank.expected_scores(name, max_scores).items():
            if got[cell] != want:
                mismatches.append(f"{name}: {cell} scored {got[cell]}, expected {want}")
    assert not mismatches, "\n".join(mismatches)
    flagged = {name: result.review for name, result in results.items() if result.review}
    assert not flagged, f"honest or plainly wrong submissions flagged as tampering: {flagged}"


@pytest.mark.parametrize("bank_path", BANKS, ids=lambda p: p.stem)
def test_bank_covers_every_question(bank_path):
    """At least one correct-but-different answer and two wrong ones for every graded test cell."""
    bank = load_bank(bank_path)
    source = read_notebook(course_root() / "solutions" / bank.assignment / f"{bank.notebook}.ipynb")
    max_scores = autograded_max_scores(source)
    losing = {cell: sum(1 for exp in bank.expected.values() if exp.get(cell, max_scores[cell]) < max_scores[cell])
              for cell in max_scores}
    thin = {cell: n for cell, n in losing.items() if n < 2}
    assert not thin, f"{bank.assignment}: test cells with fewer than two wrong submissions: {thin}"
    full = [name for name in bank.submissions if not bank.expected.get(name)]
    varied = set().union(*(bank.submissions[name] for name in full)) if full else set()
    missing = sorted(set(solution_answers(source)) - varied)
    assert not missing, f"{bank.assignment}: answer cells without a correct-but-different full-marks answer: {missing}"
