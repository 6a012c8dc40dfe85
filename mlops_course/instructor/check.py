"""``mlops-course check NOTEBOOK``: what a learner runs before submitting.

1. the file is a valid notebook;
2. its graded cells are intact -- none deleted, copied, re-typed or edited where read-only, grade ids
   unchanged -- compared with the released notebook in ``exercises/<assignment>/``;
3. the visible tests pass, run as grading runs them: in a fresh kernel, top to bottom, read-only cells
   as released, with the course's nbgrader settings;
4. a summary per question.

Only the *release* is read, never ``solutions/``, so nothing here can reveal a hidden test.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from mlops_course.grading import sandbox
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import outputs
from mlops_course.instructor.structure import (Problem, dedupe_grade_ids, grade_id_of, nbgrader_meta, role,
                                               structure_problems, tracked_cells, unanswered)
from mlops_course.paths import course_root


@dataclass
class CellOutcome:
    grade_id: str
    label: str
    points: float
    status: str             # PASS, FAIL or NOT RUN
    message: str = ""


@dataclass
class CheckReport:
    notebook: Path
    release: Path | None = None
    invalid: str = ""
    problems: list[Problem] = field(default_factory=list)
    tests: list[CellOutcome] = field(default_factory=list)
    written: dict[str, tuple[float, bool]] = field(default_factory=dict)   # grade_id -> (points, answered)
    open_answers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # cells stopped by the time limit, sys.exit, no memory
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.problems or self.open_answers or self.release is None
                    or any(t.status != "PASS" for t in self.tests))

    def text(self) -> str:
        if self.invalid:
            return (f"FAIL  {self.notebook.name} is not a valid notebook: {self.invalid}\n"
                    "      fix: File > Revert Notebook to Checkpoint in JupyterLab, or download the assignment again "
                    "and copy your answers over.")
        if self.release is None:
            return (f"FAIL  cannot tell which assignment {self.notebook.name} belongs to: name it with "
                    "--assignment, or keep the notebook's original file name.")
        lines = [f"Checking {self.notebook.name} against the release {self._where(self.release)}", "", "Structure"]
        lines += ["  OK    valid notebook; every graded cell in place"] if not self.problems else []
        for problem in self.problems:
            lines += [f"  FAIL  {problem.message}", f"        fix: {problem.fix}"]
        if self.tests:
            took = f"; {self.seconds:.0f} s" if self.seconds is not None else ""
            lines += ["", f"Visible tests (fresh kernel, top to bottom{took})"]
            for test in self.tests:
                lines.append(f"  {test.status:<5} {test.label}  [{test.grade_id}, {test.points:g} points]")
                if test.message:
                    lines.append(f"        {test.message}")
        lines += [f"  NOTE  {note}" for note in self.notes]
        open_code = [g for g in self.open_answers if g not in self.written]
        if open_code:
            lines += ["", "Answer cells still holding the stub: " + ", ".join(open_code)]
        if self.written:
            lines += ["", "Written answers (graded by hand)"]
            for grade_id, (points, answered) in self.written.items():
                lines.append(f"  {'DONE' if answered else 'TODO':<5} {grade_id} ({points:g} points)"
                             + ("" if answered else ": not answered yet"))
        lines += ["", self.summary()]
        return "\n".join(lines)

    def summary(self) -> str:
        passed = sum(t.status == "PASS" for t in self.tests)
        parts = [f"{passed} of {len(self.tests)} test cells pass their visible tests" if self.tests
                 else "visible tests not run"]
        if self.problems:
            parts.append(f"{len(self.problems)} structural problem(s) to fix")
        todo = sum(not answered for _, answered in self.written.values())
        if todo:
            parts.append(f"{todo} written answer(s) to do")
        verdict = "Ready to submit." if self.ok else "Not ready yet."
        return (f"Summary: {'; '.join(parts)}. {verdict}\nHidden tests run when your work is graded: they check "
                "the same ideas on other inputs, so solve the problem rather than the visible example.")

    @staticmethod
    def _where(path: Path) -> str:
        try:
            return str(path.relative_to(course_root()))
        except ValueError:
            return str(path)


def add_arguments(parser) -> None:
    parser.add_argument("notebook", help="the notebook you are about to submit")
    parser.add_argument("--assignment", help="the assignment it belongs to (default: found from the notebook)")
    parser.add_argument("--no-run", action="store_true", help="check the structure only; do not run the tests")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: the course's grading setting)")


def run(args) -> int:
    report = check_notebook(Path(args.notebook), args.assignment, execute=not args.no_run, timeout=args.timeout)
    print(report.text())
    return 0 if report.ok else 1


# --- finding the release ---------------------------------------------------------------------------

def find_release(nb: NotebookNode | None, path: Path, assignment: str | None = None,
                 root: Path | None = None) -> Path | None:
    """The release notebook that ``path`` is a copy of: by assignment and file name, else by grade ids."""
    exercises = (root or course_root()) / "exercises"
    candidates = sorted(exercises.glob(f"{assignment}/*.ipynb" if assignment else "*/*.ipynb"))
    if not candidates:
        return None
    named = [c for c in candidates if c.stem == path.stem]
    if named:
        return named[0]
    if assignment and len(candidates) == 1:
        return candidates[0]
    if nb is None:
        return None
    ids = {grade_id for grade_id, _ in tracked_cells(nb)}
    overlap = {c: len(ids & {g for g, _ in tracked_cells(read_notebook(c))}) for c in candidates}
    best = max(overlap, key=overlap.get)
    return best if overlap[best] else None


# --- checking ----------------------------------------------------------------------------------------

def check_notebook(path: Path, assignment: str | None = None, execute: bool = True,
                   timeout: int | None = None, root: Path | None = None) -> CheckReport:
    """Check ``path`` against its release in ``<root>/exercises`` (root: the course folder)."""
    report = CheckReport(path)
    try:
        nb = read_notebook(path)
    except ValueError as error:
        report.invalid = outputs.invalid_reason(error)
        return report
    report.release = find_release(nb, path, assignment, root)
    if report.release is None:
        return report
    release = read_notebook(report.release)
    report.problems = structure_problems(nb, release)
    report.open_answers = unanswered(nb, release)
    submitted = dict(tracked_cells(nb))
    for grade_id, cell in tracked_cells(release):
        if role(cell) == "written answer":
            report.written[grade_id] = (float(nbgrader_meta(cell).get("points", 0)),
                                        grade_id in submitted and grade_id not in report.open_answers)
    if execute:
        started = time.monotonic()
        executed = run_as_graded(nb, release, path.parent, timeout)
        report.seconds = time.monotonic() - started
        report.tests = visible_test_results(executed, release)
        report.notes = outputs.runtime_problems(path.stem, executed)
    return report


def as_graded(nb: NotebookNode, release: NotebookNode) -> NotebookNode:
    """The notebook as grading will see it: duplicates dropped, read-only and deleted test cells as released."""
    graded = copy.deepcopy(nb)
    dedupe_grade_ids(graded)
    released = dict(tracked_cells(release))
    for cell in graded.cells:
        original = released.get(grade_id_of(cell))
        if original is None:
            continue
        if nbgrader_meta(original).get("locked"):
            cell.source = original.source
        if cell.cell_type != original.cell_type:
            _retype(cell, original.cell_type)
    present = {grade_id_of(c) for c in graded.cells}
    previous = None
    for grade_id, original in released.items():
        if grade_id not in present and role(original) == "test cell":
            at = next((i for i, c in enumerate(graded.cells) if grade_id_of(c) == previous), len(graded.cells) - 1)
            graded.cells.insert(at + 1, copy.deepcopy(original))
            present.add(grade_id)
        previous = grade_id
    return graded


def _retype(cell: NotebookNode, cell_type: str) -> None:
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def run_as_graded(nb: NotebookNode, release: NotebookNode, folder: Path, timeout: int | None) -> NotebookNode:
    """Run a copy in a fresh kernel with the course's grading settings (the learner's file is not touched)."""
    from nbgrader.preprocessors import Execute, IgnorePattern
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound

    from mlops_course.instructor.course import load_course_config

    try:
        config = load_course_config()
    except (ConfigFileNotFound, OSError):  # the package without the course folder: nbgrader's defaults
        config = Config()
    if timeout:
        config.Execute.timeout = timeout
    # the kernel's own start-up notices are not about the learner's work
    config.Execute.extra_arguments = list(config.Execute.get("extra_arguments", [])) + ["--IPKernelApp.log_level=ERROR"]
    graded = as_graded(nb, release)
    resources = {"metadata": {"path": str(folder)}}
    # In the grading sandbox where this machine has it (an instructor checking a learner's file); on a
    # learner's own laptop without it, a plain kernel: it is their own code.
    executor = sandbox.SandboxedExecute if sandbox.availability()[0] else Execute
    graded, resources = executor(config=config).preprocess(graded, resources)
    graded, _ = IgnorePattern(config=config).preprocess(graded, resources)
    return graded


def visible_test_results(executed: NotebookNode, release: NotebookNode) -> list[CellOutcome]:
    from nbgrader.utils import determine_grade

    ran = {grade_id_of(c): c for c in executed.cells if grade_id_of(c)}
    found = []
    for grade_id, original in tracked_cells(release):
        if role(original) != "test cell":
            continue
        points = float(nbgrader_meta(original).get("points", 0))
        label = _label(original)
        cell = ran.get(grade_id)
        if cell is None:
            found.append(CellOutcome(grade_id, label, points, "NOT RUN", "this test cell is missing"))
            continue
        score, _ = determine_grade(cell)
        if score is not None and score >= points:
            found.append(CellOutcome(grade_id, label, points, "PASS"))
        else:
            found.append(CellOutcome(grade_id, label, points, "FAIL", outputs.failure(cell)[0]))
    return found


def _label(cell: NotebookNode) -> str:
    """The first line of a test cell says what it checks (a course rule); use it as the question's label."""
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return first.lstrip("#").strip() or grade_id_of(cell)
