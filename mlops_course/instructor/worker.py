"""Grade one submission in a process of its own, in a private nbgrader course, and record the outcome.

``autograde.py`` starts one such process per submission (several at a time). Each works in a private
copy of an nbgrader course -- the assignment's source, a gradebook that ``generate_assignment`` filled
(the *template*), and this one submission -- and runs nbgrader's own ``Autograde`` converter on it, with
the workspace as its working directory. So no two processes ever write the same SQLite file; the parent
merges the private gradebook into the course's afterwards.

Safety, from the inside out:

- nbgrader's per-cell timeout interrupts endless loops (``Execute.timeout``, ``--timeout``);
- an address-space limit (``RLIMIT_AS``, inherited by the kernel) turns a runaway allocation into a
  ``MemoryError`` in the learner's cell instead of a machine that swaps;
- when the kernel dies (``os._exit``, a crash), the cell that was running is replaced by an error and the
  notebook graded again, so the other questions still score (nbgrader alone would grade nothing);
- the parent kills the whole process tree after ``--max-time`` seconds, whatever happened inside.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor

from mlops_course.grading import sandbox, tamper
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import nbgrader_tuning, outputs
from mlops_course.instructor.results import FAILED, CellScore, Result
from mlops_course.instructor.structure import dedupe_grade_ids, grade_id_of, nbgrader_meta, structure_problems

KERNEL_RETRIES = 2
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
CRASHED_CELL = ('raise RuntimeError("This cell stopped the Python kernel during grading (for example with '
                'os._exit() or a crash), so it was replaced by this error and not run.")')


@dataclass
class Task:
    student: str
    assignment: str
    submitted: Path        # the course's submitted/<student>/<assignment>/
    template: Path         # a ScratchCourse folder: solutions/, exercises/ and a gradebook for the assignment
    workspace: Path        # this submission's private nbgrader course (created here)
    timeout: int | None    # seconds per cell; None keeps the course configuration's
    memory_mb: int         # address-space limit of grader and kernel; 0 for none
    input_hash: str = ""
    single_threaded: bool = True
    environment: dict[str, str] | None = None   # the parent's, at the time it queued the task
    sandbox: str = "auto"  # grading.sandbox mode of the kernel: auto, required or off
    warm: str | None = None  # address of a warm kernel server on this machine (grading.warm); None: cold kernels
    rehearsal: bool = False  # ``rehearse``: the template's own release, graded without a kernel

    @property
    def gradebook(self) -> Path:
        return self.workspace / nbgrader_tuning.PRIVATE_GRADEBOOK

    @property
    def autograded(self) -> Path:
        return self.workspace / "autograded" / self.student / self.assignment

    @property
    def result_file(self) -> Path:
        return self.workspace / "result.json"

    @property
    def log_file(self) -> Path:
        return self.workspace / "grading.log"

    @property
    def tamper_file(self) -> Path:
        return self.workspace / "planted-checks.json"


def run_task(task: Task) -> None:
    """Entry point of the grading process: isolate it, grade, write ``result.json``."""
    if task.environment is not None:  # a forkserver's children start with the server's environment
        os.environ.clear()
        os.environ.update(task.environment)
    if hasattr(os, "setsid"):
        os.setsid()  # its own process group, so that signals meant for the parent's terminal pass it by
    task.workspace.mkdir(parents=True, exist_ok=True)
    _keep_temporary_files_in(task.workspace / TEMPORARY)
    _send_output_to(task.log_file)
    limit_memory(task.memory_mb)
    nbgrader_tuning.tune(task.gradebook)
    if task.single_threaded:
        # Several kernels share the cores already; BLAS threads on top would only compete for them.
        os.environ.update({name: "1" for name in THREAD_VARIABLES})
    result = grade(task)
    task.result_file.write_text(result.to_json())


# The grading process's temporary files (a kernel's connection file and socket folder, ...), in its workspace:
# the batch removes that even after it had to kill the process (--max-time, a lost worker), which then had no
# chance to remove them itself; in the system's temporary folder they would pile up, one set per kill.
TEMPORARY = ".tmp"


def _keep_temporary_files_in(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(folder)


def _send_output_to(path: Path) -> None:
    """nbgrader and the kernel log to stdout/stderr; in a batch that belongs in a file, not the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)


def limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the per-cell timeout and --max-time still apply
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# --- grading ---------------------------------------------------------------------------------------------

def grade(task: Task) -> Result:
    """Grade in the workspace, the working directory where nbgrader finds the private gradebook."""
    task.workspace.mkdir(parents=True, exist_ok=True)
    returning = os.getcwd()
    os.chdir(task.workspace)
    try:
        return _grade(task)
    finally:
        os.chdir(returning)


def _grade(task: Task) -> Result:
    started = time.monotonic()
    result = Result(task.student, task.assignment, input_hash=task.input_hash)
    _prepare_workspace(task)
    submitted = task.workspace / "submitted" / task.student / task.assignment
    expected = sorted(p.stem for p in (task.template / "solutions" / task.assignment).glob("*.ipynb"))
    readable = _inspect_notebooks(task, submitted, expected, result)
    if not readable:
        result.status = FAILED
        if len(expected) > 1:
            result.reasons.append("no notebook of the submission could be read, so nothing was graded")
    else:
        _timed_autograde(task, submitted, result)
    if readable:
        result.review = _review_reasons(task, submitted)
    if result.status != FAILED:
        if result.review:
            result.withheld = _withhold_autograded_points(task)
        _collect_scores(task, result)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _prepare_workspace(task: Task) -> None:
    source = task.template / "solutions" / task.assignment
    shutil.copytree(source, task.workspace / "solutions" / task.assignment, dirs_exist_ok=True)
    shutil.copyfile(task.template / "gradebook.db", task.gradebook)
    target = task.workspace / "submitted" / task.student / task.assignment
    shutil.rmtree(target, ignore_errors=True)
    # Regular files only: a link in a submission could point at the solutions, and nbgrader would copy
    # what it points to into the folder the kernel reads.
    shutil.copytree(task.submitted, target, ignore=_links_and_clutter)


def _links_and_clutter(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in (".ipynb_checkpoints", "__pycache__")
            or os.path.islink(os.path.join(folder, name))
            or not (os.path.isfile(os.path.join(folder, name)) or os.path.isdir(os.path.join(folder, name)))]


def _inspect_notebooks(task: Task, submitted: Path, expected: list[str], result: Result) -> list[str]:
    """Check every submitted notebook against its release; set aside unreadable ones. Returns the readable."""
    readable = []
    for name in expected:
        path = submitted / f"{name}.ipynb"
        if not path.exists():
            result.reasons.append(f"{name}.ipynb was not submitted: its questions score 0")
            continue
        try:
            nb = read_notebook(path)
        except ValueError as error:
            result.reasons.append(f"{name}.ipynb is not a valid notebook ({outputs.invalid_reason(error)}): "
                                  "its questions score 0")
            path.rename(path.with_suffix(".ipynb.invalid"))  # nbgrader then scores it as missing
            continue
        release = task.template / "exercises" / task.assignment / f"{name}.ipynb"
        if release.exists():
            result.reasons += [f"{name}.ipynb: {p.message}" for p in structure_problems(nb, read_notebook(release))]
        if dedupe_grade_ids(nb):
            nbformat.write(nb, str(path))
        readable.append(name)
    return readable


# The cell nbclient is executing; read after a kernel death to know which cell killed it.
_running: dict = {}


def _remember_cell(cell=None, cell_index=None, **_):
    _running.update(cell=cell, index=cell_index)


def _nbgrader_config(task: Task):
    from mlops_course.instructor.course import load_course_config

    config = load_course_config()
    folders = config.CourseDirectory
    folders.root = str(task.workspace)
    folders.source_directory = "solutions"
    folders.release_directory = "exercises"
    folders.submitted_directory = "submitted"
    folders.autograded_directory = "autograded"
    folders.feedback_directory = "feedback"
    folders.db_url = nbgrader_tuning.PRIVATE_URL  # task.gradebook, as seen from the workspace
    if task.timeout:
        config.Execute.timeout = task.timeout
    config.Execute.on_cell_execute = _remember_cell
    sandbox.configure(config, task.sandbox)
    if task.warm:
        config.SandboxedKernelManager.warm_server = task.warm
    tamper.configure(config, task.tamper_file)
    if task.rehearsal:
        config.Autograde.autograde_preprocessors = [
            NotExecuted if isinstance(step, type) and issubclass(step, sandbox.SandboxedExecute) else step
            for step in config.Autograde.autograde_preprocessors]
    return config


def _run_nbgrader(task: Task) -> tuple[bool, str]:
    """nbgrader's Autograde converter, in this process; returns (success, log and traceback)."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    config = _nbgrader_config(task)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = task.assignment, task.student
    converter = Autograde(coursedir=coursedir, config=config)
    converter.force, converter.create_student = True, True
    _running.clear()
    outcome = capture_log(converter)
    return outcome["success"], outcome.get("log", "") + outcome.get("error", "")


def _timed_autograde(task: Task, submitted: Path, result: Result) -> None:
    """Autograde, and record how the kernels started and where the time went (for the benchmark)."""
    for record in (sandbox.TIMINGS, sandbox.KERNELS, sandbox.WARM_FAILURES):
        record.clear()
    began = time.monotonic()
    _autograde_with_retries(task, submitted, result)
    total = time.monotonic() - began
    result.timings = {kind: round(seconds, 3) for kind, seconds in sandbox.TIMINGS.items()}
    result.timings["nbgrader"] = round(max(0.0, total - sum(sandbox.TIMINGS.values())), 3)
    result.kernel = "warm" if sandbox.KERNELS and set(sandbox.KERNELS) == {"warm"} else ",".join(
        sorted(set(sandbox.KERNELS)))
    if task.warm and sandbox.WARM_FAILURES:
        result.reasons.append(f"graded in a cold kernel: the warm kernel server was not available "
                              f"({sandbox.WARM_FAILURES[-1]})")


# A kernel that never started is the grading machine's failure, not the learner's: no learner code ran yet.
STARTUP_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond", "Address already in use",
                    "the grading sandbox did not start", "SandboxUnavailable")
STARTUP_RETRIES = 3


def _startup_failure(log: str) -> bool:
    return any(marker in log for marker in STARTUP_FAILURES)


def _autograde_with_retries(task: Task, submitted: Path, result: Result) -> None:
    startups = 0
    attempt = 0
    while attempt <= KERNEL_RETRIES:
        success, log = _run_nbgrader(task)
        if success:
            return
        result.log_tail = log[-4000:]
        if _startup_failure(log) and "SandboxUnavailable" not in log and startups < STARTUP_RETRIES:
            startups += 1
            time.sleep(startups)  # a busy machine or a port taken by another process: wait, then try again
            continue
        if _startup_failure(log):
            result.status, result.input_hash = FAILED, ""  # no hash: the next run grades it again
            result.reasons.append("the grading machine failed: the Python kernel could not be started "
                                  f"({_last_exception(log)}); this is not the submission's fault -- run autograde again")
            return
        attempt += 1
        if "DeadKernelError" not in log and "Kernel died" not in log:
            result.status = FAILED
            result.reasons.append(f"nbgrader could not grade it: {_last_exception(log)}")
            return
        where = _neutralise_crashed_cell(submitted)
        if where is None:
            result.status = FAILED
            result.reasons.append("the Python kernel died in a read-only test cell (os._exit, a crash or no memory "
                                  "left in the code it calls), so nothing could be graded")
            return
        result.reasons.append(f"{where} stopped the Python kernel (os._exit, a crash or no memory left); it was "
                              "replaced by an error and the notebook graded again")
    result.status = FAILED
    result.reasons.append(f"the Python kernel died {KERNEL_RETRIES + 1} times, so grading gave up")


def _last_exception(log: str) -> str:
    lines = [outputs.strip_ansi(line).strip() for line in log.splitlines()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return outputs.one_line(errors[-1]) if errors else "see the grading log"


def _neutralise_crashed_cell(submitted: Path) -> str | None:
    """Replace the learner cell that was running when the kernel died; return where it was, or None."""
    crashed = _running.get("cell")
    if crashed is None or nbgrader_meta(crashed).get("locked"):
        return None
    grade_id = grade_id_of(crashed)
    for path in sorted(submitted.glob("*.ipynb")):
        nb = read_notebook(path)
        for index, cell in enumerate(nb.cells):
            same = grade_id_of(cell) == grade_id if grade_id else (
                cell.cell_type == "code" and cell.source.strip() == crashed.source.strip())
            if same and not nbgrader_meta(cell).get("locked"):
                cell.source = CRASHED_CELL
                nbformat.write(nb, str(path))
                return f"{path.name} cell {index}" + (f" ({grade_id})" if grade_id else "")
    return None


# --- rehearsal ---------------------------------------------------------------------------------------

class NotExecuted(Preprocessor):
    """A rehearsal's stand-in for nbgrader's Execute: no kernel starts, the notebook stays as it is."""

    def preprocess(self, nb, resources):
        return nb, resources


# Names the template a forkserver rehearses with (grading_preload), at its start.
REHEARSAL_VARIABLE = "MLOPS_COURSE_REHEARSAL_TEMPLATE"


def rehearse(template: Path) -> None:
    """Grade the template's own release once, without a kernel, in a throwaway workspace.

    For the process that forks the grading processes (``grading_preload``): whatever grading compiles or loads
    on first use -- above all the SQL of nbgrader's gradebook queries, compiled once per database engine --
    is then ready in every fork, which inherits the engine of the private gradebook's one address
    (``nbgrader_tuning.PRIVATE_URL``). What the rehearsal guarantees: no kernel starts and no code of any
    notebook runs (its Execute step is ``NotExecuted``); its notebooks are the course's own release; its files
    are removed, and its database connections closed, before it returns, so no fork shares one. It changes no
    grade: a query's compiled form does not depend on the values it is run with.
    """
    assignment = next(p.name for p in (template / "exercises").iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as folder:
        task = Task("rehearsal", assignment, template / "exercises" / assignment, template, Path(folder) / "workspace",
                    timeout=None, memory_mb=0, rehearsal=True)
        nbgrader_tuning.reuse_engines()
        with warnings.catch_warnings():  # nbgrader's SQLAlchemy notices; this process has no log of its own
            warnings.simplefilter("ignore")
            grade(task)
    nbgrader_tuning.close_connections()


def rehearse_if_possible(template: Path) -> None:
    """``rehearse``, whose failure only costs the saving: the forks then compile as before; stderr says why."""
    import traceback

    try:
        rehearse(template)
    except Exception:  # noqa: BLE001 -- an optimisation that failed must not stop grading
        print("note: the grading rehearsal failed; grading goes on without it", file=sys.stderr)
        traceback.print_exc()


# --- tampering ---------------------------------------------------------------------------------------

def _review_reasons(task: Task, submitted: Path) -> list[str]:
    """What the code of the submission and the planted checks say about tampering (see grading.tamper)."""
    source = task.template / "solutions" / task.assignment
    locked = set()
    for path in source.glob("*.ipynb"):
        locked |= {grade_id_of(c) for c in read_notebook(path).cells if nbgrader_meta(c).get("locked")}
    reasons = []
    for path in sorted(submitted.glob("*.ipynb")):
        cells = [c.source for c in read_notebook(path).cells
                 if c.cell_type == "code" and (grade_id_of(c) is None or grade_id_of(c) not in locked)]
        reasons += [f"{path.name} {reason}" for reason in tamper.scan_cells(cells)]
    if task.tamper_file.exists():
        for key, findings in json.loads(task.tamper_file.read_text()).items():
            reasons += [f"{key.split('/')[-1]}.ipynb: {finding}" for finding in findings]
    return [f"{tamper.REVIEW_REASON}: {reason}" for reason in reasons]


def _withhold_autograded_points(task: Task) -> float:
    """Set the autograded points of a submission under review to 0 in its gradebook; return what they were."""
    from nbgrader.api import Gradebook

    withheld = 0.0
    with Gradebook(nbgrader_tuning.PRIVATE_URL) as gradebook:
        submission = gradebook.find_submission(task.assignment, task.student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.auto_score is not None and not grade.needs_manual_grade:
                    withheld += float(grade.auto_score)
                    grade.auto_score = 0.0
        gradebook.db.commit()
    return withheld


# --- reading the outcome ---------------------------------------------------------------------------

def _collect_scores(task: Task, result: Result) -> None:
    from nbgrader.api import Gradebook

    notebooks = {p.stem: read_notebook(p) for p in sorted(task.autograded.glob("*.ipynb"))}
    with Gradebook(nbgrader_tuning.PRIVATE_URL) as gradebook:
        submission = gradebook.find_submission(task.assignment, task.student)
        result.timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        result.seconds_late = float(submission.total_seconds_late or 0)
        for notebook in submission.notebooks:
            cells = {grade_id_of(c): c for c in notebooks.get(notebook.name, nbformat.v4.new_notebook()).cells}
            for grade in sorted(notebook.grades, key=lambda g: g.name):
                result.cells.append(_cell_score(notebook.name, grade, cells.get(grade.name)))
    for name, nb in notebooks.items():
        result.reasons += outputs.runtime_problems(name, nb)


def _cell_score(notebook: str, grade, cell) -> CellScore:
    manual = cell is not None and bool(nbgrader_meta(cell).get("solution"))
    score = None if grade.needs_manual_grade else float(grade.score)
    entry = CellScore(notebook, grade.name, score, float(grade.max_score), "manual" if manual else "auto")
    if cell is not None and not manual and (score or 0) < entry.max_score:
        entry.message, entry.hidden = outputs.failure(cell)
    return entry
