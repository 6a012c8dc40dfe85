"""``mlops-course demo`` (``make grade-demo``): the instructor's whole job on a demo class.

Builds a seeded class of at least 30 students from the submission banks of every assignment that has
one (``demo_class.py``), then runs what an instructor runs in a term -- release check, collect,
autograde, feedback, export, report -- into ``build/grade-demo/`` and prints where everything is.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from mlops_course.instructor import autograde as grading
from mlops_course.instructor import collect, export, feedback, report, results
from mlops_course.instructor.course import Course
from mlops_course.instructor.demo_class import DUE, banked_assignments, build_class
from mlops_course.instructor.progress import clock
from mlops_course.instructor.release import release
from mlops_course.paths import course_root

DEFAULT_OUT = "build/grade-demo"


def add_arguments(parser) -> None:
    parser.add_argument("--out", default=DEFAULT_OUT, help="build folder, emptied first (default: %(default)s)")
    parser.add_argument("--students", type=int, default=30, help="size of the class (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20250314, help="seed of the class (default: %(default)s)")
    parser.add_argument("--banks", default="tests/banks", help="folder of submission banks (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=0, help="grading processes (default: one per core)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell (default: %(default)s)")
    parser.add_argument("--validate", action="store_true", help="also run nbgrader validate in the release check")


def run(args) -> int:
    out = _absolute(args.out)
    banks = _absolute(args.banks)
    summary = run_demo(out, banks, args.students, args.seed, grading.Options(workers=args.workers,
                                                                             timeout=args.timeout),
                       validate=args.validate)
    print(summary)
    return 0


def _absolute(path: str) -> Path:
    chosen = Path(path)
    return chosen if chosen.is_absolute() else course_root() / chosen


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def run_demo(out: Path, banks: Path, students: int, seed: int, options: grading.Options,
             validate: bool = False) -> str:
    if out.exists():
        shutil.rmtree(out)
    course = Course.at(out / "course")
    started = _step("1/6 release check: exercises/ equals a fresh regeneration of solutions/; no leaks")
    names = banked_assignments(course, banks)
    problems = release(course, names, check_only=True, validate=validate)
    for problem in problems:
        print(f"  - {problem}")

    _step(f"2/6 a demo class of {students} students, from {banks}")
    demo = build_class(course, banks, out / "inbox", students=students, seed=seed)
    print(f"  {len(demo.kinds)} hand-ins of {', '.join(demo.assignments)} in {demo.inbox} "
          f"(nbgrader layout and a platform zip)")

    _step(f"3/6 collect (due {DUE:%Y-%m-%d %H:%M} UTC)")
    placed, skipped = collect.plan(course, demo.sources)
    for line in collect.collect(course, placed, due=DUE):
        if line.startswith("LATE") or "\nLATE" in line:
            print("  " + line.split("\n")[-1])
    for where, why in skipped:
        print(f"  skipped {where}: {why}")
    print(f"  {len(placed)} submissions placed in {course.submitted}")

    grading_started = _step("4/6 autograde")
    graded, skipped_records, seconds = grading.autograde(course, demo.assignments, options=options)
    grading.print_summary(graded, skipped_records, seconds, options)
    grading_seconds = time.monotonic() - grading_started

    _step("5/6 feedback")
    pages, feedback_problems = feedback.generate_feedback(course, demo.assignments)
    for problem in feedback_problems:
        print(f"  - {problem}")
    print(f"  {pages} feedback pages in {course.feedback}")

    _step("6/6 export and report")
    grades = export.gather(course, demo.assignments)
    files = export.write_exports(grades, out)
    page = report.write_report(grades, results.load_all(course.results, demo.assignments), out / "report.html")
    return "\n".join([
        "",
        f"Demo done in {clock(time.monotonic() - started)} (autograding {clock(grading_seconds)}).",
        f"  class report:  {page}",
        f"  grades:        {', '.join(str(f) for f in files)}",
        f"  feedback:      {course.feedback}/<student>/index.html",
        f"  gradebook:     {course.gradebook} (open the formgrader with MLOPS_COURSE_WORKDIR={course.workdir})",
        "  release check: " + ("OK" if not problems else f"{len(problems)} problem(s), listed above"),
    ])
