"""Grading on a Dask cluster (``autograde --cluster``), on loopback, with the fixture assignment.

One small class is graded twice: on this machine, and on ``--cluster local:2`` while one Dask worker is
killed in the middle of grading a hand-in. The cluster must give the same grades, lose no hand-in, merge
each exactly once, and leave no process behind.
"""

import io
import signal
import threading
import time
from collections import Counter
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import autograde as grading
from mlops_course.instructor import cluster, cluster_worker, gradebook
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.progress import ProgressBar
from mlops_course.instructor.release import release
from mlops_course.instructor.results import FAILED
from mlops_course.instructor.worker import Task
from mlops_course.paths import course_root

pytestmark = pytest.mark.slow

FIXTURES = course_root() / "tests" / "fixtures"
SOURCE = FIXTURES / "solutions" / "fixture"
# right, right-but-different, and wrong in each question: grades that differ from student to student
HAND_INS = ["model_answer", "correct_but_different", "falsy_counted_as_missing", "hard_coded_rates"]
LIMITS = dict(timeout=8, memory_mb=3072)
GRADER_PROCESS = "mlops_course.instructor.cluster_worker"


def _hand_in(course: Course, notebooks: dict) -> None:
    for name, nb in notebooks.items():
        folder = course.submitted / name.replace("_", "-") / "fixture"
        folder.mkdir(parents=True)
        (folder / "fixture.ipynb").write_text(nbformat.writes(nb))


def _marked(process: psutil.Process) -> bool:
    return GRADER_PROCESS in " ".join(process.cmdline())


def _graders() -> list[psutil.Process]:
    """Grading processes on this test's Dask workers: forked by a worker's spawner, itself a worker's child."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if _marked(process) and _marked(process.parent()):
                found.append(process)
        except psutil.Error:
            pass
    return found


def _kill_a_worker_mid_grading(killed: dict, stop: threading.Event) -> None:
    """Wait for a hand-in that has been grading for a while, then SIGKILL the Dask worker grading it."""
    while not stop.is_set():
        for grader in _graders():
            try:
                if time.time() - grader.create_time() > 1.5:
                    worker = grader.parent().parent()
                    # everything the worker runs: its spawner, the grading process, warm server and kernels
                    killed.update(worker=worker.pid, grader=grader, family=worker.children(recursive=True))
                    worker.send_signal(signal.SIGKILL)
                    return
            except psutil.Error:
                continue
        time.sleep(0.2)


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    with pytest.MonkeyPatch.context() as patch:
        root = scratch_course(base / "root", {"fixture": SOURCE})
        patch.setenv("MLOPS_COURSE_ROOT", str(root))
        patch.setenv(cluster_worker.CACHE_VARIABLE, str(base / "worker-cache"))
        local, remote = Course.at(base / "local"), Course.at(base / "remote")
        release(local, ["fixture"], validate=False)
        release_nb = read_notebook(root / "exercises" / "fixture" / "fixture.ipynb")
        banked = load_bank(FIXTURES / "banks" / "fixture.py").notebooks(read_notebook(SOURCE / "fixture.ipynb"),
                                                                        release_nb)
        for course in (local, remote):
            _hand_in(course, {name: banked[name] for name in HAND_INS})

        on_one_machine, _, _ = grading.autograde(local, ["fixture"], options=grading.Options(workers=2, **LIMITS))

        merges = Counter()
        real_merge = gradebook.merge_submission
        patch.setattr(gradebook, "merge_submission",
                      lambda db, url, assignment, student: (merges.update([student]),
                                                            real_merge(db, url, assignment, student)))
        before = {p.pid for p in psutil.Process().children(recursive=True)}
        progress, killed, stop, outcome = io.StringIO(), {}, threading.Event(), {}
        killer = threading.Thread(target=_kill_a_worker_mid_grading, args=(killed, stop), daemon=True)
        killer.start()
        try:
            outcome["graded"], _, _ = grading.autograde(remote, ["fixture"], stream=progress,
                                                        options=grading.Options(cluster="local:2", **LIMITS))
        finally:
            stop.set()
            killer.join()
        time.sleep(1)  # let the killed worker's grading process receive its parent-death signal
        left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and _running(p)]
        yield SimpleNamespace(local=local, remote=remote, on_one_machine=on_one_machine, on_cluster=outcome["graded"],
                              merges=merges, killed=killed, progress=progress.getvalue(), left=left)


def _grades(records):
    return {r.student: (r.status, sorted((c.grade_id, c.score) for c in r.cells)) for r in records}


def _kernels(records):
    """Which kernel graded each hand-in (warm where the sandbox allows it, on the cluster as here)."""
    return {r.student: getattr(r, "kernel", None) for r in records}


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_worker_was_killed_while_it_graded_and_took_its_processes_along(batches):
    assert batches.killed, "no hand-in was seen grading on a Dask worker"
    assert batches.killed["grader"] in batches.killed["family"]
    survivors = [p for p in batches.killed["family"] if _running(p)]
    assert survivors == [], f"these outlived the killed worker: {[p.cmdline() for p in survivors]}"


def test_the_cluster_gives_the_grades_of_one_machine(batches):
    local = _grades(batches.on_one_machine)
    assert len(local) == len(HAND_INS) and len({str(v) for v in local.values()}) > 2, local
    assert _grades(batches.on_cluster) == local
    assert _kernels(batches.on_cluster) == _kernels(batches.on_one_machine)
    assert gradebook.auto_scores(batches.remote.db_url) == gradebook.auto_scores(batches.local.db_url)
    for record in batches.on_cluster:
        assert (batches.remote.autograded / record.student / "fixture" / "fixture.ipynb").exists()


def test_no_hand_in_lost_none_merged_twice(batches):
    students = sorted(r.student for r in batches.on_one_machine)
    assert sorted(r.student for r in batches.on_cluster) == students
    assert batches.merges == Counter(students), "every hand-in is merged into the gradebook exactly once"
    lines = [line for line in batches.progress.splitlines() if line.startswith("grading [")]
    assert len(lines) == len(students) and lines[-1].split()[2] == f"{len(students)}/{len(students)}"


def test_everything_started_is_stopped(batches):
    assert batches.left == [], [p.cmdline() for p in batches.left]


def test_a_hand_in_that_keeps_killing_workers_fails_with_its_reason(batches, tmp_path):
    from distributed.scheduler import KilledWorker

    class Dying:
        def result(self):
            raise KilledWorker("grade-fixture-ghost", "tcp://127.0.0.1:1", allowed_failures=3)

    task = Task("ghost", "fixture", tmp_path, tmp_path, tmp_path / "ws", None, 0, "abc")
    record = cluster._merge(batches.local, task, Dying(), 1.0, ProgressBar(1, stream=io.StringIO()))
    assert record.status == FAILED and "every Dask worker that graded it died" in record.reasons[0]
    assert not gradebook.has_submission(batches.local.db_url, "fixture", "ghost")


@pytest.mark.parametrize("spec, words", [
    ("local:0", "number of worker processes"),
    ("http://127.0.0.1:8786", "not a Dask scheduler address"),
    ("tcp://127.0.0.1:9", "no Dask scheduler answered"),
])
def test_a_bad_cluster_address_gives_a_clear_error(batches, monkeypatch, capsys, spec, words):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(batches.local.workdir.parent / "root"))
    with pytest.raises(cluster.ClusterError, match=words):
        grading.autograde(batches.local, ["fixture"], options=grading.Options(cluster=spec, force=True, **LIMITS))
    args = SimpleNamespace(workdir=str(batches.local.workdir), assignment=["fixture"], student=None, workers=0,
                           timeout=8, memory=3072, max_time=60, force=True, sandbox="auto", cluster=spec)
    assert grading.run(args) == 2
    assert words in capsys.readouterr().err
