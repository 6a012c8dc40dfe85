"""Grading on a Dask cluster (``autograde --cluster``), on loopback, with the fixture assignment.

One small class is graded twice: on this machine, and on ``--cluster local:2`` while one Dask worker is
killed in the middle of grading a hand-in. The cluster must give the same grades, lose no hand-in, merge
each exactly once, and leave no process behind. Then the two ways a batch loses hand-ins: one that runs
past ``--max-time`` (stopped with everything it started, the rest graded), and a scheduler that dies in
the middle of a batch (the batch stops and says so; a rerun on a new cluster grades the rest).
"""

import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import fill_answers, graded_cells, read_notebook
from mlops_course.instructor import autograde as grading
from mlops_course.instructor import cluster, cluster_worker, gradebook, results
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.progress import ProgressBar
from mlops_course.instructor.release import release
from mlops_course.instructor.results import FAILED, GRADED
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


def _slowed(nb, seconds: int = 4):
    """The same answers with a pause in one of them: a hand-in that is sure to be grading when the killer
    looks, however fast the others are graded (a fixture hand-in takes about a second)."""
    answer = graded_cells(nb)["q2_approval_rates"].source
    return fill_answers(nb, {"q2_approval_rates": f"import time\ntime.sleep({seconds})\n{answer}"})


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
        hand_ins = {name: banked[name] for name in HAND_INS}
        hand_ins["slow_model_answer"] = _slowed(banked["model_answer"])
        for course in (local, remote):
            _hand_in(course, hand_ins)

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
        left = _new_processes(before)
        yield SimpleNamespace(local=local, remote=remote, hand_ins=hand_ins, on_one_machine=on_one_machine,
                              on_cluster=outcome["graded"],
                              merges=merges, killed=killed, progress=progress.getvalue(), left=left, banked=banked)


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
    assert len(local) == len(batches.hand_ins) and len({str(v) for v in local.values()}) > 2, local
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


def test_a_workers_warm_server_computes_ahead_what_the_batchs_assignments_use():
    from mlops_course.grading import warm

    if not warm.availability()[0]:
        pytest.skip("warm kernels need the grading sandbox")
    plugin = pickle.loads(pickle.dumps(cluster.WarmKernelsOnWorkers({"operations", "fixture"})))  # as Dask ships it
    plugin.setup()
    try:
        assert plugin.address() and plugin.server.process.args[-2] == "fixture,operations"
        # and imports what their notebooks in this course (the module's fixture course, when it runs) import
        sources = [course_root() / "solutions" / name for name in ("fixture", "operations")]
        assert plugin.server.process.args[-1] == ",".join(warm.assignment_imports(sources))
        assert "pandas" in plugin.server.process.args[-1].split(",")
    finally:
        plugin.teardown()
    assert plugin.server is None


def test_a_hand_in_that_keeps_killing_workers_fails_with_its_reason(batches, tmp_path):
    from distributed.scheduler import KilledWorker

    dying = KilledWorker("grade-fixture-ghost", "tcp://127.0.0.1:1", allowed_failures=3)
    task = Task("ghost", "fixture", tmp_path, tmp_path, tmp_path / "ws", None, 0, "abc")
    record = cluster._merge(batches.local, task, dying, 1.0, ProgressBar(1, stream=io.StringIO()))
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


# --- a hand-in over --max-time, and a lost scheduler --------------------------------------------------

# Well above a normal hand-in's grading on a loaded 2-core machine (measured: 2-4 s, 7 s with the start of a
# worker's grading server, which the clock leaves out), so that only the long one is stopped
MAX_TIME = 20
MARKER = ["sleep", "417"]  # a process the long hand-in starts, so the test can find it and its kernel


def _class_of(batches, workdir: Path, notebooks: dict) -> Course:
    """A course of its own, with the module's templates (no second nbgrader build)."""
    course = Course.at(workdir)
    shutil.copytree(batches.remote.workdir / "templates", course.workdir / "templates")
    _hand_in(course, notebooks)
    return course


def _expected(batches, students) -> dict:
    return {student: grades for student, grades in _grades(batches.on_one_machine).items() if student in students}


def _scores(db_url: str, students) -> dict:
    return {key: score for key, score in gradebook.auto_scores(db_url).items() if key[1] in students}


def _watch_for(marker: list[str], seen: dict, stop: threading.Event) -> None:
    """Note the first process running ``marker``, and its parent (the learner's kernel)."""
    while not stop.is_set() and "marker" not in seen:
        for process in psutil.process_iter():
            try:
                if process.cmdline() == marker:
                    seen.update(marker=process, kernel=process.parent())
                    break
            except psutil.Error:
                continue
        time.sleep(0.3)


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _new_processes(before: set[int]) -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before and _running(p)]


def test_a_hand_in_over_max_time_on_the_cluster_is_stopped_and_the_rest_graded(batches, tmp_path, monkeypatch):
    sleeper = fill_answers(batches.banked["model_answer"], {
        "q2_approval_rates": f"import subprocess, time\nsubprocess.Popen({MARKER!r})\ntime.sleep(600)"})
    normal_ones = {name: batches.banked[name] for name in ("model_answer", "hard_coded_rates")}
    course = _class_of(batches, tmp_path / "course", {"sleeper": sleeper, **normal_ones})
    normal = ["hard-coded-rates", "model-answer"]
    seen, at_record, stop = {}, {}, threading.Event()
    real_finish = grading._finish

    def finish(course_, task, *args, **kwargs):
        record = real_finish(course_, task, *args, **kwargs)
        if task.student == "sleeper":  # what is still running of it once its record is written
            _, alive = psutil.wait_procs([seen[name] for name in ("marker", "kernel") if name in seen], timeout=5)
            at_record.update(alive=alive, graders=[g for g in _graders() if time.time() - g.create_time() > MAX_TIME])
        return record

    monkeypatch.setattr(grading, "_finish", finish)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    watcher = threading.Thread(target=_watch_for, args=(MARKER, seen, stop), daemon=True)
    watcher.start()
    try:
        # a cell may run for 600 s: only --max-time can stop the sleeper
        graded, _, _ = grading.autograde(course, ["fixture"], options=grading.Options(
            cluster="local:2", timeout=600, memory_mb=LIMITS["memory_mb"], max_time=MAX_TIME))
    finally:
        stop.set()
        watcher.join()
    by_student = {r.student: r for r in graded}
    record = by_student["sleeper"]

    assert "marker" in seen, "the long hand-in's code never ran on the cluster"
    assert record.status == FAILED and record.reasons == [f"grading took longer than {MAX_TIME} s and was stopped"]
    assert MAX_TIME <= record.seconds < MAX_TIME + 60, record.seconds  # not the 600 s of the cell timeout
    assert at_record["alive"] == [] and at_record["graders"] == [], at_record
    assert _new_processes(before) == []
    assert not gradebook.has_submission(course.db_url, "fixture", "sleeper")
    assert not (course.autograded / "sleeper").exists()
    assert results.load(course.results, "fixture", "sleeper").input_hash == ""
    times = {s: by_student[s].seconds for s in normal}
    assert _grades(by_student[s] for s in normal) == _expected(batches, normal), times
    assert _scores(course.db_url, normal) == _scores(batches.local.db_url, normal)
    print(f"max-time {MAX_TIME} s; the other hand-ins graded in {times}")

    # the record keeps no input hash: a rerun grades it again (here, on this machine, stopped sooner)
    monkeypatch.setattr(grading, "_finish", real_finish)
    again, skipped, _ = grading.autograde(course, ["fixture"], options=grading.Options(
        workers=1, timeout=600, memory_mb=LIMITS["memory_mb"], max_time=3))
    assert [r.student for r in again] == ["sleeper"] and sorted(r.student for r in skipped) == normal
    assert again[0].reasons == ["grading took longer than 3 s and was stopped"]


@contextmanager
def _dask_cluster(folder: Path, workers: int):
    """A Dask scheduler and ``workers`` single-threaded workers, processes of their own, on 127.0.0.1."""
    folder.mkdir(parents=True)
    address_file, log = folder / "scheduler.json", (folder / "dask.log").open("wb")
    started = []

    def spawn(*args: str) -> subprocess.Popen:
        started.append(subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True))
        return started[-1]

    try:
        scheduler = spawn("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                          "--scheduler-file", str(address_file))
        deadline = time.monotonic() + 60
        while True:
            try:
                address = json.loads(address_file.read_text())["address"]
                break
            except (FileNotFoundError, ValueError, KeyError):
                assert scheduler.poll() is None and time.monotonic() < deadline, "the test's scheduler did not start"
                time.sleep(0.2)
        worker = spawn("distributed.cli.dask_worker", address, "--nworkers", str(workers), "--nthreads", "1",
                       "--memory-limit", "0", "--no-dashboard", "--host", "127.0.0.1")
        yield SimpleNamespace(address=address, scheduler=scheduler, worker=worker)
    finally:
        for process in started:  # each in a process group of its own: a worker's nannies and their workers
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        log.close()


def test_a_lost_scheduler_stops_the_batch_clearly_and_a_rerun_grades_the_rest(batches, tmp_path, monkeypatch, capfd):
    names = ["model_answer", "hard_coded_rates"]  # graded one after the other: the second is lost mid-grading
    course = _class_of(batches, tmp_path / "course", {name: batches.banked[name] for name in names})
    students = sorted(name.replace("_", "-") for name in names)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    real_finish, merged, family, commands, killed_at = grading._finish, [], [], [], []
    with _dask_cluster(tmp_path / "first", workers=1) as first:
        def finish(course_, task, *args, **kwargs):
            record = real_finish(course_, task, *args, **kwargs)
            merged.append(task.student)
            if len(merged) == 1:  # the first hand-in is in the gradebook: now the scheduler dies
                family.extend(psutil.Process(first.worker.pid).children(recursive=True))
                commands.extend(_command(p) for p in family)
                first.scheduler.send_signal(signal.SIGKILL)
                first.scheduler.wait()
                killed_at.append(time.monotonic())
            return record

        monkeypatch.setattr(grading, "_finish", finish)
        args = SimpleNamespace(workdir=str(course.workdir), assignment=["fixture"], student=None, workers=0,
                               timeout=LIMITS["timeout"], memory=LIMITS["memory_mb"], max_time=600, force=False,
                               sandbox="auto", cluster=first.address, warm=True)
        capfd.readouterr()
        code = grading.run(args)
        ended = time.monotonic()
        err = capfd.readouterr().err
        assert killed_at, f"the batch ended before a hand-in was merged: {err}"
        # its workers close once their scheduler is gone, and take their graders and kernels along
        _, alive = psutil.wait_procs(family + [psutil.Process(first.worker.pid)], timeout=30)
    monkeypatch.setattr(grading, "_finish", real_finish)

    assert code == 2
    assert ended - killed_at[0] < 8, f"the batch took {ended - killed_at[0]:.0f} s to stop after its scheduler died"
    assert 1 <= len(merged) < len(students), merged
    assert "the connection to the Dask scheduler was lost" in err, err
    assert f"after {len(merged)} of {len(students)} hand-in(s) were graded" in err and "run autograde again" in err
    assert "Traceback" not in err, err
    assert any(GRADER_PROCESS in command for command in commands), "no grading process was seen on the workers"
    assert alive == [], [p.cmdline() for p in alive if _running(p)]
    missing = sorted(set(students) - set(merged))
    for student in merged:
        assert gradebook.has_submission(course.db_url, "fixture", student)
    for student in missing:
        assert not gradebook.has_submission(course.db_url, "fixture", student)
        assert results.load(course.results, "fixture", student) is None
        assert not (course.autograded / student).exists()
    assert _scores(course.db_url, students) == _scores(batches.local.db_url, merged)

    with _dask_cluster(tmp_path / "second", workers=1) as second:
        again, skipped, _ = grading.autograde(course, ["fixture"], options=grading.Options(
            cluster=second.address, max_time=600, warm=False, **LIMITS))  # cold kernels: no warm server to start
    assert sorted(r.student for r in again) == missing and sorted(r.student for r in skipped) == sorted(merged)
    assert all(r.status == GRADED for r in again + skipped)
    assert _grades(again + skipped) == _expected(batches, students)
    assert _scores(course.db_url, students) == _scores(batches.local.db_url, students)
    assert _new_processes(before) == []


def test_a_scheduler_lost_before_any_grade_says_so():
    message = str(cluster.scheduler_lost("tcp://127.0.0.1:8786", 0, 3))
    assert "before any of the 3 hand-in(s) was graded" in message and "saved" not in message
    assert "run autograde again" in message


def test_the_scratch_folders_of_worker_processes_that_are_gone_are_removed(tmp_path):
    """A worker killed mid-grading leaves its hand-in's scratch folder; the next hand-in on that machine
    removes it, and leaves alone what a live process or another machine (a shared cache folder) owns."""
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    names = {"dead": f"{host}--{gone.pid}--drift--ada--x1", "alive": f"{host}--{os.getpid()}--drift--bob--x2",
             "elsewhere": f"other-machine--{gone.pid}--drift--cy--x3", "unnamed": "drift--dee--x4"}
    for name in names.values():
        (tmp_path / name / "workspace").mkdir(parents=True)
    cluster_worker.remove_orphaned_scratch(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for k, n in names.items() if k != "dead")
