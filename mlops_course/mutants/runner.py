"""Run the mutants of one assignment in one kernel, question by question, in notebook order.

The kernel runs the solution notebook as nbgrader would, top to bottom, but stops at each question:

1. it runs the original cells up to the question's last test cell, checks that every test cell of the
   question gives full marks (else the question is reported as broken and its mutants are not run), and
   takes the fingerprint of the state;
2. for each mutant it runs the mutated answer cell and then the question's other cells (see
   ``questions``), and scores the test cells: the mutant is *killed* when one of them gives less than its
   points, errs, writes to stderr, runs out of time or kills the kernel;
3. it re-runs the original answer cell and the other non-test cells of the question, and compares the
   fingerprint. If the state differs, or the kernel died or would not stop, a fresh kernel replays the
   notebook up to the question.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.mutants.kernel import Kernel, score
from mlops_course.mutants.operators import Mutant, mutants_of
from mlops_course.mutants.questions import Question, load, points

MIN_TIMEOUT = 20.0  # seconds a mutant may take at least (the machine may be busy)
TIMEOUT_FACTOR = 10.0  # ... or this many times what the original cells took


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    why: str  # which test cell caught it and how, or "survived"
    equivalent: bool = False
    seconds: float = 0.0


@dataclass
class QuestionReport:
    question: str
    tests: list[str]
    outcomes: list[Outcome] = field(default_factory=list)
    broken: str = ""  # the original solution does not pass its own tests: nothing was run


@dataclass
class AssignmentReport:
    assignment: str
    notebook: str
    questions: list[QuestionReport] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)  # equivalence entries that match no mutant
    seconds: float = 0.0
    restarts: int = 0


def _grade_id(cell) -> str:
    return cell.metadata["nbgrader"]["grade_id"]


class Runner:
    """Mutants of one solution notebook, run in one kernel."""

    def __init__(self, path: Path, *, timeout: float | None = None, log=print):
        self.path = Path(path)
        self.nb, self.questions = load(self.path)
        self.timeout = timeout
        self.log = log
        self.kernel: Kernel | None = None
        self.done = -1  # index of the last cell the kernel has run in original form

    def mutants(self, question: Question) -> list[Mutant]:
        return mutants_of(question.grade_id, self.nb.cells[question.answer].source)

    # -- running cells
    def _code(self, index: int) -> str:
        return self.nb.cells[index].source

    def _advance(self, upto: int):
        """Run the original code cells after the last one run, up to ``upto``."""
        for index in range(self.done + 1, upto + 1):
            if self.nb.cells[index].cell_type == "code":
                self.kernel.run(self._code(index), timeout=600)
        self.done = max(self.done, upto)

    def _replay(self, upto: int):
        self.log(f"    fresh kernel, replaying cells 0..{upto}")
        self.kernel.restart()
        self.done = -1
        self._advance(upto)

    def _baseline(self, question: Question) -> tuple[str, float]:
        """Run the question's original cells once more; '' if all its tests give full marks, else why not."""
        start = time.monotonic()
        for index in question.run:
            run = self.kernel.run(self._code(index), timeout=600)
            cell = self.nb.cells[index]
            if index in question.tests and score(cell, run) < points(cell):
                return f"{_grade_id(cell)} fails on the solution itself: {_first_error(run)}", 0.0
        return "", time.monotonic() - start

    def _try(self, question: Question, mutant: Mutant, budget: float) -> tuple[bool, str, bool]:
        """Run one mutant: (killed, why, kernel needs a restart)."""
        deadline = time.monotonic() + budget
        why, killed, broken = "survived", False, False
        if question.fresh_names:
            self.kernel.run(f"for _mutants_name in {sorted(question.fresh_names)!r}: globals().pop(_mutants_name, None)", 30,
                            history=False)
        for index in question.run:
            code = mutant.source if index == question.answer else self._code(index)
            run = self.kernel.run(code, timeout=max(1.0, deadline - time.monotonic()))
            if run.timed_out or run.died:
                # an interrupted kernel is restored like any other; a dead or deaf one is replaced
                return True, "timed out" if run.timed_out else "the kernel died", run.died
            cell = self.nb.cells[index]
            if index in question.tests and not killed:
                earned = score(cell, run)
                if earned < points(cell):
                    killed, why = True, f"{_grade_id(cell)}: {earned:g}/{points(cell):g} ({_first_error(run)})"
        return killed, why, broken

    def _restore(self, question: Question, expected: dict | None) -> str:
        """Re-run the original non-test cells of the question; '' if the state is as before the mutant, else why not."""
        for index in question.run:
            if index not in question.tests:
                run = self.kernel.run(self._code(index), timeout=600)
                if run.died or run.timed_out:
                    return "the original cells did not run again"
        now = self.kernel.fingerprint(question.test_names)
        if expected is None or now is None:
            return "the state could not be read"
        changed = sorted(name for name in set(expected) | set(now) if expected.get(name) != now.get(name))
        return f"changed in place: {', '.join(changed)}" if changed else ""

    # -- the whole assignment
    def run(self, *, only: set[str] | None = None, limit: int | None = None,
            equivalent: set[str] = frozenset()) -> AssignmentReport:
        report = AssignmentReport(self.path.parent.name, str(self.path))
        started = time.monotonic()
        # The kernel works in a copy of the notebook's folder, as nbgrader's autograder does: whatever a
        # mutant writes stays out of solutions/.
        with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
            folder = Path(scratch) / self.path.parent.name
            shutil.copytree(self.path.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            self.kernel = Kernel(str(folder))
            try:
                for question in self.questions:
                    if only and question.grade_id not in only:
                        continue
                    report.questions.append(self._question(question, limit, equivalent))
            finally:
                report.restarts = self.kernel.restarts
                self.kernel.shutdown()
        report.seconds = time.monotonic() - started
        return report

    def _question(self, question: Question, limit, equivalent) -> QuestionReport:
        tests = [_grade_id(self.nb.cells[i]) for i in question.tests]
        result = QuestionReport(question.grade_id, tests)
        self._advance(question.answer - 1)
        result.broken, took = self._baseline(question)
        self.done = question.last
        if result.broken:
            self.log(f"  {question.grade_id}: {result.broken}")
            if not self.kernel.km.is_alive():  # the solution itself killed it: the next question needs one
                self._replay(question.last)
            return result
        expected = self.kernel.fingerprint(question.test_names)
        budget = self.timeout or max(MIN_TIMEOUT, TIMEOUT_FACTOR * took)
        mutants = self.mutants(question)[:limit] if limit else self.mutants(question)
        for mutant in mutants:
            start = time.monotonic()
            killed, why, broken = self._try(question, mutant, budget)
            trouble = "the kernel died or would not stop" if broken else self._restore(question, expected)
            if trouble:
                self.log(f"    {mutant.id}: {trouble}")
                self._replay(question.last)
                expected = self.kernel.fingerprint(question.test_names)
            result.outcomes.append(Outcome(mutant, killed, why, mutant.key in equivalent,
                                           time.monotonic() - start))
        killed = sum(o.killed for o in result.outcomes)
        self.log(f"  {question.grade_id}: {killed}/{len(result.outcomes)} killed ({len(result.outcomes)} mutants)")
        return result


def _first_error(run) -> str:
    """A one-line account of why a cell failed."""
    if run.timed_out:
        return "timed out"
    if run.died:
        return "the kernel died"
    for output in run.outputs:
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"[:160].splitlines()[0] if output.evalue else output.ename
        if output.output_type == "stream" and output.name == "stderr":
            return "stderr: " + output.text.strip()[:120].replace("\n", " ")
    return "partial credit"
