"""The questions of a solution notebook: each answer cell, the test cells that grade it, and the cells to re-run.

nbgrader runs a notebook top to bottom, so a question's test cells are the first group of graded code
cells after its answer cell. Between the two may stand other code: plain set-up cells, or a second answer
cell that the tests also use (an answer split over two cells). A mutant of the answer cell is therefore
judged by running the mutated cell and then every code cell after it up to and including the last test
cell of that group; nothing before it needs to run again, and nothing after it can change the grade.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mlops_course.grading.cells import read_notebook


@dataclass
class Question:
    """One answer cell and the cells that decide whether a mutant of it is caught."""

    grade_id: str
    answer: int  # index of the answer cell in the notebook
    tests: list[int]  # indices of its test cells
    run: list[int]  # code cells to run for a mutant: the answer cell up to the last test cell
    test_names: set[str] = field(default_factory=set)  # names the test cells bind (not part of the state)
    # Names that the question's own cells bind first: removed before a mutant runs, so that a mutated
    # cell that fails leaves them unbound, as in nbgrader's fresh kernel, not at the original's value.
    fresh_names: set[str] = field(default_factory=set)

    @property
    def last(self) -> int:
        return self.run[-1]


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_answer(cell: NotebookNode) -> bool:
    """An autograded answer cell: nbgrader solution code with a ``### BEGIN SOLUTION`` block."""
    meta = _meta(cell)
    return (cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")
            and "BEGIN SOLUTION" in cell.source)


def is_test(cell: NotebookNode) -> bool:
    """An autograder test cell: graded code that is not an answer."""
    meta = _meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def points(cell: NotebookNode) -> float:
    return float(_meta(cell).get("points", 0))


def bound_names(source: str) -> set[str]:
    """Top-level names a cell assigns (``x = ...``, ``for x in``, ``import x``, ``def f``); empty if it is not
    Python. Names local to a function or class body are not the notebook's."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

    def visit(node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        if isinstance(node, scopes):
            if not isinstance(node, ast.Lambda):
                names.add(node.name)
            return  # its body binds local names only
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return names


def find_questions(nb: NotebookNode) -> list[Question]:
    """Every answer cell of the notebook with its test cells, in notebook order.

    Raises ``ValueError`` naming an answer cell that no test cell follows: its mutants could never be
    caught, which is a fault of the notebook, not of the answer.
    """
    cells = nb.cells
    questions = []
    for index, cell in enumerate(cells):
        if not is_answer(cell):
            continue
        grade_id = _meta(cell).get("grade_id", f"cell{index}")
        tests = []
        for cursor in range(index + 1, len(cells)):
            if is_test(cells[cursor]):
                tests.append(cursor)
            elif tests and cells[cursor].cell_type == "code":
                break  # the first code cell after the group of test cells
        if not tests:
            raise ValueError(f"answer cell {grade_id} has no test cell after it")
        run = [i for i in range(index, tests[-1] + 1) if cells[i].cell_type == "code"]
        names = set().union(*(bound_names(cells[i].source) for i in tests))
        names -= set().union(*(bound_names(cells[i].source) for i in run if i not in tests))
        earlier = set().union(*(bound_names(c.source) for c in cells[:index] if c.cell_type == "code"))
        fresh = set().union(*(bound_names(cells[i].source) for i in run if i not in tests)) - earlier
        questions.append(Question(grade_id, index, tests, run, names, fresh))
    return questions


def solution_notebook(root: Path, assignment: str) -> Path:
    """The source notebook of an assignment: ``solutions/<assignment>/<assignment>.ipynb`` or its only notebook."""
    folder = root / assignment
    preferred = folder / f"{assignment}.ipynb"
    if preferred.exists():
        return preferred
    found = sorted(folder.glob("*.ipynb"))
    if len(found) != 1:
        known = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        raise FileNotFoundError(f"no solution notebook for {assignment!r} in {folder}; assignments: {known}")
    return found[0]


def load(path: Path) -> tuple[NotebookNode, list[Question]]:
    nb = read_notebook(path)
    return nb, find_questions(nb)
