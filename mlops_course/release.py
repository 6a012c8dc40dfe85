"""Regenerate ``exercises/`` from ``solutions/`` with ``nbgrader generate_assignment``."""

from __future__ import annotations

import subprocess
import sys

from mlops_course.grading.hygiene import assignments
from mlops_course.grading.scratch_course import nbgrader_environment
from mlops_course.paths import course_root


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments to regenerate (default: all)")


def generate_exercises(names: list[str] | None = None) -> int:
    """Run ``nbgrader generate_assignment --force`` for each assignment; return the number of failures."""
    failures = 0
    for name in names or assignments():
        done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force"],
                              cwd=course_root(), capture_output=True, text=True, env=nbgrader_environment())
        if done.returncode == 0:
            print(f"OK    exercises/{name} regenerated from solutions/{name}")
        else:
            failures += 1
            print(f"FAIL  exercises/{name}: nbgrader could not generate it:\n{done.stderr[-3000:]}")
    return failures


def run(args) -> int:
    return 1 if generate_exercises(args.assignment) else 0
