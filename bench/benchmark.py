"""Benchmark: the parallel grader against plain serial ``nbgrader autograde``, and notebook run times.

    python bench/benchmark.py                 # or: make bench
    python bench/benchmark.py --skip-notebooks --students 40

1. Builds the seeded demo class of ``mlops-course demo`` (every assignment with a submission bank) and
   grades it twice on this machine, with the same per-cell timeout:
   - serial: ``nbgrader autograde <assignment>`` -- one process, one submission after the other -- in an
     nbgrader course per assignment that ``generate_assignment`` prepared (that step is not timed);
   - parallel: ``mlops-course autograde`` (one worker per core), timed with its own preparation.
   It prints both times, their ratio and the seconds per submission.
2. Runs every chapter and solution notebook top to bottom in a fresh kernel and prints its time against
   the budgets of DESIGN.md (30 s per chapter, 20 s per solution).

It prints figures only; nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from mlops_course.grading.scratch_course import ScratchCourse, nbgrader_environment
from mlops_course.instructor import autograde as grading
from mlops_course.instructor import collect
from mlops_course.instructor.course import Course
from mlops_course.instructor.demo_class import DUE, build_class
from mlops_course.paths import course_root

BUDGETS = {"chapters": 30.0, "solutions": 20.0}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/bench", help="scratch folder, emptied first (default: %(default)s)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20250314)
    parser.add_argument("--banks", default="tests/banks")
    parser.add_argument("--workers", type=int, default=0, help="parallel workers (default: one per core)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell, for both graders")
    parser.add_argument("--skip-grading", action="store_true")
    parser.add_argument("--skip-notebooks", action="store_true")
    return parser.parse_args(argv)


def serial_nbgrader(course: Course, out: Path, assignments: list[str], timeout: int) -> tuple[float, int]:
    """Plain ``nbgrader autograde``, one assignment after the other; returns (seconds, submissions)."""
    seconds, count = 0.0, 0
    for assignment in assignments:
        # stock nbgrader: no sandbox, no planted checks
        scratch = ScratchCourse(assignment, source_dir=course.source_dir(assignment), workdir=out / assignment,
                                sandbox_mode=None)
        for student in course.submitted_students(assignment):
            shutil.copytree(course.submitted / student / assignment, scratch.root / "submitted" / student / assignment)
            count += 1
        command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force",
                   f"--Execute.timeout={timeout}"]
        started = time.monotonic()
        subprocess.run(command, cwd=scratch.root, capture_output=True, env=nbgrader_environment())
        seconds += time.monotonic() - started
        print(f"  serial nbgrader, {assignment}: {time.monotonic() - started:.1f} s", flush=True)
    return seconds, count


def benchmark_grading(args, out: Path) -> None:
    course = Course.at(out / "parallel")
    demo = build_class(course, course_root() / args.banks, out / "inbox", students=args.students, seed=args.seed)
    placed, _ = collect.plan(course, demo.sources)
    collect.collect(course, placed, due=DUE)
    workers = args.workers or grading.default_workers()
    print(f"Demo class: {len(demo.students)} students, {len(placed)} submissions of {', '.join(demo.assignments)}; "
          f"per-cell timeout {args.timeout} s; {grading.default_workers()} core(s)\n", flush=True)

    serial, count = serial_nbgrader(course, out / "serial", demo.assignments, args.timeout)

    started = time.monotonic()
    templates = grading.prepare_templates(course, demo.assignments)
    prepared = time.monotonic() - started
    graded, _, _ = grading.autograde(course, demo.assignments, options=grading.Options(
        workers=workers, timeout=args.timeout, force=True))
    parallel = time.monotonic() - started
    assert len(templates) == len(demo.assignments) and len(graded) == count

    print(f"\nserial nbgrader autograde: {serial:7.1f} s  ({serial / count:.2f} s per submission)")
    print(f"parallel, {workers} worker(s):    {parallel:7.1f} s  ({parallel / count:.2f} s per submission; "
          f"{prepared:.1f} s of it preparing the nbgrader templates)")
    print(f"ratio serial / parallel:   {serial / parallel:7.2f}x")


def notebook_times() -> None:
    from nbclient import NotebookClient

    root = course_root()
    print(f"\n{'notebook':<55} {'seconds':>8}  budget")
    for kind, pattern in (("chapters", "chapters/*.ipynb"), ("solutions", "solutions/*/*.ipynb")):
        for path in sorted(root.glob(pattern)):
            nb = nbformat.read(str(path), as_version=4)
            client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            started = time.monotonic()
            try:
                client.execute()
                note = ""
            except Exception as error:  # report and go on: this is a measurement, not a test
                note = f"  (failed: {type(error).__name__})"
            took = time.monotonic() - started
            verdict = "ok" if took <= BUDGETS[kind] else "OVER"
            print(f"{str(path.relative_to(root)):<55} {took:8.1f}  {verdict} (<= {BUDGETS[kind]:.0f} s){note}",
                  flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out) if Path(args.out).is_absolute() else course_root() / args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if not args.skip_grading:
        benchmark_grading(args, out)
    if not args.skip_notebooks:
        notebook_times()
    return 0


if __name__ == "__main__":
    sys.exit(main())
