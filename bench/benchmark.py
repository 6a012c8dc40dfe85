"""Benchmark: the parallel grader against plain serial ``nbgrader autograde``, where the time goes, and
notebook run times.

    python bench/benchmark.py                 # or: make bench
    python bench/benchmark.py --no-slow --skip-notebooks --students 40

1. Builds the seeded demo class of ``mlops-course demo`` (every assignment with a submission bank) and
   grades it on this machine, with the same per-cell timeout:
   - serial: ``nbgrader autograde <assignment>`` -- one process, one submission after the other -- in an
     nbgrader course per assignment that ``generate_assignment`` prepared (that step is not timed); half of
     the hand-ins (every other one of each assignment) before the parallel grading and the other half after
     it, so that both sides see the same machine even when its speed drifts; the endless-loop hand-in in a
     run of its own, so both totals come from the same run;
   - parallel: ``mlops-course autograde`` (one worker per core, warm kernels), without the endless-loop
     hand-in and, unless ``--no-slow``, again with it; its grading templates (``generate_assignment`` once per
     assignment, reused while the assignment does not change) are built before, and their time printed;
   - bare: every hand-in (but the endless loop) run top to bottom in a warm kernel, as many at a time as
     there are workers, without nbgrader, as nbgrader would run it: its test cells with their hidden tests;
     once just before the parallel grading and once just after, so that a machine that speeds up or slows
     down during the run (it does, by up to 15-20 % from one minute to the next) moves both sides alike:
     grading is compared with the mean of the two.
   It prints the times, the ratios serial / parallel, grading / bare execution, and per hand-in on average
   where the time went: kernel start, imports (the set-up cell), the learner's cells, the test cells, the
   planted tamper checks, nbgrader's own work and the merge into the course gradebook; and grading / bare
   once more without the planted checks, the one part of grading safely that is extra code in the kernel,
   and once more on the hand-ins that grading ran as handed in (a crashed kernel is graded again, a broken
   cell repaired: their bare runs are not the same work).
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
    parser.add_argument("--no-slow", action="store_true",
                        help="leave out the endless-loop hand-in (its per-cell timeout hides the rest)")
    parser.add_argument("--cold", action="store_true", help="also grade with cold kernels (--no-warm), for comparison")
    parser.add_argument("--skip-grading", action="store_true")
    parser.add_argument("--skip-notebooks", action="store_true")
    return parser.parse_args(argv)


SLOW_KIND = "endless loop"


def serial_halves(course: Course, assignments: list[str], slow: set[tuple[str, str]]) -> list[dict]:
    """Every assignment's hand-ins but the endless loops, in two alternate halves: {assignment: students}."""
    students = {a: [s for s in course.submitted_students(a) if (s, a) not in slow] for a in assignments}
    return [{a: names[0::2] for a, names in students.items()}, {a: names[1::2] for a, names in students.items()}]


def serial_courses(course: Course, out: Path, assignments: list[str]) -> dict[str, ScratchCourse]:
    """An nbgrader course per assignment for serial nbgrader (``generate_assignment``, not timed); stock
    nbgrader: no sandbox, no planted checks."""
    return {a: ScratchCourse(a, source_dir=course.source_dir(a), workdir=out / a, sandbox_mode=None)
            for a in assignments}


def serial_nbgrader(course: Course, scratches: dict[str, ScratchCourse], part: dict[str, list[str]], timeout: int,
                    label: str) -> float:
    """Plain ``nbgrader autograde`` of ``part`` ({assignment: students}), one assignment after the other,
    one process each, one submission after the other; returns the seconds."""
    seconds = 0.0
    for assignment, students in part.items():
        if students:
            took = _serial_run(course, scratches[assignment], assignment, students, timeout)
            seconds += took
            print(f"  serial nbgrader, {assignment}, {label}, {len(students)} hand-in(s): {took:.1f} s", flush=True)
    return seconds


def _serial_run(course: Course, scratch: ScratchCourse, assignment: str, students: list[str], timeout: int) -> float:
    shutil.rmtree(scratch.root / "submitted", ignore_errors=True)
    for student in students:
        shutil.copytree(course.submitted / student / assignment, scratch.root / "submitted" / student / assignment)
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", f"--Execute.timeout={timeout}"]
    started = time.monotonic()
    subprocess.run(command, cwd=scratch.root, capture_output=True, env=nbgrader_environment())
    return time.monotonic() - started


def _by_assignment(keys: set[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for student, assignment in sorted(keys):
        found.setdefault(assignment, []).append(student)
    return found


def parallel(course: Course, assignments: list[str], workers: int, timeout: int, warm: bool) -> tuple[float, list]:
    """``mlops-course autograde`` of every submission (templates built already); returns (seconds, results)."""
    started = time.monotonic()
    graded, _, _ = grading.autograde(course, assignments, options=grading.Options(
        workers=workers, timeout=timeout, force=True, warm=warm))
    return time.monotonic() - started, graded


def bare_warm_execution(course: Course, assignments: list[str], workers: int, timeout: int) -> dict:
    """Each hand-in run top to bottom in a warm kernel, ``workers`` at a time: {(student, assignment): s}."""
    from concurrent.futures import ProcessPoolExecutor

    from mlops_course.grading import warm

    jobs = [(student, assignment, str(path)) for assignment in assignments
            for student in course.submitted_students(assignment)
            for path in sorted((course.submitted / student / assignment).glob("*.ipynb"))]
    sources = {assignment: course.source_dir(assignment) for assignment in assignments}
    with warm.WarmServer.start(assignments=assignments) as server, ProcessPoolExecutor(workers) as pool:
        times = pool.map(_run_bare, [(path, sources[assignment] / Path(path).name, server.address, timeout)
                                     for _, assignment, path in jobs])
        found: dict = {}
        for (student, assignment, _), took in zip(jobs, times):
            if took is not None:
                found[(student, assignment)] = found.get((student, assignment), 0.0) + took
        return found


def _run_bare(job) -> float | None:
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    from mlops_course.grading import sandbox

    path, source, address, timeout = job
    try:
        nb = as_graded(nbformat.read(path, as_version=4), nbformat.read(str(source), as_version=4))
    except Exception:  # an unreadable hand-in has nothing to run
        return None
    manager = sandbox.SandboxedKernelManager(warm_server=address)
    client = NotebookClient(nb, timeout=timeout, km=manager, allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    started = time.monotonic()
    try:
        client.execute()
    except Exception:  # a crashing hand-in: its time until then
        pass
    finally:
        # nbclient leaves running the kernel of a manager it was given; shut it down as grading does
        # (sandbox.configure: immediately), and charge that to the bare run as grading is charged for it
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    return time.monotonic() - started


def as_graded(nb, source):
    """The hand-in as nbgrader runs it: its read-only cells (the tests with their hidden part, the set-up)
    replaced by the source's, as nbgrader's OverwriteCells does; no planted checks, no grading."""
    locked = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in source.cells
              if cell.metadata.get("nbgrader", {}).get("locked")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in locked:
            cell.source = locked[grade_id]
    return nb


PARTS = (("kernel_start", "kernel start"), ("imports", "imports (the set-up cell)"),
         ("learner_cells", "the learner's cells"), ("test_cells", "test cells"),
         ("planted_checks", "planted tamper checks"),
         ("nbgrader", "nbgrader's own work"), ("merge", "merge into the gradebook"))


def print_breakdown(results: list) -> None:
    graded = [r for r in results if r.timings]
    if not graded:
        return
    print(f"  where the time goes, per hand-in on average ({len(graded)} hand-ins; seconds of one worker):")
    mean = {key: sum(r.timings.get(key, 0.0) for r in graded) / len(graded) for key, _ in PARTS}
    for key, label in PARTS:
        print(f"    {label:<40} {mean[key]:6.2f} s")
    whole = sum(r.seconds for r in graded) / len(graded)
    # the merge runs in the batch's own process, after the grading process has ended
    rest = whole - sum(seconds for key, seconds in mean.items() if key != "merge")
    print(f"    {'the rest (workspace, review, scores)':<40} {rest:6.2f} s")
    print(f"    {'whole grading process':<40} {whole:6.2f} s")


def print_against_bare(results: list, before: dict, after: dict, workers: int) -> None:
    """Grading time per hand-in against the bare runs just before and just after it, of the same hand-ins."""
    graded = [r for r in results if (r.student, r.assignment) in before and (r.student, r.assignment) in after]
    if not graded:
        return
    grading_time = sum(r.seconds for r in graded) / len(graded)
    before_time, after_time = (sum(run[(r.student, r.assignment)] for r in graded) / len(graded)
                               for run in (before, after))
    bare_time = (before_time + after_time) / 2
    print(f"  bare run (with the hidden tests) in a warm kernel, {workers} at a time: {before_time:.2f} s per "
          f"hand-in just before grading, {after_time:.2f} s just after, {bare_time:.2f} s on average")
    print(f"  grading / bare: {grading_time / bare_time:.2f}x  ({grading_time:.2f} s against {bare_time:.2f} s, "
          f"{len(graded)} hand-ins)")
    planted = sum(r.timings.get("planted_checks", 0.0) for r in graded) / len(graded)
    print(f"  grading / bare without the planted tamper checks ({planted:.2f} s per hand-in): "
          f"{(grading_time - planted) / bare_time:.2f}x")
    # A hand-in that grading had to repair runs differently from its bare run: a kernel that died is graded
    # again without the crashing cell (its bare run stops at the crash), a cell turned into markdown runs again
    # as code. Compared alone, the others show what grading costs where both run the same cells.
    plain = [r for r in graded if not r.reasons]
    if plain and len(plain) < len(graded):
        plain_grading = sum(r.seconds for r in plain) / len(plain)
        plain_bare = sum((before[(r.student, r.assignment)] + after[(r.student, r.assignment)]) / 2
                         for r in plain) / len(plain)
        print(f"  grading / bare of the {len(plain)} hand-ins graded as handed in (nothing repaired or run again): "
              f"{plain_grading / plain_bare:.2f}x  ({plain_grading:.2f} s against {plain_bare:.2f} s)")


def benchmark_grading(args, out: Path) -> None:
    course = Course.at(out / "parallel")
    demo = build_class(course, course_root() / args.banks, out / "inbox", students=args.students, seed=args.seed)
    placed, _ = collect.plan(course, demo.sources)
    collect.collect(course, placed, due=DUE)
    workers = args.workers or grading.default_workers()
    slow = {key for key, kind in demo.kinds.items() if kind == SLOW_KIND}
    print(f"Demo class: {len(demo.students)} students, {len(placed)} submissions of {', '.join(demo.assignments)} "
          f"({len(slow)} with an endless loop); per-cell timeout {args.timeout} s; {grading.default_workers()} "
          f"core(s), {workers} worker(s)\n", flush=True)

    # Serial grades one half of the hand-ins before the parallel grader and the other half after it, as
    # the bare runs bracket the grading: a machine whose speed drifts during the run moves both sides alike.
    scratches = serial_courses(course, out / "serial", demo.assignments)
    halves = serial_halves(course, demo.assignments, slow)
    count = sum(len(students) for half in halves for students in half.values())
    serial = serial_nbgrader(course, scratches, halves[0], args.timeout, "first half")
    serial_slow = serial_nbgrader(course, scratches, _by_assignment(slow), args.timeout, "endless loop")
    aside = out / "slow-hand-ins"
    for student, assignment in slow:  # graded separately below
        (aside / student).mkdir(parents=True, exist_ok=True)
        shutil.move(str(course.submitted / student / assignment), str(aside / student / assignment))
    began = time.monotonic()
    grading.prepare_templates(course, demo.assignments)
    print(f"  grading templates built once (nbgrader generate_assignment; serial's is not timed either): "
          f"{time.monotonic() - began:.1f} s", flush=True)
    bare_before = bare_warm_execution(course, demo.assignments, workers, args.timeout)
    quick, quick_results = parallel(course, demo.assignments, workers, args.timeout, warm=True)
    bare_after = bare_warm_execution(course, demo.assignments, workers, args.timeout)
    serial += serial_nbgrader(course, scratches, halves[1], args.timeout, "second half")
    cold = parallel(course, demo.assignments, workers, args.timeout, warm=False)[0] if args.cold else None
    for student, assignment in slow:
        shutil.move(str(aside / student / assignment), str(course.submitted / student / assignment))
    assert len(quick_results) == count

    print(f"\nWithout the endless loop ({count} hand-ins):")
    print(f"  serial nbgrader autograde: {serial:7.1f} s  ({serial / count:.2f} s per submission)")
    print(f"  parallel, warm kernels:    {quick:7.1f} s  ({quick / count:.2f} s per submission)")
    if cold is not None:
        print(f"  parallel, cold kernels:    {cold:7.1f} s  ({cold / count:.2f} s per submission)")
    print(f"  ratio serial / parallel:   {serial / quick:7.2f}x")
    print_breakdown(quick_results)
    print_against_bare(quick_results, bare_before, bare_after, workers)
    if args.no_slow or not slow:
        return
    everything, results = parallel(course, demo.assignments, workers, args.timeout, warm=True)
    total = count + len(slow)
    print(f"\nWith the endless loop ({total} hand-ins):")
    print(f"  serial nbgrader autograde: {serial + serial_slow:7.1f} s  ({(serial + serial_slow) / total:.2f} s per "
          f"submission)")
    print(f"  parallel, warm kernels:    {everything:7.1f} s  ({everything / total:.2f} s per submission)")
    print(f"  ratio serial / parallel:   {(serial + serial_slow) / everything:7.2f}x")


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
