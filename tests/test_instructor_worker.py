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
