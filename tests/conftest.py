"""Shared fixtures of the test suite: graded nbgrader courses made once per run."""

from __future__ import annotations

import pytest

from mlops_course.grading import GradingSandbox
from mlops_course.paths import course_root

ROOT = course_root()


@pytest.fixture(scope="session")
def fixture_sandbox():
    """A graded course holding the small fixture assignment of ``tests/fixtures``."""
    sandbox = GradingSandbox("fixture", source_dir=ROOT / "tests" / "fixtures" / "solutions" / "fixture")
    yield sandbox
    sandbox.cleanup()


@pytest.fixture(scope="session")
def sandbox_for():
    """``sandbox_for(assignment)``: a graded course for one of the course's assignments, made once per run.

    Banks of submissions and the release checks share it, so ``generate_assignment`` runs once.
    """
    made: dict[str, GradingSandbox] = {}

    def get(assignment: str) -> GradingSandbox:
        if assignment not in made:
            made[assignment] = GradingSandbox(assignment)
        return made[assignment]

    yield get
    for sandbox in made.values():
        sandbox.cleanup()
