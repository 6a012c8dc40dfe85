"""Structural checks on the course's nbgrader notebooks.

Used by the test suite and by the instructor's ``release`` command. Every check returns a list of
problems written for the person who has to fix them; an empty list means all is well.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mlops_course.grading.cells import read_notebook
from mlops_course.paths import course_root

SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME_MARKERS = ("BEGIN MARK SCHEME", "END MARK SCHEME")
# Words that only a model answer or grading note contains; they must never reach a learner.
LEAK_WORDS = SOLUTION_MARKERS + HIDDEN_MARKERS + MARK_SCHEME_MARKERS + ("Mark scheme", "Model answer")
MIN_LEAK_LINE = 30  # shorter solution lines (``return x``) also occur in honest stubs and prompts


def assignments(root: Path | None = None) -> list[str]:
    """Names of the assignments: folders of ``solutions/`` that hold notebooks."""
    solutions = (root or course_root()) / "solutions"
    return sorted(p.name for p in solutions.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebooks_of(assignment: str, kind: str, root: Path | None = None) -> list[Path]:
    """The notebooks of an assignment, ``kind`` being ``"solutions"`` or ``"exercises"``."""
    return sorted(((root or course_root()) / kind / assignment).glob("*.ipynb"))


def _nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_autograder_test(cell: NotebookNode) -> bool:
    meta = _nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def metadata_problems(nb: NotebookNode, name: str) -> list[str]:
    """nbgrader metadata must be complete and consistent, or grading silently goes wrong."""
    problems, seen = [], set()
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader_meta(cell)
        if not meta:
            continue
        where = f"{name} cell {index}"
        grade_id = meta.get("grade_id")
        if not grade_id:
            problems.append(f"{where}: nbgrader cell without a grade_id")
        elif grade_id in seen:
            problems.append(f"{where}: grade_id {grade_id!r} is used twice; grade ids must be unique")
        seen.add(grade_id)
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3")
        if meta.get("grade") and not (meta.get("points") or 0) > 0:
            problems.append(f"{where} ({grade_id}): a graded cell needs points > 0")
        if _is_autograder_test(cell) and not meta.get("locked"):
            problems.append(f"{where} ({grade_id}): test cells must be locked (read-only)")
    return problems


def output_problems(nb: NotebookNode, name: str) -> list[str]:
    """Source and release notebooks are committed without outputs."""
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.get("outputs") or
                                                                           c.get("execution_count"))]
    if not dirty:
        return []
    return [f"{name}: cells {dirty} have outputs or execution counts; clear them "
            "(Edit > Clear Outputs of All Cells, or `jupyter nbconvert --clear-output --inplace NOTEBOOK`)"]


def source_problems(nb: NotebookNode, name: str) -> list[str]:
    """Rules for authors of ``solutions/``: every answer has a solution, every test a hidden part."""
    problems = []
    for index, cell in enumerate(nb.cells):
        meta, grade_id = _nbgrader_meta(cell), _nbgrader_meta(cell).get("grade_id")
        if meta.get("solution") and cell.cell_type == "code" and SOLUTION_MARKERS[0] not in cell.source:
            problems.append(f"{name} cell {index} ({grade_id}): answer cell without a ### BEGIN SOLUTION block")
        if _is_autograder_test(cell) and HIDDEN_MARKERS[0] not in cell.source:
            problems.append(f"{name} cell {index} ({grade_id}): test cell without a ### BEGIN HIDDEN TESTS block; "
                            "add hidden tests on other inputs so that hard-coded answers fail")
        if _is_autograder_test(cell) and not cell.source.lstrip().startswith("#"):
            problems.append(f"{name} cell {index} ({grade_id}): a test cell starts with a comment saying "
                            "what it checks")
    return problems + metadata_problems(nb, name) + output_problems(nb, name)


def release_problems(nb: NotebookNode, name: str) -> list[str]:
    """A release holds no solutions, hidden tests or mark schemes."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for word in LEAK_WORDS:
            if word in cell.source:
                problems.append(f"{name} cell {index}: contains {word!r} -- a leak into the learner's "
                                "notebook; regenerate with `make exercises`")
    return problems + metadata_problems(nb, name) + output_problems(nb, name)


def _solution_lines(nb: NotebookNode) -> tuple[set[str], set[str]]:
    """Lines inside solution / hidden-test blocks, and all other lines of the notebook."""
    inside, outside = set(), set()
    for cell in nb.cells:
        hidden = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if any(m in stripped for m in (SOLUTION_MARKERS[0], HIDDEN_MARKERS[0], MARK_SCHEME_MARKERS[0])):
                hidden = True
            elif any(m in stripped for m in (SOLUTION_MARKERS[1], HIDDEN_MARKERS[1], MARK_SCHEME_MARKERS[1])):
                hidden = False
            elif stripped:
                (inside if hidden else outside).add(stripped)
        if _nbgrader_meta(cell).get("solution") and cell.cell_type == "markdown":
            inside.update(s.strip() for s in cell.source.splitlines() if s.strip())
    return inside, outside


def leaked_lines(source: NotebookNode, release: NotebookNode, name: str) -> list[str]:
    """Lines of solutions, hidden tests or mark schemes that appear in the release."""
    inside, outside = _solution_lines(source)
    secret = {line for line in inside - outside if len(line) >= MIN_LEAK_LINE}
    released = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    return [f"{name}: solution text leaked into the release: {line!r}" for line in sorted(secret & released)]


def _comparable(nb: NotebookNode) -> list[tuple]:
    return [(c.cell_type, c.source, _nbgrader_meta(c)) for c in nb.cells]


def release_differences(committed: NotebookNode, fresh: NotebookNode, name: str) -> list[str]:
    """The committed release must equal a fresh regeneration from ``solutions/``."""
    old, new = _comparable(committed), _comparable(fresh)
    if old == new:
        return []
    where = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return [f"{name}: exercises/ differs from a fresh regeneration of solutions/ (first at cell {where}; "
            f"{len(old)} vs {len(new)} cells). Never edit exercises/ by hand: run `make exercises` and commit."]


def untitled_notebooks(root: Path | None = None) -> list[str]:
    root = root or course_root()
    return [f"{p.relative_to(root)}: an Untitled notebook; rename or delete it"
            for p in root.glob("**/[Uu]ntitled*.ipynb") if ".venv" not in p.parts and "course" not in p.parts]


def validate(notebook: Path, invert: bool = False) -> tuple[bool, str]:
    """Run ``nbgrader validate`` (``--invert`` for releases) and return (passed, nbgrader's report)."""
    from mlops_course.grading.scratch_course import nbgrader_environment

    command = [sys.executable, "-m", "nbgrader", "validate", str(notebook)] + (["--invert"] if invert else [])
    done = subprocess.run(command, cwd=course_root(), capture_output=True, text=True, timeout=600,
                          env=nbgrader_environment())
    report = done.stdout + done.stderr
    passed = done.returncode == 0 and bool(re.search(r"^Success!", done.stdout, re.MULTILINE))
    return passed, report


def check_source_notebook(path: Path) -> list[str]:
    return source_problems(read_notebook(path), str(path))


def check_release_notebook(path: Path) -> list[str]:
    return release_problems(read_notebook(path), str(path))
