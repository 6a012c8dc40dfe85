"""Shared fixtures of the test suite: graded nbgrader courses made once per run."""

from __future__ import annotations

import pytest

from mlops_course.data import load_loans, score_applications, train_reference_model
from mlops_course.grading import ScratchCourse
from mlops_course.paths import course_root

ROOT = course_root()


@pytest.fixture(scope="session")
def fixture_course():
    """A graded course holding the small fixture assignment of ``tests/fixtures``."""
    course = ScratchCourse("fixture", source_dir=ROOT / "tests" / "fixtures" / "solutions" / "fixture")
    yield course
    course.cleanup()


@pytest.fixture(scope="session")
def scratch_course_for():
    """``scratch_course_for(assignment)``: a graded course for one of the course's assignments, made once per run.

    Banks of submissions and the release checks share it, so ``generate_assignment`` runs once.
    """
    made: dict[str, ScratchCourse] = {}

    def get(assignment: str) -> ScratchCourse:
        if assignment not in made:
            made[assignment] = ScratchCourse(assignment)
        return made[assignment]

    yield get
    for course in made.values():
        course.cleanup()


# The loan stream and the reference model, shared by the package tests. Module scope, as each test module
# had before: a test that changes a frame cannot leak into another module.
@pytest.fixture(scope="module")
def loans():
    return load_loans()


@pytest.fixture(scope="module")
def model(loans):
    return train_reference_model(loans)


@pytest.fixture(scope="module")
def scored(loans, model):
    """Every application with the reference model's ``p_default`` and decision."""
    return score_applications(model, loans)
