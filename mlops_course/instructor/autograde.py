"""``mlops-course autograde``: grade every submission in parallel, safely, with a progress bar.

Stock ``nbgrader autograde`` grades one submission after the other in one process, and a submission
that breaks nbgrader ends up with no grade at all. Here:

1. a *template* per assignment -- an nbgrader course whose gradebook ``generate_assignment`` filled --
   is built once (and reused while ``solutions/`` and the grader configuration do not change);
2. every submission is graded by nbgrader's ``Autograde`` in a process of its own, in a private copy of
   the template (``worker.py``), one process per core at a time;
3. this process alone writes the course gradebook: it merges each private gradebook as soon as its
   submission is done, and keeps a record with the reasons and the time (``results.py``).

Re-running grades only what changed: a submission is skipped while its files, the assignment and the
grading options are the same as when it was last graded (``--force`` regrades).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mlops_course.grading import sandbox
from mlops_course.grading.scratch_course import ScratchCourse
from mlops_course.instructor import gradebook, nbgrader_tuning, results
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments
from mlops_course.instructor.progress import ProgressBar, clock, duration
from mlops_course.instructor.results import FAILED, GRADED, Result
from mlops_course.instructor.worker import Task, run_task
from mlops_course.paths import grader_dir


# Imported once by the process that starts the graders, so each grading process starts warm.
WARM_MODULES = ["mlops_course.instructor.grading_preload"]


def process_context():
    """Where grading processes come from.

    ``forkserver`` (POSIX): a clean, single-threaded server that has imported nbgrader once forks each
    grader, so starting one is cheap, and safe even when this process runs threads (plain ``fork`` is
    not). Elsewhere, ``spawn``.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WARM_MODULES)
    return context


def start_forkserver(context, template: Path) -> None:
    """Start the forkserver now, so that its imports and its rehearsal of grading with ``template``
    (``worker.rehearse``) overlap the start of the warm kernel server. A forkserver already running (an
    earlier batch of this process) is kept: what it prepared holds for any assignment."""
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    from mlops_course.instructor.worker import REHEARSAL_VARIABLE

    before = os.environ.get(REHEARSAL_VARIABLE)
    os.environ[REHEARSAL_VARIABLE] = str(template)  # the server's environment is this process's, at its start
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ[REHEARSAL_VARIABLE]
        else:
            os.environ[REHEARSAL_VARIABLE] = before


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class Options:
    workers: int = 0            # 0: one per core
    timeout: int | None = None  # seconds per cell; None: the course configuration's
    memory_mb: int = 4096
    max_time: int = 900         # seconds per submission before its process tree is killed
    force: bool = False
    sandbox: str = "auto"       # grading.sandbox mode: auto, required or off
    cluster: str | None = None  # a Dask scheduler address or local:N (cluster.py); None: this machine
    warm: bool = True           # warm kernels (grading.warm) where the sandbox is available


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments to grade (default: all that have submissions)")
    add_workdir_argument(parser)
    parser.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    parser.add_argument("--workers", type=int, default=0,
                        help=f"submissions graded at the same time (default: one per core, here {default_workers()})")
    parser.add_argument("--timeout", type=int, metavar="SECONDS",
                        help="time limit per cell; a cell running longer is interrupted and scores 0 "
                             "(default: the course configuration's Execute.timeout)")
    parser.add_argument("--memory", type=int, default=Options.memory_mb, metavar="MB",
                        help="memory (address space) limit of each grading process and its kernel; 0 for none "
                             "(default: %(default)s; Linux)")
    parser.add_argument("--max-time", type=int, default=Options.max_time, metavar="SECONDS",
                        help="stop grading a submission after this long, whatever it does (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="regrade submissions that did not change since last time")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default=Options.sandbox,
                        help="run learners' code in the operating-system sandbox: auto (where this machine offers "
                             "it, with a warning where not), required (refuse to grade without it), off (trusted "
                             "notebooks only) (default: %(default)s)")
    add_cluster_argument(parser)
    add_warm_argument(parser)


def add_cluster_argument(parser) -> None:
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="grade on a Dask distributed cluster: a scheduler's address (tcp://HOST:8786), or "
                             "local:N to start N worker processes on this machine for the batch; the gradebook is "
                             "still written here only")


def add_warm_argument(parser) -> None:
    import argparse

    parser.add_argument("--warm", action=argparse.BooleanOptionalAction, default=True,
                        help="fork every kernel from a server that has imported the course's libraries once, each in "
                             "namespaces and file systems of its own (default: on where the sandbox is available); "
                             "--no-warm starts every kernel from scratch")


def run(args) -> int:
    course = Course.from_args(args)
    options = Options(args.workers, args.timeout, args.memory, args.max_time, args.force, args.sandbox,
                      cluster=getattr(args, "cluster", None), warm=getattr(args, "warm", True))
    refusal = sandbox_refusal(options)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    names = chosen_assignments(course, args.assignment) if args.assignment else course.submitted_assignments()
    if not names:
        print(f"no submissions in {course.submitted}; put them there with `mlops-course collect`")
        return 1
    try:
        graded, skipped, seconds = autograde(course, names, args.student, options)
    except cluster_error() as error:
        print(error, file=sys.stderr)
        return 2
    print_summary(graded, skipped, seconds, options)
    return 0


def sandbox_refusal(options: Options) -> str | None:
    """Why grading must not start (``--sandbox=required`` on a machine without the sandbox), else None."""
    available, why = sandbox.availability()
    if options.sandbox == "required" and not available:
        return f"not grading: --sandbox=required, but {why}"
    return None


def warn_about_sandbox(options: Options, stream) -> None:
    """Once per batch, loudly: what protection is missing when learners' code runs without the sandbox."""
    if options.sandbox == "off":
        print("WARNING: --sandbox=off: learners' code runs with your rights. Grade only trusted notebooks.",
              file=stream)
        return
    warning = sandbox.missing_protection_warning()
    if warning:
        print(warning, file=stream)


# --- the batch ---------------------------------------------------------------------------------------

def autograde(course: Course, assignments: list[str], students: list[str] | None = None,
              options: Options = Options(), stream=None) -> tuple[list[Result], list[Result], float]:
    """Grade the submissions of ``assignments``; returns (graded now, skipped as unchanged, wall seconds)."""
    started = time.monotonic()
    refusal = sandbox_refusal(options)
    if refusal:
        raise sandbox.SandboxUnavailable(refusal)
    grade_all = grader(options)
    warn_about_sandbox(options, stream or sys.stderr)
    nbgrader_tuning.reuse_engines()  # the merges into the course gradebook share one engine
    course.workdir.mkdir(parents=True, exist_ok=True)
    templates = prepare_templates(course, assignments)
    todo, skipped = [], []
    for assignment in assignments:
        for student in course.submitted_students(assignment):
            if students and student not in students:
                continue
            digest = input_hash(course, assignment, student, templates[assignment], options)
            previous = results.load(course.results, assignment, student)
            if not options.force and previous and previous.input_hash == digest and (
                    previous.status == FAILED or gradebook.has_submission(course.db_url, assignment, student)):
                skipped.append(previous)
            else:
                todo.append((assignment, student, digest))
    scratch = Path(tempfile.mkdtemp(prefix="grading-", dir=course.workdir))
    try:
        graded = grade_all(course, todo, templates, options, scratch, stream or sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return graded, skipped, time.monotonic() - started


def grader(options: Options):
    """How the batch is graded: on this machine, or on a Dask cluster (``cluster.py``)."""
    if not options.cluster:
        return _grade_all
    from mlops_course.instructor import cluster

    cluster.parse(options.cluster)  # a bad address fails here, before any work
    return cluster.grade_all


def cluster_error():
    from mlops_course.instructor.cluster import ClusterError

    return ClusterError


def _grade_all(course: Course, todo, templates, options: Options, scratch: Path, stream) -> list[Result]:
    workers = options.workers or default_workers()
    context = process_context()
    queue = deque(Task(student, assignment, course.submitted / student / assignment, templates[assignment],
                       scratch / f"{assignment}--{student}", options.timeout, options.memory_mb, digest,
                       single_threaded=workers > 1, environment=dict(os.environ), sandbox=options.sandbox)
                  for assignment, student, digest in todo)
    bar = ProgressBar(len(queue), label="grading ", stream=stream)
    running, graded = {}, []
    if queue:
        start_forkserver(context, templates[queue[0].assignment])
    kernels = WarmKernels(options, stream, {assignment for assignment, _, _ in todo}) if queue else None

    def start_more() -> None:
        while queue and len(running) < workers:
            task = queue.popleft()
            task.warm = kernels.address()
            process = context.Process(target=run_task, args=(task,), daemon=True)
            process.start()
            running[process.sentinel] = (process, task, time.monotonic())

    try:
        while queue or running:
            start_more()
            done = [(running.pop(sentinel), time.monotonic())
                    for sentinel in multiprocessing.connection.wait(list(running), timeout=1.0)]
            start_more()  # the freed workers start on the next hand-ins while this process merges
            for (process, task, began), ended in done:
                process.join()
                graded.append(_finish(course, task, process.exitcode, ended - began, bar))
            for sentinel, (process, task, began) in list(running.items()):
                if time.monotonic() - began > options.max_time:
                    kill_tree(process.pid)
                    process.join()
                    del running[sentinel]
                    graded.append(_finish(course, task, None, time.monotonic() - began, bar, options.max_time))
    finally:
        for process, _task, _began in running.values():  # interrupted (Ctrl-C): leave no kernels behind
            kill_tree(process.pid)
        if kernels is not None:
            kernels.stop()
        bar.close()
    return graded


class WarmKernels:
    """The batch's warm kernel server (``grading.warm``): started once, restarted once if it dies, and
    stopped at the end; where it cannot run, the batch grades with cold kernels and says so once."""

    def __init__(self, options: Options, stream, assignments=None):
        self.stream, self.server, self.restarts, self.assignments = stream, None, 0, assignments
        self.wanted = options.warm and options.sandbox != "off"
        if self.wanted:
            self._start()

    def _start(self) -> None:
        from mlops_course.grading import warm

        available, why = warm.availability()
        if not available:
            self.wanted = False
            return
        try:
            self.server = warm.WarmServer.start(assignments=self.assignments)
        except warm.WarmUnavailable as error:
            self.wanted = False
            print(f"note: grading with cold kernels: {str(error).splitlines()[0]}", file=self.stream)

    def address(self) -> str | None:
        if self.server is not None and not self.server.alive():
            self.server.stop()
            self.server = None
            if self.restarts < 1:
                self.restarts += 1
                print("note: the warm kernel server stopped; starting it again", file=self.stream)
                self._start()
            else:
                print("note: the warm kernel server stopped again; the rest is graded with cold kernels",
                      file=self.stream)
                self.wanted = False
        return self.server.address if self.server is not None else None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def _all_but_notebooks(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if not name.endswith(".ipynb") or not os.path.isfile(os.path.join(folder, name))]


def kill_tree(pid: int) -> None:
    """Kill a grading process and everything it started; kernels run in a session of their own."""
    import psutil  # installed with ipykernel, which every Jupyter kernel needs

    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for process in family:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)


def _finish(course: Course, task: Task, exitcode, seconds: float, bar: ProgressBar,
            killed_after: int | None = None) -> Result:
    """Record one submission's outcome and merge its grades; the only writer of the course gradebook."""
    if task.result_file.exists():
        result = Result.from_json(task.result_file.read_text())
    else:
        log = results.result_path(course.results, task.assignment, task.student).with_suffix(".log")
        why = (f"grading took longer than {killed_after} s and was stopped" if killed_after
               else f"the grading process ended without a result (exit code {exitcode}; log: {log})")
        # --max-time is not part of the input hash: a rerun (perhaps with a larger limit) grades it again
        result = Result(task.student, task.assignment, status=FAILED, reasons=[why],
                        input_hash="" if killed_after else task.input_hash)
    result.seconds = round(seconds, 2)
    destination = course.autograded / task.student / task.assignment
    shutil.rmtree(destination, ignore_errors=True)
    try:
        if result.status == GRADED:
            merging = time.monotonic()
            gradebook.merge_submission(task.gradebook, course.db_url, task.assignment, task.student)
            result.timings["merge"] = round(time.monotonic() - merging, 3)
            # Only the graded notebooks come back: no file the submission brought or wrote goes on to feedback.
            shutil.copytree(task.autograded, destination, ignore=_all_but_notebooks)
        else:
            gradebook.remove_submission(course.db_url, task.assignment, task.student)
    except Exception as error:  # e.g. the gradebook locked by another program: say so, keep the batch going
        result.status, result.input_hash = FAILED, ""  # no hash: the next run grades it again
        result.reasons.append(f"the grades could not be saved in the course gradebook ({error}); "
                              "run autograde again")
    _keep_log(course, task)
    results.save(course.results, result)
    shutil.rmtree(task.workspace, ignore_errors=True)
    note = (f"{task.student}/{task.assignment} {result.score:g}/{result.max_score:g}" if result.status == GRADED
            else f"{task.student}/{task.assignment} FAILED")
    bar.advance(note)
    return result


def _keep_log(course: Course, task: Task) -> None:
    if task.log_file.exists():
        target = results.result_path(course.results, task.assignment, task.student).with_suffix(".log")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(task.log_file, target)


# --- templates and fingerprints -------------------------------------------------------------------

def _fingerprint_files(course: Course, assignment: str) -> list[Path]:
    source = course.source_dir(assignment)
    files = sorted(p for p in source.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts
                   and "__pycache__" not in p.parts)
    return files + [grader_dir() / "nbgrader_config.py", grader_dir() / "header.ipynb"]


def fingerprint(course: Course, assignment: str) -> str:
    """Changes whenever the assignment's source or the grader configuration changes."""
    digest = hashlib.sha256()
    for path in _fingerprint_files(course, assignment):
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_templates(course: Course, assignments: list[str]) -> dict[str, Path]:
    """A ready nbgrader course per assignment, in ``<workdir>/templates/`` (built in parallel, reused while
    its fingerprint holds). Its ``exercises/`` is a fresh regeneration of the release."""
    def build(assignment: str) -> Path:
        folder = course.workdir / "templates" / assignment
        stamp = folder / "fingerprint.txt"
        wanted = fingerprint(course, assignment)
        if not (stamp.exists() and stamp.read_text() == wanted and (folder / "gradebook.db").exists()):
            shutil.rmtree(folder, ignore_errors=True)
            ScratchCourse(assignment, source_dir=course.source_dir(assignment), workdir=folder)
            stamp.write_text(wanted)
        return folder

    with ThreadPoolExecutor(max_workers=max(1, min(len(assignments), default_workers()))) as pool:
        return dict(zip(assignments, pool.map(build, assignments)))


def prepare_templates(course: Course, assignments: list[str]) -> dict[str, Path]:
    """The templates, with the course's due dates, and the assignments recorded in the course gradebook."""
    templates = build_templates(course, assignments)
    if templates and course.db_url == f"sqlite:///{course.gradebook}" and not course.gradebook.exists():
        # an empty copy of a template's gradebook: the same schema, without a second `alembic` run (a course
        # whose gradebook is elsewhere, PostgreSQL for one, gets no SQLite file it would never use)
        shutil.copyfile(next(iter(templates.values())) / "gradebook.db", course.gradebook)
    for assignment, folder in templates.items():
        template_url = f"sqlite:///{folder / 'gradebook.db'}"
        # late submissions are judged by the course's due date, so the private gradebooks need it too
        gradebook.set_due_date(template_url, assignment, gradebook.due_date(course.db_url, assignment))
        gradebook.sync_assignment(folder / "gradebook.db", course.db_url, assignment)
    return templates


def input_hash(course: Course, assignment: str, student: str, template: Path, options: Options) -> str:
    """Everything a grade depends on: the submitted files, the assignment, the due date and the limits."""
    digest = hashlib.sha256((template / "fingerprint.txt").read_bytes())
    due = gradebook.due_date(course.db_url, assignment)
    digest.update(f"{options.timeout}|{options.memory_mb}|{due}|{options.sandbox}".encode())
    folder = course.submitted / student / assignment
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --- summary -------------------------------------------------------------------------------------------

def print_summary(graded: list[Result], skipped: list[Result], seconds: float, options: Options) -> None:
    workers = options.workers or default_workers()
    if graded:
        work = sum(r.seconds for r in graded)
        print(f"Graded {len(graded)} submission(s) in {clock(seconds)} with {workers} worker(s): "
              f"{seconds / len(graded):.1f} s per submission; the grading itself took {work:.0f} s of worker time "
              f"({work / max(seconds, 1e-9):.1f} submissions at a time on average).")
    if skipped:
        print(f"Skipped {len(skipped)} unchanged submission(s) graded before (--force regrades them).")
    everything = graded + skipped
    review = [r for r in everything if r.review]
    failed = [r for r in everything if r.status == FAILED and not r.review]
    troubled = [r for r in everything if r.status == GRADED and r.reasons and not r.review]
    late = [r for r in everything if r.seconds_late > 0]
    if review:
        print(f"\nNeeds review: the submission modified the grading environment; its autograded points are "
              f"withheld ({len(review)}):")
        for r in review:
            print(f"  {r.student}/{r.assignment} ({r.withheld:g} point(s) withheld): "
                  + "; ".join(x.split(": ", 1)[-1] for x in r.review))
    if failed:
        print(f"\nNot gradable, scored 0 ({len(failed)}):")
        for r in failed:
            print(f"  {r.student}/{r.assignment}: {'; '.join(r.reasons)}")
    if troubled:
        print(f"\nGraded, with problems worth a look ({len(troubled)}):")
        for r in troubled:
            print(f"  {r.student}/{r.assignment} {r.score:g}/{r.max_score:g}: {'; '.join(r.reasons)}")
    if late:
        print(f"\nLate ({len(late)}): " + ", ".join(f"{r.student}/{r.assignment} ({duration(r.seconds_late)})"
                                                    for r in late))
    manual = sum(1 for r in everything if r.needs_manual_grade)
    if manual:
        print(f"\n{manual} submission(s) have written answers to grade by hand (nbgrader formgrader in JupyterLab).")
