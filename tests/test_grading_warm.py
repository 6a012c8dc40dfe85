"""Warm grading kernels (``mlops_course.grading.warm``): the same grades as cold kernels, and isolation.

- every submission of every bank in ``tests/banks/`` gets, through the real ``mlops-course autograde``,
  the same grades warm and cold: cold kernels here and warm ones in ``test_banks.py`` both give exactly
  the bank's scores, and one bank is compared cell by cell (status, scores, review);
- a hand-in that leaves a process, writes to ``/tmp``, ``/dev/shm`` and its home, looks for the server's
  socket, signals or traces what it can see and reads ``/proc`` changes nothing for the next hand-in
  graded by the same server, and cannot see or reach the server;
- the server stops with the batch and leaves no process; a dead server is started again, or kernels start
  cold with a note.
"""

import json
import os
import signal
import time

import nbformat
import psutil
import pytest

from mlops_course.grading import sandbox, warm
from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor.autograde import Options, WarmKernels, autograde
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.demo_class import bank_submissions
from mlops_course.paths import course_root

pytestmark = pytest.mark.skipif(not warm.availability()[0], reason="warm kernels need the grading sandbox")

BANKS = course_root() / "tests" / "banks"
FIXTURES = course_root() / "tests" / "fixtures"
SOURCE = FIXTURES / "solutions" / "fixture"
MARKER = "left-by-a-warm-hand-in-5e1b"


_OTHERS: set[int] = set()  # servers that were running when the test began


@pytest.fixture(autouse=True)
def _servers_of_others():
    """A server kept by another test of this process (a session's ScratchCourse) is not this test's."""
    _OTHERS.clear()
    _OTHERS.update(p.pid for p in _warm_processes())
    kernels_before = {p.pid for p in _kernel_processes()}
    yield
    left = [p for p in _kernel_processes() if p.pid not in kernels_before]
    assert not left, f"kernels outlived the test (shut down every kernel a test starts): {left}"


def _kernel_processes() -> list[psutil.Process]:
    """This process's descendants that are kernels (a cold one's sandbox names ipykernel on its command line)."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "ipykernel" in " ".join(process.cmdline()) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def _warm_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "mlops_course.grading.warm" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def server_processes() -> list[psutil.Process]:
    """Warm servers this test started (other tests and other programs may run their own)."""
    return [process for process in _warm_processes() if process.pid not in _OTHERS]


def grades(results) -> dict:
    return {(r.assignment, r.student): (r.status, sorted((c.grade_id, c.score) for c in r.cells), bool(r.review),
                                        r.withheld) for r in results}


def frozen_course_root(target, assignments: list[str]):
    """A copy of the course's assignments (sources and releases) with its datasets, so that both gradings
    see the same notebooks even while someone edits ``solutions/``."""
    import shutil

    real = course_root()
    root = scratch_course(target, {a: real / "solutions" / a for a in assignments})
    for assignment in assignments:
        shutil.copytree(real / "exercises" / assignment, root / "exercises" / assignment)
    shutil.copytree(real / "datasets", root / "datasets", symlinks=False)  # a few MB; the sandbox binds it
    return root


# Each bank is graded cold in a test of its own: a failure names its bank, and each batch starts only the
# warm server and data its bank needs.
BANK_NAMES = sorted(path.stem for path in BANKS.glob("*.py"))
# The bank whose hand-ins are also graded warm here and compared cell by cell.
COMPARED = "operations"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", BANK_NAMES)
def test_warm_kernels_grade_every_bank_submission_as_cold_ones(assignment, tmp_path, monkeypatch):
    """Cold kernels give every submission of the bank exactly the scores it expects (and flag none), and
    ``test_banks.py`` proves the same of warm kernels, which grade the banks there: so warm and cold grade
    every submission alike. The hand-ins of one bank with the most failing cells are also graded both ways
    here and compared cell by cell, messages included, with the timings a warm result carries. (Grading every
    bank warm a second time would cost minutes of the suite.)"""
    from mlops_course.grading.banks import autograded_max_scores

    bank = load_bank(BANKS / f"{assignment}.py")
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(frozen_course_root(tmp_path / "root", [assignment])))
    course = Course.at(tmp_path / "work")
    notebook, _release, notebooks = bank_submissions(course, BANKS, assignment)
    max_scores = autograded_max_scores(read_notebook(course_root() / "solutions" / assignment / f"{notebook}.ipynb"))
    for name, nb in notebooks.items():
        folder = course.submitted / name / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{notebook}.ipynb"))
    cold, _, _ = autograde(course, [assignment], options=Options(workers=2, timeout=60, warm=False))
    assert {r.kernel for r in cold} == {"cold"}
    assert len(cold) == len(bank.submissions)
    mismatches = []
    for result in cold:
        scores = {c.grade_id: c.score for c in result.cells}
        for cell, want in bank.expected_scores(result.student, max_scores).items():
            if scores.get(cell) != want:
                mismatches.append(f"{assignment}/{result.student}: {cell} scored {scores.get(cell)} cold, "
                                  f"the bank (and warm kernels, test_banks.py) expect {want}")
        if result.review:
            mismatches.append(f"{assignment}/{result.student}: flagged cold: {result.review}")
    assert not mismatches, "\n".join(mismatches)
    if assignment == COMPARED:
        compare_cell_by_cell(course, assignment, cold)


def compare_cell_by_cell(course: Course, assignment: str, cold: list) -> None:
    """Grade warm the cold hand-ins with the most failing cells, and compare everything but the timings."""
    cold_one = _most_failing(cold, COMPARED_CELL_BY_CELL)
    warm_results, _, _ = autograde(course, [assignment], [r.student for r in cold_one],
                                   options=Options(workers=2, timeout=60, warm=True, force=True))
    assert {r.kernel for r in warm_results} == {"warm"}, [r.reasons for r in warm_results if r.kernel != "warm"]
    cold_grades, warm_grades = grades(cold_one), grades(warm_results)
    assert set(warm_grades) == set(cold_grades), "the chosen hand-ins, graded warm"
    cold_by, warm_by = by_key(cold_one), by_key(warm_results)
    differ = {key: differences(cold_grades[key], warm_grades[key], cold_by[key], warm_by[key])
              for key in cold_grades
              if cold_grades[key] != warm_grades[key] or messages(cold_by[key]) != messages(warm_by[key])}
    assert not differ, f"warm and cold kernels graded differently: {differ}"
    for result in warm_results:
        assert set(result.timings) >= {"kernel_start", "imports", "learner_cells", "test_cells", "planted_checks",
                                        "nbgrader", "merge"}
    assert not server_processes(), "the batch's warm server must stop with it"


# Hand-ins graded warm a second time here and compared cell by cell: those with the most failing cells, as
# a failure's message (a traceback) is where a warm kernel could differ from a cold one.
COMPARED_CELL_BY_CELL = 5


def _most_failing(results, count: int) -> list:
    failing = lambda r: sum(1 for c in r.cells if c.score is not None and c.score < c.max_score)
    return sorted(results, key=lambda r: (-failing(r), r.student))[:count]


def messages(result) -> dict:
    """Each cell's failure message (None where it scored full marks)."""
    return {c.grade_id: c.message for c in result.cells}


def by_key(results) -> dict:
    return {(r.assignment, r.student): r for r in results}


def differences(cold, warm, cold_result, warm_result) -> dict:
    """What differs between two grades of one hand-in, with the failure messages, for the test's message."""
    cold_messages, warm_messages = messages(cold_result), messages(warm_result)
    cells = {grade_id: {"cold": score, "warm": dict(warm[1]).get(grade_id),
                        "cold message": cold_messages.get(grade_id), "warm message": warm_messages.get(grade_id)}
             for grade_id, score in cold[1]
             if dict(warm[1]).get(grade_id) != score or cold_messages.get(grade_id) != warm_messages.get(grade_id)}
    return {"cells": cells, "status": (cold[0], warm[0]), "review": (cold[2], warm[2]),
            "reasons": (cold_result.reasons, warm_result.reasons)}


# --- isolation -------------------------------------------------------------------------------------------

INTRUDER = '''
import ctypes, json, os, signal, socket, subprocess, time
found = {{}}
subprocess.Popen(["/bin/sh", "-c", "sleep 300 # {marker}"], start_new_session=True)
time.sleep(1)  # until the shell runs
for folder in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd()):
    try:
        with open(os.path.join(folder, "{marker}"), "w") as planted:
            planted.write("from the previous hand-in")
        found[folder] = "written"
    except OSError as error:
        found[folder] = type(error).__name__
for place in ("/run/warm/control", "/run/warm"):
    try:
        probe = socket.socket(socket.AF_UNIX)
        probe.connect(place)
        found["connect " + place] = "connected"
    except OSError as error:
        found["connect " + place] = type(error).__name__
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found["pids"] = pids
found["cmdlines"] = [open(f"/proc/{{p}}/cmdline").read() for p in pids]
libc = ctypes.CDLL(None, use_errno=True)
found["ptrace"] = [libc.ptrace(16, p, 0, 0) for p in range(1, 64)]  # PTRACE_ATTACH
for p in range(2, 64):
    try:
        os.kill(p, signal.SIGKILL)
    except OSError:
        pass
found["umount"] = libc.umount2(b"/run/warm", 2)
print("INTRUDER " + json.dumps(found))
missing_share = None
'''

WITNESS = '''
import json, os
seen = {{folder: sorted(os.listdir(folder)) for folder in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd())}}
seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
seen["marker"] = [p for p in seen["pids"] if "{marker}" in open(f"/proc/{{p}}/cmdline").read()]
print("WITNESS " + json.dumps(seen))
'''


def printed(course: Course, student: str, prefix: str) -> dict:
    nb = read_notebook(course.autograded / student / "fixture" / "fixture.ipynb")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(prefix + " "):
                    return json.loads(line[len(prefix) + 1:])
    raise AssertionError(f"{student} printed no {prefix} line")


@pytest.mark.slow
def test_a_hand_in_cannot_reach_the_server_or_the_next_hand_in(tmp_path, monkeypatch):
    from mlops_course.grading.banks import load_bank as bank_of
    from mlops_course.instructor.release import release

    root = scratch_course(tmp_path / "root", {"fixture": SOURCE})
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(root))
    course = Course.at(tmp_path / "work")
    release(course, ["fixture"], validate=False)
    released = read_notebook(root / "exercises" / "fixture" / "fixture.ipynb")
    model = bank_of(FIXTURES / "banks" / "fixture.py").notebooks(read_notebook(SOURCE / "fixture.ipynb"),
                                                                  released)["model_answer"]
    for student, code in (("a_intruder", INTRUDER), ("b_witness", WITNESS)):
        nb = nbformat.from_dict(json.loads(json.dumps(model)))
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_missing_share")
        cell.source = (cell.source + "\n" if student == "b_witness" else "") + code.format(marker=MARKER)
        folder = course.submitted / student / "fixture"
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "fixture.ipynb"))
    try:
        results, _, _ = autograde(course, ["fixture"], options=Options(workers=1, timeout=20, warm=True))
    finally:
        leftovers = [p for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
        for process in leftovers:
            process.kill()
    by_student = {r.student: r for r in results}
    assert {r.kernel for r in results} == {"warm"}, "both hand-ins graded by the same warm server"
    intruder = printed(course, "a_intruder", "INTRUDER")
    witness = printed(course, "b_witness", "WITNESS")

    assert intruder["/tmp"] == intruder["/dev/shm"] == "written", "its own scratch space is writable"
    assert all(v != "connected" for k, v in intruder.items() if k.startswith("connect")), intruder
    others = [line for pid, line in zip(intruder["pids"], intruder["cmdlines"]) if pid != 1]  # 1: the kernel
    assert not any("grading.warm" in line or "bwrap" in line for line in others), \
        "the kernel sees only its own processes"
    own = set(intruder["pids"])
    assert intruder["pids"][0] == 1 and all(MARKER in line or line.startswith("sleep") for line in others)
    assert all(result == -1 for pid, result in zip(range(2, 64), intruder["ptrace"][1:]) if pid not in own), \
        "no process outside its own can be traced"
    assert intruder["umount"] == -1, "the mount hiding the server's socket cannot be undone"
    for folder in ("/tmp", "/dev/shm"):
        assert MARKER not in witness[folder], f"{folder} of the previous hand-in is gone"
    assert not any(MARKER in names for names in (witness[k] for k in witness if k.startswith("/"))), witness
    assert witness["marker"] == [] and not leftovers, "the previous hand-in's process ended with its kernel"
    witness_result = by_student["b_witness"]
    assert witness_result.status == "graded" and not witness_result.review
    assert all(c.score == c.max_score for c in witness_result.cells if c.kind == "auto"), \
        "the next hand-in grades as if it were the first"
    assert not server_processes()


# --- lifecycle -------------------------------------------------------------------------------------------

def run_in_kernel(manager, code: str) -> str:
    """What ``code`` prints in a kernel of ``manager``, which is shut down after (nbclient leaves running the
    kernels of a manager it was given: a cold one would outlive the test)."""
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    try:
        NotebookClient(nb, timeout=60, km=manager, resources={"metadata": {"path": str(SOURCE)}}).execute()
    finally:
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    return "".join(o.get("text", "") for o in nb.cells[0].outputs)


def test_server_stops_without_leftovers_and_a_dead_one_means_cold_kernels(capsys):
    with warm.WarmServer.start(assignments=["fixture"]) as server:
        assert server.alive() and server_processes()
        sandbox.KERNELS.clear()
        out = run_in_kernel(sandbox.SandboxedKernelManager(warm_server=server.address),
                            "import os, sys; print(os.getuid(), os.getpid(), 'pandas' in sys.modules, "
                            "'sklearn' in sys.modules)")
        # the fixture's notebooks import pandas, not scikit-learn: its server imports what they import
        assert out.split() == ["1000", "1", "True", "False"] and sandbox.KERNELS == ["warm"]
        address = server.address
        os.kill(server.sandbox_pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    assert not server_processes(), "no process of the server may outlive it"
    sandbox.KERNELS.clear()
    sandbox.WARM_FAILURES.clear()
    out = run_in_kernel(sandbox.SandboxedKernelManager(warm_server=address), "import sys; print('pandas' in sys.modules)")
    assert out.strip() == "False" and sandbox.KERNELS == ["cold"] and sandbox.WARM_FAILURES


def test_batch_restarts_a_dead_server_once_then_goes_cold(capsys):
    import sys

    kernels = WarmKernels(Options(warm=True), sys.stderr, {"fixture"})
    try:
        first = kernels.address()
        assert first
        os.kill(kernels.server.sandbox_pid, signal.SIGKILL)
        kernels.server.process.wait(timeout=10)
        second = kernels.address()
        assert second and second != first and kernels.server.alive()
        os.kill(kernels.server.sandbox_pid, signal.SIGKILL)
        kernels.server.process.wait(timeout=10)
        assert kernels.address() is None
    finally:
        kernels.stop()
    err = capsys.readouterr().err
    assert "starting it again" in err and "cold kernels" in err
    assert not server_processes()


def test_closing_the_connection_ends_the_kernel():
    with warm.WarmServer.start(assignments=["fixture"]) as server:
        request = {"connection": {"ip": f"{sandbox.SOCKETS}/k", "transport": "ipc", "key": "", "signature_scheme":
                                  "hmac-sha256", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "hb_port": 4,
                                  "control_port": 5}, "env": sandbox.kernel_environment(sandboxed=True), "memory": None}
        kernel = warm.WarmKernel(server.address, request, warm.folder_archive(SOURCE, 2**20))
        pid = warm.host_pid(server.sandbox_pid, kernel.server_pid)
        kernel.go()
        time.sleep(1)
        assert psutil.pid_exists(pid) and kernel.poll() is None
        kernel.close()
        psutil.Process(pid).wait(timeout=10) if psutil.pid_exists(pid) else None
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_the_kernel_places_are_the_sandbox_ones():
    assert (warm.HOME, warm.WORKDIR, warm.SOCKETS) == (sandbox.HOME, sandbox.WORKDIR, sandbox.SOCKETS)


def test_folder_archive_copies_what_a_cold_kernel_copies(tmp_path):
    import io
    import tarfile

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "small.csv").write_text("a\n1\n")
    (tmp_path / "big.bin").write_bytes(b"x" * 5000)
    (tmp_path / "link").symlink_to("/etc/passwd")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "old.ipynb").write_text("{}")
    with tarfile.open(fileobj=io.BytesIO(warm.folder_archive(tmp_path, 1000))) as archive:
        names = archive.getnames()
    assert names == ["data/small.csv"], "no links, no checkpoints, nothing past the copy limit"


@pytest.mark.parametrize("source", warm.WARM_FAILURES)
def test_each_warm_up_failure_fails_and_its_traceback_is_formatted(source, recwarn):
    """The server's warm-up fills the traceback caches only if its code really fails (a library that starts
    returning a value instead would leave them empty), and it must show no warning (see _warm_traceback)."""
    from IPython.core.ultratb import AutoFormattedTB

    with pytest.raises(Exception) as failure:
        exec(compile(source, "<warm-up>", "exec"), {})
    text = "\n".join(AutoFormattedTB(mode="Context", color_scheme="NoColor").structured_traceback(
        failure.type, failure.value, failure.tb))
    assert failure.type.__name__ in text
    recwarn.clear()
    warm._warm_traceback(source)
    assert not recwarn.list, "the warm-up showed a warning: every fork would take it as shown already"


def test_a_warm_kernel_starts_with_the_servers_objects_out_of_the_collectors_reach():
    """... and with what its batch's assignments use computed ahead: only that (here, operations' loans)."""
    code = ("import gc, sys\nfrom mlops_course.data import loaders\n"
            "print('FROZEN', gc.get_freeze_count(), 'pandas' in sys.modules, loaders._cached.cache_info().currsize)")
    with warm.WarmServer.start(assignments=["operations"]) as server:
        out = run_in_kernel(sandbox.SandboxedKernelManager(warm_server=server.address), code)
    frozen, pandas, cached = out.split()[1:]
    assert int(frozen) > 100_000 and pandas == "True"
    assert cached == "1", "an operations batch's server reads the loans ahead, and nothing for other assignments"


def test_a_server_imports_what_its_assignments_notebooks_import(tmp_path):
    cells = ["import numpy as np, scipy.stats\nfrom sklearn.metrics import roc_auc_score", "%matplotlib inline\nx = 1",
             "from . import nothing\nfrom mlops_course.data import *", "def f():\n    import fairlearn.metrics",
             "this is not Python"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells] + [
        nbformat.v4.new_markdown_cell("import markdown")])
    nbformat.write(nb, str(tmp_path / "a.ipynb"))
    assert warm.assignment_imports([tmp_path, tmp_path / "missing"]) == [
        "numpy", "scipy.stats", "sklearn.metrics", "sklearn.metrics.roc_auc_score", "mlops_course.data",
        "fairlearn.metrics"]


def test_each_batch_computes_the_warm_calls_of_its_own_assignments():
    everything = warm.warm_calls(warm.ALL_ASSIGNMENTS)
    assert len(everything) == len(set(everything)) == len({c for calls in warm.WARM_CALLS.values() for c in calls})
    assert warm.warm_calls("operations,fixture") == list(warm.WARM_CALLS["operations"])
    assert warm.warm_calls("bias,drift") == list(dict.fromkeys(warm.WARM_CALLS["bias"] + warm.WARM_CALLS["drift"]))
    assert warm.warm_calls("fixture") == warm.warm_calls("") == []


def test_a_warm_kernel_gets_the_options_of_a_cold_ones_command_line():
    """nbclient starts kernels with ``--HistoryManager.hist_file=:memory:``; a warm kernel, which has no command
    line, must get it too: else it writes a history database in its home and runs a thread to save it."""
    source = ("import threading\nhistory = get_ipython().history_manager\n"
              "print('HISTORY', history.hist_file, sorted(t.name for t in threading.enumerate()))")
    seen = {}
    with warm.WarmServer.start(assignments=["fixture"]) as server:
        for kind, address in (("warm", server.address), ("cold", "")):
            sandbox.KERNELS.clear()
            out = run_in_kernel(sandbox.SandboxedKernelManager(warm_server=address), source)
            assert sandbox.KERNELS == [kind]
            seen[kind] = out.split(" ", 2)[1:]
    assert seen["warm"][0] == seen["cold"][0] == ":memory:"
    assert "HistorySavingThread" not in seen["warm"][1]
