"""The worker's side of grading on a Dask cluster: unpack what was shipped, grade, pack what goes back.

A Dask worker may run on a machine that does not share the instructor's file system, so nothing here
reads the course's folders. The parent (``cluster.py``) ships, per hand-in, a :class:`Job`: the
submitted files as a tar archive, the limits, and the assignment's template as a separate archive that
every worker unpacks once and keeps in a cache keyed by the archive's SHA-256 (so a changed due date or
assignment is never graded against a stale copy).

The hand-in is then graded exactly as on one machine: ``worker.run_task`` in a process of its own,
forked from a process that imported nbgrader once (``Spawner``: a Dask worker process may not have
``multiprocessing`` children), with the same sandbox, warm or cold kernel, memory limit, per-cell
timeout and ``--max-time``. What comes back is what the parent's merge needs: ``result.json``, the private gradebook,
the autograded notebooks (notebooks only, as locally) and the grading log.

The spawner and each grading process ask the kernel to kill them when their parent dies
(``PR_SET_PDEATHSIG``, Linux), and the sandbox ends the kernel with them (``--die-with-parent``), so a
worker killed mid-grading leaves no grader behind; Dask grades the hand-in again on another worker. The
same holds for a worker that closes because it lost its scheduler: its process ends, and its graders
with it. A hand-in over ``--max-time`` has its grading process killed with everything it started (a warm
kernel, forked by the worker's warm server, ends when its grader's connection closes).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import select
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from mlops_course.instructor.worker import Task, rehearse_if_possible, run_task
from mlops_course.paths import grader_dir

CACHE_VARIABLE = "MLOPS_COURSE_WORKER_CACHE"
LOG_LIMIT = 1_000_000   # characters of grading log shipped back; the end is what tells what went wrong


@dataclass
class Job:
    """One hand-in, as shipped to a worker (everything in it is plain data)."""

    student: str
    assignment: str
    files: bytes            # tar of submitted/<student>/<assignment>/, regular files only
    timeout: int | None
    memory_mb: int
    max_time: int
    input_hash: str
    sandbox: str
    grader_fingerprint: str  # of the parent's grader configuration; the worker's must be the same
    warm: bool = False       # fork the kernel from this worker's warm server (``WarmKernels``) if it has one


# --- archives --------------------------------------------------------------------------------------

def pack(folder: Path, notebooks_only: bool = False) -> bytes:
    """A gzipped tar of ``folder``'s regular files (no links: one could point at the solutions),
    deterministic (sorted, no times or owners), so the same files give the same bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file() or {".ipynb_checkpoints", "__pycache__"} & set(path.parts):
                continue
            if notebooks_only and path.suffix != ".ipynb":
                continue
            info = tarfile.TarInfo(str(path.relative_to(folder)))
            info.size, info.mode = path.stat().st_size, 0o644
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    return buffer.getvalue()


def unpack(blob: bytes, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        archive.extractall(target, filter="data")  # "data": no absolute paths, no '..', no links out


def pack_template(folder: Path) -> bytes:
    """What a worker needs of a template: the assignment's source and release, and its gradebook."""
    staging = Path(tempfile.mkdtemp(prefix="template-"))
    try:
        for name in ("solutions", "exercises", "gradebook.db", "fingerprint.txt"):
            source = folder / name
            if source.is_dir():
                shutil.copytree(source, staging / name)
            elif source.exists():
                shutil.copyfile(source, staging / name)
        return pack(staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def grader_fingerprint() -> str:
    """The grader configuration this machine's course installation grades with."""
    digest = hashlib.sha256()
    for name in ("nbgrader_config.py", "header.ipynb"):
        path = grader_dir() / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


# --- on the worker ---------------------------------------------------------------------------------

def cache_root() -> Path:
    root = os.environ.get(CACHE_VARIABLE) or Path(tempfile.gettempdir()) / f"mlops-course-worker-{os.getuid()}"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_template(blob: bytes, root: Path) -> Path:
    """The template unpacked on this machine, once per distinct archive (several workers may race)."""
    folder = root / "templates" / hashlib.sha256(blob).hexdigest()[:32]
    if folder.is_dir():
        return folder
    staging = Path(tempfile.mkdtemp(prefix="unpacking-", dir=folder.parent.parent))
    unpack(blob, staging)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(folder)  # atomic: a worker never sees half a template
    except OSError:  # another worker unpacked it first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def grade_shipped(job: Job, template: bytes) -> dict:
    """Run on a Dask worker: grade one hand-in in a process of its own; return what the parent merges."""
    if job.grader_fingerprint != grader_fingerprint():
        raise RuntimeError(f"the course installed on {socket.gethostname()} grades with another grader "
                           "configuration than the instructor's; install the same version of the course there")
    root = cache_root()
    template_dir = cached_template(template, root)
    (root / "work").mkdir(exist_ok=True)
    remove_orphaned_scratch(root / "work")
    scratch = Path(tempfile.mkdtemp(prefix=f"{_scratch_owner()}{job.assignment}--{job.student}--", dir=root / "work"))
    try:
        unpack(job.files, scratch / "submitted")
        task = Task(job.student, job.assignment, scratch / "submitted", template_dir, scratch / "workspace",
                    job.timeout, job.memory_mb, job.input_hash, single_threaded=True,
                    environment=dict(os.environ), sandbox=job.sandbox)
        task.warm = warm_address() if job.warm else None
        started = time.monotonic()
        exitcode, killed_after = _run_in_subprocess(task, scratch, job.max_time)
        return _outcome(task, exitcode, killed_after, time.monotonic() - started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _scratch_owner() -> str:
    """How a hand-in's scratch folder names the worker process that made it: host and process id."""
    return f"{socket.gethostname()}--{os.getpid()}--"


def remove_orphaned_scratch(work: Path) -> None:
    """Remove the scratch folders of this machine's worker processes that are gone: a worker that was killed
    mid-grading had no chance to remove its own. Another machine's (a shared cache folder) are left alone."""
    import psutil  # installed with ipykernel, which every Jupyter kernel needs

    host = f"{socket.gethostname()}--"
    for folder in work.iterdir() if work.is_dir() else []:
        pid = folder.name[len(host):].split("--", 1)[0] if folder.name.startswith(host) else ""
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _run_in_subprocess(task: Task, scratch: Path, max_time: int) -> tuple[int | None, int | None]:
    """(exit code, None), or (None, max_time) when the grading ran too long and its tree was killed."""
    from mlops_course.instructor.autograde import kill_tree

    task_file = scratch / "task.pickle"
    task_file.write_bytes(pickle.dumps(task))
    task.workspace.mkdir(parents=True, exist_ok=True)
    server = _spawner()
    pid = server.start(task_file)
    try:
        return server.wait(max_time), None
    except TimeoutError:
        kill_tree(pid)
        server.wait(None)
        return None, max_time
    except BaseException:  # the task was interrupted (the worker is closing): leave no grader behind
        kill_tree(pid)
        server.close()
        raise


class Spawner:
    """A process that has imported nbgrader once and forks one grading process per hand-in.

    A Dask worker process may not start ``multiprocessing`` children, and a fresh interpreter per
    hand-in would import nbgrader every time, so each worker thread keeps one of these (the same idea
    as the fork server of grading on one machine). It serves one hand-in at a time: a line with the task
    file in, the grading process's pid out, then its exit code when it ends.
    """

    def __init__(self):
        log = cache_root() / f"grader-server-{os.getpid()}-{threading.get_ident()}.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen([sys.executable, "-m", __name__, "--serve", str(os.getpid())],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=output)
        self.log = log

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, task_file: Path) -> int:
        self.process.stdin.write(f"{task_file}\n".encode())
        self.process.stdin.flush()
        return int(self._line(None))

    def wait(self, timeout: float | None) -> int:
        return int(self._line(timeout))

    def _line(self, timeout: float | None) -> str:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.process.stdout.readline().decode().strip()
        if not line:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            self.close()
            raise RuntimeError(f"the grading server of this Dask worker stopped:\n{tail}")
        return line

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


_spawners = threading.local()


def _spawner() -> Spawner:
    server = getattr(_spawners, "server", None)
    if server is None or not server.alive():
        server = _spawners.server = Spawner()
    return server


def _outcome(task: Task, exitcode: int | None, killed_after: int | None, seconds: float) -> dict:
    log = task.log_file.read_text(errors="replace") if task.log_file.exists() else ""
    return {
        "result": task.result_file.read_text() if task.result_file.exists() else None,
        "gradebook": task.gradebook.read_bytes() if task.gradebook.exists() else None,
        "autograded": pack(task.autograded, notebooks_only=True) if task.autograded.is_dir() else None,
        "log": log[-LOG_LIMIT:],
        "exitcode": exitcode,
        "killed_after": killed_after,
        "seconds": seconds,
        "host": socket.gethostname(),
    }


# --- warm kernels ------------------------------------------------------------------------------------

PLUGIN = "mlops-course-warm-kernels"


def warm_address() -> str | None:
    """This Dask worker's warm server (``cluster.WarmKernels``), or None (cold kernels)."""
    try:
        from distributed import get_worker

        plugin = get_worker().plugins.get(PLUGIN)
    except (ImportError, ValueError):  # not on a Dask worker
        return None
    return plugin.address() if plugin is not None else None


# --- the grading process ----------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the worker that started it dies (a no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the worker died before the request took effect
        os._exit(1)


def serve(parent: int) -> None:
    """The spawner's loop: import what grading needs once, then fork a grading process per request."""
    import importlib
    import traceback

    from mlops_course.instructor.autograde import WARM_MODULES

    _die_with_parent(parent)
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the imports print goes to the log, never into the replies
    for module in WARM_MODULES:
        importlib.import_module(module)
    rehearsed = False
    for line in sys.stdin:
        task_file = Path(line.strip())
        if not rehearsed:  # as autograde's forkserver does at its start, with the first hand-in's template
            rehearsed = True
            rehearse_if_possible(pickle.loads(task_file.read_bytes()).template)
        child = os.fork()
        if child == 0:
            replies.close()
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            _die_with_parent(parent=os.getppid())
            task = pickle.loads(task_file.read_bytes())
            try:
                run_task(task)
            except BaseException:
                with open(task.log_file, "a") as log:
                    traceback.print_exc(file=log)
                os._exit(1)
            os._exit(0)
        replies.write(f"{child}\n")
        replies.flush()
        _, status = os.waitpid(child, 0)
        replies.write(f"{os.waitstatus_to_exitcode(status)}\n")
        replies.flush()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        serve(int(argv[1]))
        return 0
    raise SystemExit("usage: python -m mlops_course.instructor.cluster_worker --serve PARENT_PID")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
