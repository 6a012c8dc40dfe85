"""Compare a submitted notebook with its release: which graded cells were deleted, copied, re-typed or edited.

nbgrader grades cells by their ``grade_id``. What it does with a damaged structure (checked on nbgrader
0.9.5 with the course configuration) decides how serious each problem is:

- a deleted *test* cell is put back (``OverwriteCells.add_missing_cells``), a deleted *answer* cell is not,
  so its question scores nothing;
- a locked cell that was edited, re-typed (code to markdown) or given other points is restored;
- a cell whose ``grade_id`` appears twice makes nbgrader 0.9.5 fail on the whole notebook
  (``DeduplicateIds`` empties the metadata that ``OverwriteCells`` then reads). ``dedupe_grade_ids``
  does what ``DeduplicateIds`` means to do -- keep the last copy -- so that such a notebook is graded.

The same findings serve the learner (``mlops-course check``, with a fix for each) and the instructor
(``autograde`` records them as the reasons next to a score).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode

STUB_MARKERS = ("raise NotImplementedError()", "YOUR ANSWER HERE")


@dataclass(frozen=True)
class Problem:
    kind: str            # deleted, duplicated, retyped, edited, settings, unknown, moved
    grade_id: str
    message: str         # what is wrong and what grading does about it
    fix: str = ""        # what the learner should do
    costs_points: bool = False


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id_of(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def role(cell: NotebookNode) -> str:
    """A learner-facing name for what a cell is: answer, test, written answer or read-only cell."""
    meta = nbgrader_meta(cell)
    if meta.get("solution") and meta.get("grade"):
        return "written answer"
    if meta.get("solution"):
        return "answer cell"
    if meta.get("grade"):
        return "test cell"
    return "read-only cell"


def tracked_cells(nb: NotebookNode) -> list[tuple[str, NotebookNode]]:
    """``(grade_id, cell)`` for every cell that nbgrader tracks, in notebook order (duplicates kept)."""
    return [(grade_id_of(c), c) for c in nb.cells if grade_id_of(c)]


def _settings(cell: NotebookNode) -> tuple:
    meta = nbgrader_meta(cell)
    return (bool(meta.get("grade")), bool(meta.get("solution")), bool(meta.get("locked")),
            float(meta.get("points") or 0))


def _same_source(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == [line.rstrip() for line in b.strip().splitlines()]


def structure_problems(submission: NotebookNode, release: NotebookNode) -> list[Problem]:
    """Every way the submission's graded cells differ from the release, in release order."""
    released = dict(tracked_cells(release))
    submitted = tracked_cells(submission)
    counts = Counter(grade_id for grade_id, _ in submitted)
    last_copy = dict(submitted)  # the copy nbgrader keeps
    restore = "copy the cell back from a fresh download of the assignment (or undo the change)"
    problems = []
    for grade_id, original in released.items():
        kind = role(original)
        if grade_id not in counts:
            problems.append(_deleted(grade_id, original, kind))
            continue
        if counts[grade_id] > 1:
            problems.append(Problem(
                "duplicated", grade_id, f"{kind} {grade_id} appears {counts[grade_id]} times; grading keeps only "
                "the last copy", "delete the extra copies, keep the one with your answer",
                costs_points=kind == "answer cell"))
        cell = last_copy[grade_id]
        if cell.cell_type != original.cell_type:
            problems.append(Problem(
                "retyped", grade_id, f"{kind} {grade_id} was changed from {original.cell_type} to {cell.cell_type}; "
                f"grading turns it back into {original.cell_type}",
                f"change the cell type back to {original.cell_type} (Jupyter: the cell type menu of the toolbar)"))
        if _settings(cell) != _settings(original):
            problems.append(Problem(
                "settings", grade_id, f"the nbgrader settings of {kind} {grade_id} were changed; grading uses the "
                "originals", restore))
        if nbgrader_meta(original).get("locked") and not _same_source(cell.source, original.source):
            problems.append(Problem("edited", grade_id,
                                    f"read-only {kind} {grade_id} was edited; grading runs the original instead",
                                    restore))
    for grade_id in counts:
        if grade_id not in released:
            problems.append(Problem("unknown", grade_id,
                                    f"a cell has grade id {grade_id}, which is not part of this assignment (renamed?); "
                                    "it is not graded", restore, costs_points=True))
    problems += _moved(submitted, released)
    return problems


def _deleted(grade_id: str, original: NotebookNode, kind: str) -> Problem:
    fix = "copy the cell back from a fresh download of the assignment, in its original place"
    if kind == "test cell":
        return Problem("deleted", grade_id, f"test cell {grade_id} was deleted; grading puts it back and runs it", fix)
    if kind == "written answer":
        return Problem("deleted", grade_id, f"written answer {grade_id} was deleted; grading puts back an empty one",
                       fix + ", then write your answer in it", costs_points=True)
    if kind == "answer cell":
        return Problem("deleted", grade_id, f"answer cell {grade_id} was deleted; its question cannot score",
                       fix + ", then put your answer in it", costs_points=True)
    return Problem("deleted", grade_id, f"read-only cell {grade_id} was deleted; the cells after it may fail", fix,
                   costs_points=True)


def _moved(submitted: list[tuple[str, NotebookNode]], released: dict[str, NotebookNode]) -> list[Problem]:
    """Graded cells in another order than released: the notebook runs top to bottom, so tests may run early."""
    order = {grade_id: i for i, grade_id in enumerate(released)}
    seen = [grade_id for grade_id, _ in submitted if grade_id in order]
    for earlier, later in zip(seen, seen[1:]):
        if order[later] < order[earlier]:
            return [Problem("moved", later, f"cell {later} was moved after {earlier}; the notebook runs from top to "
                                            "bottom, so its tests may run before the answer they check",
                            "move the cells back into their original order")]
    return []


def unanswered(submission: NotebookNode, release: NotebookNode) -> list[str]:
    """Answer cells still holding the release's stub (``raise NotImplementedError()``, *YOUR ANSWER HERE*)."""
    released = dict(tracked_cells(release))
    open_ids = []
    for grade_id, cell in tracked_cells(submission):
        original = released.get(grade_id)
        if original is None or not nbgrader_meta(original).get("solution"):
            continue
        if _same_source(cell.source, original.source) or any(m in cell.source for m in STUB_MARKERS):
            open_ids.append(grade_id)
    return list(dict.fromkeys(open_ids))


def dedupe_grade_ids(nb: NotebookNode) -> list[str]:
    """Keep the last copy of every repeated ``grade_id`` and make earlier copies plain cells, in place.

    This is what nbgrader's ``DeduplicateIds`` intends; 0.9.5 leaves an empty ``nbgrader`` dict behind,
    which ``OverwriteCells`` then fails on. Returns the ids that were repeated.
    """
    seen, repeated = set(), []
    for cell in reversed(nb.cells):
        grade_id = grade_id_of(cell)
        if not grade_id:
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
            repeated.append(grade_id)
        seen.add(grade_id)
    return sorted(set(repeated))
