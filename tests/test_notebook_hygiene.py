"""The rules every nbgrader notebook of the course keeps (DESIGN.md sections 3-5).

Each failure message says what to do. The last group of tests proves that the checks catch what
they claim to, on the fixture assignment.
"""

import copy

import pytest

from mlops_course.grading import hygiene
from mlops_course.grading.cells import read_notebook
from mlops_course.paths import course_root

ROOT = course_root()
ASSIGNMENTS = hygiene.assignments()
SOURCES = [p for a in ASSIGNMENTS for p in hygiene.notebooks_of(a, "solutions")]
RELEASES = [p for a in ASSIGNMENTS for p in hygiene.notebooks_of(a, "exercises")]
FIXTURE = ROOT / "tests" / "fixtures" / "solutions" / "fixture" / "fixture.ipynb"


def _id(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_source_notebook_rules(path):
    problems = hygiene.check_source_notebook(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", RELEASES, ids=_id)
def test_release_notebook_rules(path):
    problems = hygiene.check_release_notebook(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_assignment_is_released(assignment):
    sources = {p.name for p in hygiene.notebooks_of(assignment, "solutions")}
    releases = {p.name for p in hygiene.notebooks_of(assignment, "exercises")}
    assert sources == releases, f"exercises/{assignment} must hold {sorted(sources)}: run `make exercises`"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_equals_fresh_regeneration_and_leaks_nothing(assignment, scratch_course_for):
    fresh_dir = scratch_course_for(assignment).release_dir
    problems = []
    for source_path in hygiene.notebooks_of(assignment, "solutions"):
        committed_path = ROOT / "exercises" / assignment / source_path.name
        committed, fresh = read_notebook(committed_path), read_notebook(fresh_dir / source_path.name)
        problems += hygiene.release_differences(committed, fresh, _id(committed_path))
        problems += hygiene.leaked_lines(read_notebook(source_path), committed, _id(committed_path))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_solution_passes_nbgrader_validate(path):
    passed, report = hygiene.validate(path)
    assert passed, f"the solution must pass all its tests:\n{report[-3000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("path", RELEASES, ids=_id)
def test_release_fails_nbgrader_validate(path):
    passed, report = hygiene.validate(path, invert=True)
    assert passed, f"every test cell of the release must fail until the learner answers:\n{report[-3000:]}"


def test_no_untitled_notebooks():
    problems = hygiene.untitled_notebooks()
    assert not problems, "\n".join(problems)


# --- the checks catch what they claim to -------------------------------------------------------------

def _fixture_test_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_missing_share_tests")


def test_fixture_source_is_clean():
    assert hygiene.check_source_notebook(FIXTURE) == []


def test_deleted_hidden_tests_are_reported():
    nb = read_notebook(FIXTURE)
    cell = _fixture_test_cell(nb)
    cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    problems = hygiene.source_problems(nb, "fixture")
    assert any("BEGIN HIDDEN TESTS" in p and "q1_missing_share_tests" in p for p in problems), problems


def test_outputs_in_a_solution_are_reported():
    nb = read_notebook(FIXTURE)
    nb.cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    problems = hygiene.source_problems(nb, "fixture")
    assert any("clear-output" in p for p in problems), problems


@pytest.mark.slow
def test_hand_edited_release_and_leaks_are_reported(fixture_course):
    fresh = fixture_course.release_notebook("fixture")
    edited = copy.deepcopy(fresh)
    edited.cells[0].source += "\nA hint the instructor typed into the release."
    assert hygiene.release_differences(edited, fresh, "fixture") != []
    assert hygiene.release_differences(fresh, copy.deepcopy(fresh), "fixture") == []

    source = read_notebook(FIXTURE)
    leaky = copy.deepcopy(fresh)
    leaky.cells.append(copy.deepcopy(_fixture_test_cell(source)))
    assert any("BEGIN HIDDEN TESTS" in p for p in hygiene.release_problems(leaky, "fixture"))
    assert hygiene.leaked_lines(source, leaky, "fixture") != []
    assert hygiene.leaked_lines(source, fresh, "fixture") == []


@pytest.mark.slow
def test_fixture_validates_both_ways(fixture_course):
    assert hygiene.validate(FIXTURE)[0]
    assert hygiene.validate(fixture_course.release_dir / "fixture.ipynb", invert=True)[0]
    assert not hygiene.validate(fixture_course.release_dir / "fixture.ipynb")[0]
