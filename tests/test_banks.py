"""Every submission bank in ``tests/banks/`` scores exactly as it says, through real nbgrader autograde.

The format of a bank is described in ``mlops_course/grading/banks.py``. One autograde run per
assignment grades the whole bank.
"""

import ast
import json
from pathlib import Path

import pytest

from mlops_course.grading import warm
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
    # warm kernels where the sandbox runs: test_grading_warm.py proves cold ones give these same scores
    assert course.warm == warm.availability()[0]
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


# --- answers to the published prompts keep fitting the tests -------------------------------------------

PUBLISHED = json.loads((Path(__file__).parent / "published_answers.json").read_text())


def _names(source: str, context) -> set[str]:
    source = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tree = ast.parse(source)
    found = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, context)}
    if context is ast.Store:
        found |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
        found |= {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        found |= {(alias.asname or alias.name.split(".")[0]) for node in ast.walk(tree)
                  if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    return found


def names_the_tests_need(source) -> set[str]:
    """Names that the test cells read and only answer cells define: what every answer must provide."""
    answers, others, read = set(), set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        (answers if meta.get("solution") else others).update(_names(cell.source, ast.Store))
        if meta.get("grade") and not meta.get("solution"):
            read |= _names(cell.source, ast.Load)
    return (read & answers) - others


@pytest.mark.parametrize("assignment", sorted(PUBLISHED))
def test_the_tests_need_only_the_names_the_published_prompts_ask_for(assignment):
    """A learner's answer to the published assignment must keep its marks: no test may need a new name.

    tests/published_answers.json lists, per assignment, the functions and variables that the answer cells
    of the published release define and the tests read. A test that reads a name beyond those makes every
    answer written to the published prompt fail. Grade a value through the learner's own cells instead
    (``grading.rerun``), or publish a new release and update the list on purpose.
    """
    source = read_notebook(course_root() / "solutions" / assignment / f"{assignment}.ipynb")
    new = sorted(names_the_tests_need(source) - set(PUBLISHED[assignment]))
    assert not new, (f"{assignment}: the tests now need {', '.join(new)}, which answers to the published prompts "
                     "do not define; test those answers through the names they do define")
