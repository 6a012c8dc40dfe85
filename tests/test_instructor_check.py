"""``mlops-course check`` catches every structural problem it claims to, and runs only visible tests."""

import copy

import nbformat
import pytest

from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import check
from mlops_course.instructor.structure import dedupe_grade_ids, grade_id_of, structure_problems, unanswered
from mlops_course.paths import course_root

FIXTURE = course_root() / "tests" / "fixtures" / "solutions" / "fixture" / "fixture.ipynb"


@pytest.fixture
def reference():
    """The fixture source: the same graded cells, types and locks as its release."""
    return read_notebook(FIXTURE)


def _index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if grade_id_of(c) == grade_id)


def _kinds(submission, reference):
    return {(p.kind, p.grade_id) for p in structure_problems(submission, reference)}


def test_an_intact_notebook_has_no_problems(reference):
    assert structure_problems(copy.deepcopy(reference), reference) == []


def test_deleted_cells_are_reported_with_their_consequence(reference):
    nb = copy.deepcopy(reference)
    del nb.cells[_index(nb, "q2_approval_rates_tests")]
    del nb.cells[_index(nb, "q1_missing_share")]
    problems = {p.grade_id: p for p in structure_problems(nb, reference)}
    assert problems["q2_approval_rates_tests"].kind == "deleted"
    assert "puts it back" in problems["q2_approval_rates_tests"].message
    assert problems["q1_missing_share"].costs_points and "cannot score" in problems["q1_missing_share"].message


def test_duplicated_cell_is_reported_and_deduplicated_like_nbgrader(reference):
    nb = copy.deepcopy(reference)
    at = _index(nb, "q1_missing_share")
    nb.cells.insert(at, copy.deepcopy(nb.cells[at]))
    nb.cells[at].source = "def missing_share(values):\n    return 1.0  # first draft"
    assert ("duplicated", "q1_missing_share") in _kinds(nb, reference)
    assert dedupe_grade_ids(nb) == ["q1_missing_share"]
    kept = [c for c in nb.cells if grade_id_of(c) == "q1_missing_share"]
    assert len(kept) == 1 and "first draft" not in kept[0].source  # the last copy is the one graded


def test_retyped_cell_is_reported(reference):
    nb = copy.deepcopy(reference)
    at = _index(nb, "q2_approval_rates")
    nb.cells[at] = nbformat.v4.new_markdown_cell(nb.cells[at].source, metadata=nb.cells[at].metadata)
    assert ("retyped", "q2_approval_rates") in _kinds(nb, reference)


def test_edited_locked_cell_and_changed_points_are_reported(reference):
    nb = copy.deepcopy(reference)
    test_cell = nb.cells[_index(nb, "q1_missing_share_tests")]
    test_cell.source = "# all good\nassert True"
    nb.cells[_index(nb, "q2_approval_rates_tests")].metadata["nbgrader"]["points"] = 30
    kinds = _kinds(nb, reference)
    assert ("edited", "q1_missing_share_tests") in kinds
    assert ("settings", "q2_approval_rates_tests") in kinds


def test_renamed_grade_id_and_moved_cells_are_reported(reference):
    nb = copy.deepcopy(reference)
    nb.cells[_index(nb, "q2_approval_rates")].metadata["nbgrader"]["grade_id"] = "my_answer"
    q1_tests = nb.cells.pop(_index(nb, "q1_missing_share_tests"))
    nb.cells.append(q1_tests)
    kinds = _kinds(nb, reference)
    assert {("unknown", "my_answer"), ("deleted", "q2_approval_rates")} <= kinds
    assert any(kind == "moved" for kind, _ in kinds)


def test_unanswered_cells_are_the_ones_still_holding_the_stub(reference):
    stub = copy.deepcopy(reference)
    stub.cells[_index(stub, "q1_missing_share")].source = "def missing_share(values):\n    raise NotImplementedError()"
    assert unanswered(stub, stub) == ["q1_missing_share", "q2_approval_rates", "q3_explain"]
    assert "q1_missing_share" not in unanswered(reference, stub)


def test_invalid_json_is_a_clear_failure(tmp_path):
    broken = tmp_path / "fixture.ipynb"
    broken.write_text('{"cells": [')
    report = check.check_notebook(broken, execute=False)
    assert not report.ok and "not a valid notebook" in report.text() and "JSON" in report.invalid


def test_release_is_found_by_name_or_by_grade_ids(tmp_path, reference):
    exercises = tmp_path / "exercises" / "fixture"
    exercises.mkdir(parents=True)
    nbformat.write(reference, str(exercises / "fixture.ipynb"))
    found = check.find_release(reference, tmp_path / "fixture (1).ipynb", root=tmp_path)
    assert found == exercises / "fixture.ipynb"
    assert check.find_release(reference, tmp_path / "fixture.ipynb", assignment="fixture", root=tmp_path) == found
    assert check.find_release(nbformat.v4.new_notebook(), tmp_path / "other.ipynb", root=tmp_path) is None


def test_as_graded_restores_read_only_and_deleted_test_cells(reference):
    nb = copy.deepcopy(reference)
    nb.cells[_index(nb, "q1_missing_share_tests")].source = "# Q1\nassert True"
    del nb.cells[_index(nb, "q2_approval_rates_tests")]
    graded = check.as_graded(nb, reference)
    assert graded.cells[_index(graded, "q1_missing_share_tests")].source == \
        reference.cells[_index(reference, "q1_missing_share_tests")].source
    assert _index(graded, "q2_approval_rates_tests") == _index(graded, "q2_approval_rates") + 1


@pytest.mark.slow
def test_visible_tests_run_as_released_and_hidden_tests_never_show(tmp_path, fixture_course):
    release = fixture_course.release_notebook("fixture")
    exercises = tmp_path / "exercises" / "fixture"
    exercises.mkdir(parents=True)
    nbformat.write(release, str(exercises / "fixture.ipynb"))
    answered = copy.deepcopy(release)
    answered.cells[_index(answered, "q1_missing_share")].source = (
        "def missing_share(values):\n    return sum(not v for v in values) / len(values) if values else 0.0")
    answered.cells[_index(answered, "q2_approval_rates")].source = (
        "approval_rates = decisions.groupby('group')['approved'].sum()")  # counts, not rates
    answered.cells[_index(answered, "q1_missing_share_tests")].source += "\nassert False, 'edited by hand'"
    mine = tmp_path / "fixture.ipynb"
    nbformat.write(answered, str(mine))

    report = check.check_notebook(mine, timeout=60, root=tmp_path)
    outcomes = {t.grade_id: t for t in report.tests}
    # The falsy-values slip passes the visible test (only a hidden test catches it); the edit is undone.
    assert outcomes["q1_missing_share_tests"].status == "PASS"
    assert outcomes["q2_approval_rates_tests"].status == "FAIL"
    assert "group a: 1 of 2 approved" in outcomes["q2_approval_rates_tests"].message
    text = report.text()
    assert not report.ok and "read-only test cell q1_missing_share_tests was edited" in text
    source = read_notebook(FIXTURE)
    hidden = source.cells[_index(source, "q1_missing_share_tests")].source.split("### BEGIN HIDDEN TESTS")[1]
    assert "falsy values are not missing" in hidden and "falsy values are not missing" not in text
