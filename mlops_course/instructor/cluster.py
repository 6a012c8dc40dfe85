"""Grade on a Dask distributed cluster: ``mlops-course autograde --cluster ADDRESS``.

``ADDRESS`` is a running scheduler (``tcp://host:8786``, or ``tls://...`` with Dask's TLS settings), or
``local:N`` for a cluster of N single-threaded worker processes on this machine, on 127.0.0.1 only and
without a dashboard, started for the batch and stopped after it.

What stays as on one machine (``autograde.py``): the templates, the skipping of unchanged hand-ins, the
progress bar and summary, and the course gradebook -- written by this process only, one hand-in at a
time, through the same ``autograde._finish``. What moves: the grading itself. Each hand-in travels as
data (``cluster_worker.Job``), so workers need the course installed but not the course's folders.

Worker failures: a hand-in is a Dask task whose key is its assignment, student and input hash. When a
worker dies, the scheduler gives its tasks to another worker; every future is merged once, when it
completes, and a key already merged is ignored. A hand-in that has been running on
``distributed.scheduler.allowed-failures`` + 1 workers that all died (3 + 1 by default) comes back as
``KilledWorker``, and is recorded FAILED with that reason instead of stopping the batch. A hand-in that
grades longer than ``--max-time`` is stopped on its worker with everything it started, and recorded
FAILED with the reason, as on one machine.

A lost scheduler (stopped, or its machine or the network gone) loses every task on the cluster, so the
batch stops there with ``ClusterLost``: the hand-ins merged before are in the gradebook, the others are
left as they were (no record, no partial grades), and running autograde again grades only those.

Each assignment's template goes to the cluster once, as a task of its own (recomputed by the scheduler if
the worker holding it dies); each worker unpacks it once. Where the sandbox allows, every worker runs a
warm kernel server of its own for the batch (``WarmKernelsOnWorkers``), as ``autograde`` does here.

Only a window of hand-ins is on the cluster at a time (a few per worker thread), so a class of thousands
never sits in the scheduler's memory at once, and the progress bar moves as each completes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import time
from collections import deque
from concurrent.futures import CancelledError
from contextlib import contextmanager
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from mlops_course.instructor import cluster_worker
from mlops_course.instructor.cluster_worker import Job
from mlops_course.instructor.progress import ProgressBar
from mlops_course.instructor.results import FAILED, Result
from mlops_course.instructor.worker import Task

LOCAL = "local:"
CONNECT_TIMEOUT = 10      # seconds to reach a scheduler
WORKER_WAIT = 60          # seconds to wait for the first worker to join
TASKS_PER_THREAD = 3      # hand-ins on the cluster per worker thread: enough that none waits for work


class ClusterError(RuntimeError):
    """The cluster cannot be used (bad address, unreachable, no workers); nothing was graded."""


class ClusterLost(ClusterError):
    """The scheduler went away in the middle of the batch; what was merged before it is saved."""


def parse(spec: str) -> tuple[str | None, int]:
    """``("tcp://host:8786", 0)`` for a scheduler, ``(None, N)`` for ``local:N``; ClusterError otherwise."""
    spec = spec.strip()
    if spec.startswith(LOCAL):
        count = spec[len(LOCAL):]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {spec}: after 'local:' comes the number of worker processes, e.g. local:4")
        return None, int(count)
    if not re.fullmatch(r"((tcp|tls)://)?[\w.\-\[\]:]+:\d+", spec):
        raise ClusterError(f"--cluster {spec}: not a Dask scheduler address; use tcp://HOST:PORT (the scheduler "
                           "prints it, port 8786 by default), tls://HOST:PORT, or local:N")
    return (spec if "://" in spec else f"tcp://{spec}"), 0


@contextmanager
def connect(spec: str):
    """A Dask client on the cluster ``spec``; a ``local:N`` cluster is started here and stopped after."""
    from distributed import Client, LocalCluster

    address, local_workers = parse(spec)
    if local_workers:
        # memory_limit=0: each grading process has its own limit (--memory); the nanny needs none on top
        cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, memory_limit=0, silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"--cluster {spec}: no Dask scheduler answered within {CONNECT_TIMEOUT} s ({error}); "
                           "start one with `dask scheduler` and check the address and the firewall") from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            raise ClusterError(f"--cluster {spec}: the scheduler has no worker after {WORKER_WAIT} s; start "
                               f"`dask worker {address}` on each grading machine") from None
        yield client
    finally:
        _close(client)


def _close(client) -> None:
    """Close the client; one that lost its scheduler logs its given-up reconnection as an error with a
    traceback, which would hide the batch's own message about it."""
    quiet = [logging.getLogger(name) for name in ("distributed.client", "distributed.utils")]
    levels = [logger.level for logger in quiet]
    if not connected(client):
        for logger in quiet:
            logger.setLevel(logging.CRITICAL)
    try:
        client.close()
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)


def connected(client) -> bool:
    """False once the client has lost its scheduler (it then tries to reconnect, and gives up)."""
    return client.status == "running"


class WarmKernelsOnWorkers(WorkerPlugin):
    """A Dask worker plugin: one warm kernel server (``grading.warm``) per worker, for the batch, with what the
    batch's assignments use computed ahead (``warm.WARM_CALLS``).

    ``setup`` starts it on every worker, also on one that joins or restarts later; ``teardown`` (when the
    batch unregisters the plugin, or the worker closes) stops it with every kernel it forked; a killed
    worker takes it along (the server's sandbox ends with its parent). A server that dies is started
    again once; after that, and where the sandbox is missing, the worker grades with cold kernels, and
    each hand-in's record says which kernel graded it.
    """

    name = cluster_worker.PLUGIN

    def __init__(self, assignments):
        self.assignments = sorted(assignments)

    def setup(self, worker=None) -> None:
        import threading

        self.lock, self.server, self.restarted, self.note = threading.Lock(), None, False, ""
        self._start()

    def _start(self) -> None:
        try:
            from mlops_course.grading import warm

            available, why = warm.availability()
            if not available:
                self.note = why
                return
            self.server = warm.WarmServer.start(assignments=self.assignments)
        except Exception as error:  # no warm server: cold kernels, as on a machine without one
            self.note = str(error).splitlines()[0] if str(error) else type(error).__name__

    def address(self) -> str | None:
        with self.lock:
            if self.server is not None and not self.server.alive():
                self.server.stop()
                self.server = None
                if not self.restarted:
                    self.restarted = True
                    self._start()
            return self.server.address if self.server is not None else None

    def teardown(self, worker=None) -> None:
        with self.lock:
            if self.server is not None:
                self.server.stop()
                self.server = None


def worker_threads(client) -> int:
    return max(1, sum(client.nthreads().values()))


# --- the batch -----------------------------------------------------------------------------------

def grade_all(course, todo, templates: dict[str, Path], options, scratch: Path, stream) -> list[Result]:
    """``autograde._grade_all`` on a cluster: same arguments, same records, the same merge."""
    if not todo:
        return []  # nothing changed since the last run: no cluster to start or reach
    with connect(options.cluster) as client:
        try:
            return _grade_on(client, course, todo, templates, options, scratch, stream)
        except (OSError, CancelledError):  # a request to the scheduler failed before any hand-in came back
            if connected(client):
                raise
            raise scheduler_lost(options.cluster, 0, len(todo)) from None


def _grade_on(client, course, todo, templates: dict[str, Path], options, scratch: Path, stream) -> list[Result]:
    options.workers = worker_threads(client)  # the summary's "with N worker(s)"
    shipped = {a: _ship_template(client, a, folder) for a, folder in templates.items()}
    queue = deque(_task(course, options, scratch, templates, assignment, student, digest)
                  for assignment, student, digest in todo)
    bar = ProgressBar(len(queue), label="grading ", stream=stream)
    warm = wants_warm(options)
    try:
        if warm:
            assignments = {assignment for assignment, _, _ in todo}
            client.register_plugin(WarmKernelsOnWorkers(assignments), name=cluster_worker.PLUGIN)
        return _run(client, course, queue, shipped, options, bar, warm)
    finally:
        if warm and connected(client):  # a lost scheduler cannot pass the request on (its workers close)
            _unregister(client)
        bar.close()


def wants_warm(options) -> bool:
    """Warm kernels need the sandbox; ``--no-warm`` turns them off."""
    return getattr(options, "warm", True) and options.sandbox != "off"


def _unregister(client) -> None:
    """Stop the workers' warm servers; a cluster that is already gone has nothing left to stop."""
    try:
        client.unregister_worker_plugin(cluster_worker.PLUGIN)
    except Exception:
        pass


def _ship_template(client, assignment: str, folder: Path):
    """The template as a task of its own: if the worker holding it dies, the scheduler makes it again.
    Keyed by its content, so hand-ins never meet another version of it."""
    blob = cluster_worker.pack_template(folder)
    return client.submit(_same, blob, key=f"template-{assignment}-{hashlib.sha256(blob).hexdigest()[:16]}", pure=False)


def _same(blob: bytes) -> bytes:
    return blob


def _task(course, options, scratch: Path, templates, assignment: str, student: str, digest: str) -> Task:
    """The parent's view of a hand-in: where its shipped-back outputs land for ``_finish``."""
    return Task(student, assignment, course.submitted / student / assignment, templates[assignment],
                scratch / f"{assignment}--{student}", options.timeout, options.memory_mb, digest,
                sandbox=options.sandbox)


def _job(task: Task, options, warm: bool) -> Job:
    return Job(task.student, task.assignment, cluster_worker.pack(task.submitted), task.timeout, task.memory_mb,
               options.max_time, task.input_hash, task.sandbox, cluster_worker.grader_fingerprint(), warm)


def _run(client, course, queue: deque, shipped: dict, options, bar: ProgressBar, warm: bool) -> list[Result]:
    from distributed import as_completed

    window = TASKS_PER_THREAD * worker_threads(client)
    waiting, started, graded = as_completed(), {}, []
    total = len(queue)

    def submit_next() -> None:
        task = queue.popleft()
        key = f"grade-{task.assignment}-{task.student}-{task.input_hash[:16]}"
        future = client.submit(cluster_worker.grade_shipped, _job(task, options, warm), shipped[task.assignment],
                               key=key, pure=False, retries=0)
        started[key] = (task, time.monotonic(), future)
        waiting.add(future)

    try:
        while queue and len(started) < window:
            submit_next()
        for future in waiting:
            if future.key not in started:
                continue  # a late duplicate of a hand-in already merged: its grades are in already
            outcome = _fetch(client, future)
            if outcome is None:
                raise scheduler_lost(options.cluster, len(graded), total)
            task, began, _ = started.pop(future.key)
            graded.append(_merge(course, task, outcome, time.monotonic() - began, bar))
            future.release()
            if queue:
                submit_next()
                if not connected(client):
                    # submitted while the client was losing its scheduler: that future would never complete
                    raise scheduler_lost(options.cluster, len(graded), total)
    finally:
        if connected(client):  # interrupted: stop the rest (a lost scheduler has dropped them already)
            client.cancel([future for _task, _began, future in started.values()])
    return graded


def _fetch(client, future) -> dict | BaseException | None:
    """What the worker shipped back, or the error that stands for it; None when the client lost its
    scheduler, which takes every hand-in on the cluster along, not just this one (the client cancels
    them all, and a scheduler it reconnects to has none of them)."""
    try:
        return future.result()
    except (Exception, CancelledError) as error:
        if not connected(client) or getattr(error, "reason", "") == "scheduler-connection-lost":
            return None
        return error


def scheduler_lost(address: str, graded: int, total: int) -> ClusterLost:
    """What a lost scheduler means for the batch, and what to do about it."""
    so_far = (f"after {graded} of {total} hand-in(s) were graded. Their grades are saved in the gradebook; the "
              f"other {total - graded} have none yet" if graded else f"before any of the {total} hand-in(s) was graded")
    return ClusterLost(
        f"--cluster {address}: the connection to the Dask scheduler was lost (it stopped, or its machine or the "
        f"network went down) {so_far}. Start the scheduler and its workers again (or use another cluster) and "
        "run autograde again: it grades only the hand-ins still missing.")


def _merge(course, task: Task, outcome: dict | BaseException, seconds: float, bar: ProgressBar) -> Result:
    """Land what the worker shipped back where ``_finish`` reads it, then record and merge as locally."""
    from mlops_course.instructor import autograde

    task.workspace.mkdir(parents=True, exist_ok=True)
    if isinstance(outcome, BaseException):  # failed or lost on the cluster: a FAILED record, the batch goes on
        result = Result(task.student, task.assignment, status=FAILED, reasons=[failure_reason(outcome)],
                        input_hash=task.input_hash if _is_killed_worker(outcome) else "")
        task.result_file.write_text(result.to_json())
        return autograde._finish(course, task, None, seconds, bar)
    if outcome["result"] is not None:
        task.result_file.write_text(outcome["result"])
    if outcome["gradebook"] is not None:
        task.gradebook.write_bytes(outcome["gradebook"])
    if outcome["autograded"] is not None:
        cluster_worker.unpack(outcome["autograded"], task.autograded)
    task.log_file.write_text(outcome["log"])
    if outcome["result"] is None:
        shutil.rmtree(task.autograded, ignore_errors=True)
    return autograde._finish(course, task, outcome["exitcode"], outcome["seconds"], bar, outcome["killed_after"])


def _is_killed_worker(error: BaseException) -> bool:
    return type(error).__name__ == "KilledWorker"


def failure_reason(error: BaseException) -> str:
    """Why a hand-in has no grade, for the summary and its record."""
    if _is_killed_worker(error):
        return ("every Dask worker that graded it died while grading (the machine ran out of memory, or the "
                "worker was stopped), so it was given up; look at the workers' logs, then run autograde again "
                "with --force")
    if isinstance(error, CancelledError):
        return "the Dask cluster stopped or lost it before it was graded; run autograde again"
    return f"grading on the Dask cluster failed ({type(error).__name__}: {error}); run autograde again"
