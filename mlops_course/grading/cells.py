"""Build nbgrader cells and work with a notebook's graded cells by their ``grade_id``."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

SCHEMA_VERSION = 3


def read_notebook(path: str | Path) -> NotebookNode:
    """Read a notebook, with a clear error when the file is not a valid notebook."""
    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise
    except Exception as exc:  # nbformat raises several unrelated types for broken JSON
        raise ValueError(
            f"{path} is not a valid Jupyter notebook ({exc.__class__.__name__}: {exc}). "
            "Re-download the assignment or restore the file from a checkpoint."
        ) from exc


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None,
          task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(source: str) -> NotebookNode:
    """A plain, editable markdown cell."""
    return nbformat.v4.new_markdown_cell(source.strip())


def code(source: str) -> NotebookNode:
    """A plain, editable code cell."""
    return nbformat.v4.new_code_cell(source.strip())


def readonly(grade_id: str, source: str, *, kind: str = "markdown") -> NotebookNode:
    """A locked cell (instructions or set-up the learner must not change)."""
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    return make(source.strip(), metadata=_meta(grade_id, grade=False, solution=False, locked=True))


def answer(grade_id: str, source: str) -> NotebookNode:
    """An autograded answer cell; its ``### BEGIN SOLUTION`` block becomes a stub in the release."""
    return nbformat.v4.new_code_cell(source.strip(), metadata=_meta(grade_id, grade=False, solution=True,
                                                                    locked=False))


def tests(grade_id: str, points: float, source: str) -> NotebookNode:
    """A locked autograder test cell worth ``points``."""
    return nbformat.v4.new_code_cell(source.strip(), metadata=_meta(grade_id, grade=True, solution=False,
                                                                    locked=True, points=points))


def manual(grade_id: str, points: float, source: str) -> NotebookNode:
    """A manually graded markdown answer; the source holds the model answer and mark scheme."""
    return nbformat.v4.new_markdown_cell(source.strip(), metadata=_meta(grade_id, grade=True, solution=True,
                                                                        locked=False, points=points))


def new_notebook(cells: list[NotebookNode]) -> NotebookNode:
    """A notebook with the course's standard Python 3 kernel."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def graded_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    """Map every nbgrader ``grade_id`` in the notebook to its cell."""
    found = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("grade_id"):
            found[meta["grade_id"]] = cell
    return found


def fill_answers(nb: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """Return a copy of ``nb`` with the given answer cells' sources replaced, as a learner would.

    Raises ``KeyError`` naming the unknown ids, so a typo in a submission bank cannot silently
    leave a stub in place.
    """
    filled = nbformat.reads(nbformat.writes(nb), as_version=4)
    cells = graded_cells(filled)
    unknown = sorted(set(answers) - set(cells))
    if unknown:
        raise KeyError(f"no graded cell with grade_id {unknown}; known ids: {sorted(cells)}")
    for grade_id, source in answers.items():
        cells[grade_id].source = source.strip()
    return filled
