"""A kernel that fails to start is never the learner's fault: start-up failures are retried, then blamed on
the grading machine (``mlops_course.instructor.worker``); a grading process keeps its temporary files in
its workspace."""

import tempfile
from pathlib import Path

from mlops_course.instructor import worker
from mlops_course.instructor.results import FAILED, Result

STARTUP_LOG = "zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:53117')\n"


def _task(tmp_path: Path) -> worker.Task:
    return worker.Task("ada", "drift", tmp_path / "in", tmp_path / "template", tmp_path / "ws", None, 0)


def test_startup_failures_are_retried_then_succeed(tmp_path, monkeypatch):
    outcomes = iter([(False, STARTUP_LOG), (False, "RuntimeError: Kernel didn't respond in 60 seconds"), (True, "")])
    monkeypatch.setattr(worker, "_run_nbgrader", lambda task: next(outcomes))
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)
    result = Result("ada", "drift")
    worker._autograde_with_retries(_task(tmp_path), tmp_path, result)
    assert result.status != FAILED and result.reasons == []


def test_a_kernel_that_never_starts_is_the_machines_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "_run_nbgrader", lambda task: (False, STARTUP_LOG))
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)
    result = Result("ada", "drift", input_hash="abc")
    worker._autograde_with_retries(_task(tmp_path), tmp_path, result)
    assert result.status == FAILED
    assert "grading machine failed" in result.reasons[0] and "not the submission's fault" in result.reasons[0]
    assert "read-only test cell" not in result.reasons[0]
    assert result.input_hash == "", "a machine failure must be graded again on the next run"


def test_a_kernel_death_in_the_learners_code_is_not_a_startup_failure():
    assert not worker._startup_failure("nbclient.exceptions.DeadKernelError: Kernel died")
    assert worker._startup_failure("RuntimeError: Kernel died before replying to kernel_info")


def test_a_grading_process_keeps_its_temporary_files_in_its_workspace(tmp_path, monkeypatch):
    """The batch removes a workspace even after killing its process; files in /tmp would be left there."""
    seen = {}

    def grade(task):
        seen["folder"] = Path(tempfile.mkdtemp(prefix="kernel-"))
        return Result(task.student, task.assignment)

    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)  # restored after the test
    for name, stand_in in (("grade", grade), ("_send_output_to", lambda path: None)):
        monkeypatch.setattr(worker, name, stand_in)
    monkeypatch.setattr(worker.os, "setsid", lambda: None)
    monkeypatch.setattr(worker.nbgrader_tuning, "tune", lambda gradebook: None)
    task = _task(tmp_path)
    task.single_threaded = False  # leaves this process's environment alone
    worker.run_task(task)
    assert seen["folder"].parent == task.workspace / worker.TEMPORARY
    assert task.result_file.exists()


def test_a_rehearsal_runs_no_kernel():
    task = worker.Task("rehearsal", "drift", Path("in"), Path("template"), Path("ws"), None, 0, rehearsal=True)
    steps = worker._nbgrader_config(task).Autograde.autograde_preprocessors
    assert worker.NotExecuted in steps
    from nbconvert.preprocessors import ExecutePreprocessor

    assert not any(isinstance(step, type) and issubclass(step, ExecutePreprocessor) for step in steps)


REHEARSAL_PROBE = """
import json, os, sys, threading
from pathlib import Path
before = os.getcwd()
import mlops_course.instructor.grading_preload
from nbgrader import api
from mlops_course.instructor import nbgrader_tuning
kept = getattr(api.create_engine, "_engines", {})  # engines are kept once grading has run here
engines = {key[0]: engine for key, engine in kept.items()}
private = engines.get(nbgrader_tuning.PRIVATE_URL)
print(json.dumps({
    "threads": threading.active_count(), "tasks": len(os.listdir("/proc/self/task")),
    "cwd_kept": os.getcwd() == before, "left_in_tmp": os.listdir(os.environ["TMPDIR"]),
    "compiled": len(private._compiled_cache) if private is not None else 0,
    "connections": sum(engine.pool.checkedin() + engine.pool.checkedout() for engine in engines.values()),
}))
"""


def _probe(cwd: Path, scratch: Path, template: Path | None) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, TMPDIR=str(scratch))
    env.pop(worker.REHEARSAL_VARIABLE, None)
    if template is not None:
        env[worker.REHEARSAL_VARIABLE] = str(template)
    done = subprocess.run([sys.executable, "-c", REHEARSAL_PROBE], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rehearsal failed" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_rehearsal_prepares_the_forks_and_leaves_nothing_they_would_share(fixture_course, tmp_path):
    """The forkserver's rehearsal (grading_preload): the fixture's release graded once without a kernel."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    plain = _probe(tmp_path, scratch, None)
    rehearsed = _probe(tmp_path, scratch, fixture_course.root)
    assert plain["compiled"] == 0 and rehearsed["compiled"] >= 10, "the gradebook's queries compiled once, for all forks"
    # the same threads as the imports alone leave (a BLAS library may keep one of its own), no file, no connection
    assert rehearsed == dict(rehearsed, threads=1, tasks=plain["tasks"], cwd_kept=True, left_in_tmp=[], connections=0)


def test_a_rehearsal_that_fails_only_says_so(tmp_path, capsys):
    """A template that is gone (or broken) must not stop the forkserver, and with it the whole batch."""
    worker.rehearse_if_possible(tmp_path / "no-such-template")
    assert "the grading rehearsal failed; grading goes on without it" in capsys.readouterr().err
