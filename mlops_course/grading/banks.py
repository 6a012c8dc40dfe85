"""Submission banks: correct-but-different and plausibly wrong answers, with the scores they must get.

A bank is a Python file ``tests/banks/<assignment>.py`` that defines

- ``NOTEBOOK``: the notebook's file name without ``.ipynb``;
- ``SUBMISSIONS``: ``{submission name: {grade_id of an answer cell: source}}``; every answer cell that a
  submission does not list keeps the model solution, so a submission names only what it varies;
- ``EXPECTED``: ``{submission name: {grade_id of a test cell: points}}``; every test cell that is not
  listed must get full marks.

Questions are graded cell by cell, so one submission can carry a different variant in every question
at once, as long as its answers do not feed each other; the bank then needs only a few autograde runs.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mlops_course.grading.cells import fill_answers, graded_cells

_SOLUTION_BLOCK = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


@dataclass
class Bank:
    assignment: str
    notebook: str
    submissions: dict[str, dict[str, str]]
    expected: dict[str, dict[str, float]]

    def notebooks(self, source: NotebookNode, release: NotebookNode) -> dict[str, NotebookNode]:
        """Each submission as the learner would hand it in: the release with its answers filled."""
        model = solution_answers(source)
        return {name: fill_answers(release, {**model, **answers}) for name, answers in self.submissions.items()}

    def expected_scores(self, name: str, max_scores: dict[str, float]) -> dict[str, float]:
        """The score every autograded test cell must get for submission ``name``."""
        unknown = set(self.expected.get(name, {})) - set(max_scores)
        if unknown:
            raise KeyError(f"bank {self.assignment}: EXPECTED[{name!r}] names unknown test cells {sorted(unknown)}")
        return {cell: self.expected.get(name, {}).get(cell, points) for cell, points in max_scores.items()}


def solution_answers(source: NotebookNode) -> dict[str, str]:
    """The model answer of every autograded answer cell, with the solution markers removed."""
    answers = {}
    for grade_id, cell in graded_cells(source).items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution") and cell.cell_type == "code":
            answers[grade_id] = _SOLUTION_BLOCK.sub("", cell.source)
    return answers


def autograded_max_scores(source: NotebookNode) -> dict[str, float]:
    """Points of every autograder test cell (manually graded answers are left out)."""
    return {grade_id: float(cell.metadata["nbgrader"]["points"])
            for grade_id, cell in graded_cells(source).items()
            if cell.cell_type == "code" and cell.metadata["nbgrader"].get("grade")
            and not cell.metadata["nbgrader"].get("solution")}


def load_bank(path: str | Path) -> Bank:
    """Load ``tests/banks/<assignment>.py``; the assignment is the file's name."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"bank_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [name for name in ("NOTEBOOK", "SUBMISSIONS", "EXPECTED") if not hasattr(module, name)]
    if missing:
        raise AttributeError(f"{path}: a submission bank must define {', '.join(missing)}")
    extra = set(module.EXPECTED) - set(module.SUBMISSIONS)
    if extra:
        raise KeyError(f"{path}: EXPECTED names submissions that do not exist: {sorted(extra)}")
    return Bank(path.stem, module.NOTEBOOK, module.SUBMISSIONS, module.EXPECTED)
