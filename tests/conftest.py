"""Shared pytest set-up for the course.

Notebooks are collected here rather than with ``--nbval`` on the command line, so that one ``pytest``
run treats the two kinds differently:

- ``chapters/*.ipynb`` run in nbval's strict mode: the committed outputs must be reproduced;
- ``solutions/*/*.ipynb`` run in nbval's lax mode: they are committed without outputs, so they only
  have to run top to bottom without an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbval.plugin import IPyNbFile

from mlops_course.grading import GradingSandbox
from mlops_course.paths import course_root

ROOT = course_root()
SANITIZE = ROOT / "chapters" / "nbval_sanitize.cfg"


def pytest_configure(config):
    # The kernel is this environment's Python, whatever kernels the machine has registered.
    config.option.nbval_current_env = True
    if SANITIZE.exists() and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(SANITIZE)


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if file_path.suffix != ".ipynb" or opt.nbval or opt.nbval_lax or ".ipynb_checkpoints" in file_path.parts:
        return None
    relative = file_path.relative_to(ROOT).parts if file_path.is_relative_to(ROOT) else ()
    if relative[:1] == ("chapters",):
        notebook = IPyNbFile.from_parent(parent, path=file_path)
        notebook.compare_outputs = True
        return notebook
    if relative[:1] == ("solutions",):
        notebook = IPyNbFile.from_parent(parent, path=file_path)
        notebook.compare_outputs = False
        return notebook
    return None


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
