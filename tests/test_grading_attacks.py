"""The grader against the attack bank of ``tests/attacks.py``, through the real ``mlops-course autograde``.

Every attack scores 0 autograded points or is flagged for review; no file appears outside the grading
scratch space; no process outlives the batch; no feedback page holds hidden-test source, expected values,
the grader's secrets or another learner's name. The model answer scores full marks and is never flagged, the
released notebook scores 0.
"""

import socket
import threading
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from mlops_course.grading import sandbox
from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor.autograde import Options, autograde
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.feedback import generate_feedback
from mlops_course.paths import course_root

from attacks import ATTACKS, attack_notebooks

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sandbox.availability()[0], reason="needs the grading sandbox (bubblewrap)")]

FIXTURES = course_root() / "tests" / "fixtures"
SOURCE = FIXTURES / "solutions" / "fixture"
SECRET = "grader-secret-4f1d9c"
MARKER = "left-behind-by-a-submission-7c2a"
HIDDEN_LINES = ["missing_share([None, None, 7]), 2 / 3", "falsy values are not missing",
                "approval_rates.sort_index().to_numpy(), [0.5, 2 / 3, 0.0]"]


class Listener:
    """A TCP service on loopback that counts the connections it gets (a Dask scheduler stands for it)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    home = base / "home"
    home.mkdir()
    listener = Listener()
    with pytest.MonkeyPatch.context() as patch:
        root = scratch_course(base / "root", {"fixture": SOURCE})
        patch.setenv("MLOPS_COURSE_ROOT", str(root))
        patch.setenv("HOME", str(home))
        patch.setenv("GRADER_API_TOKEN", SECRET)
        course = Course.at(base / "work")
        from mlops_course.instructor.release import release

        release(course, ["fixture"], validate=False)
        released = read_notebook(root / "exercises" / "fixture" / "fixture.ipynb")
        model = load_bank(FIXTURES / "banks" / "fixture.py").notebooks(read_notebook(SOURCE / "fixture.ipynb"),
                                                                        released)["model_answer"]
        places = dict(course=str(root), workdir=str(course.workdir), port=listener.port, marker=MARKER,
                      home_file=str(home / "written-by-a-submission"),
                      course_file=str(root / "written-by-a-submission"),
                      workdir_file=str(course.workdir / "written-by-a-submission"))
        notebooks = attack_notebooks(released, places)
        notebooks.update(model=model, blank=released)
        for student, nb in notebooks.items():
            folder = course.submitted / student / "fixture"
            folder.mkdir(parents=True)
            nbformat.write(nb, str(folder / "fixture.ipynb"))
        before = set(p for p in base.rglob("*"))
        # 8 s per cell: every honest cell of the fixture runs in well under a second, while the attacks that
        # search the file system or break the kernel run until the limit, so a longer one only costs time
        results, _, _ = autograde(course, ["fixture"], options=Options(workers=2, timeout=8, memory_mb=3072))
        generate_feedback(course, ["fixture"])
        listener.stop()
        yield SimpleNamespace(base=base, root=root, home=home, course=course, listener=listener,
                              results={r.student: r for r in results}, before=before, places=places)
    for process in psutil.process_iter(["cmdline"]):
        if MARKER in " ".join(process.info["cmdline"] or []):
            process.kill()


QUOTING_PATHS = {name.replace("-", "") for name, source in ATTACKS.items() if "{course" in source or "{workdir" in source}
ATTACKERS = sorted(name.replace("-", "") for name in ATTACKS)


@pytest.mark.parametrize("student", ATTACKERS)
def test_every_attack_scores_zero_or_is_flagged(graded, student):
    result = graded.results[student]
    assert result.score == 0 or result.review, f"{student} scored {result.score} without a review flag: {result}"


def test_tampering_is_flagged_with_the_reason(graded):
    for student in ["inputtransformer", "cleanuptransformer", "asttransformer", "customexceptionhandler",
                    "silenttraceback", "patchedhelpers", "obfuscatedpatch", "replacedbuiltins",
                    "encodedtransformer", "leakhiddentests"]:
        review = graded.results[student].review
        assert review and all("needs review: the submission modified the grading environment" in r for r in review), \
            f"{student}: {graded.results[student]}"


def test_model_answer_full_marks_and_blank_zero_never_flagged(graded):
    model, blank = graded.results["model"], graded.results["blank"]
    assert model.review == [] and blank.review == []
    assert model.score == 5.0 and blank.score == 0.0


def test_solutions_cannot_be_found(graded):
    assert graded.results["stealsolutions"].score == 0


def test_no_connection_reached_the_grading_machine(graded):
    assert graded.listener.connections == 0


def test_no_process_outlives_the_batch(graded):
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
    assert left == []


def test_no_file_written_outside_the_scratch_space(graded):
    for key in ("home_file", "course_file", "workdir_file"):
        assert not __import__("os").path.exists(graded.places[key]), key
    new = {p for p in graded.base.rglob("*")} - graded.before
    strays = [p for p in new if p.name in ("written-by-a-submission", "beside-the-notebook.bin")]
    assert strays == []


def test_only_notebooks_come_back(graded):
    for folder in (graded.course.autograded, graded.course.feedback):
        extra = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".ipynb", ".html")]
        assert extra == []


def test_feedback_leaks_nothing(graded):
    pages = {p: p.read_text() for p in graded.course.feedback.rglob("*.html")}
    assert pages
    students = set(graded.results)
    for path, text in pages.items():
        owner = path.relative_to(graded.course.feedback).parts[0]
        for line in HIDDEN_LINES:
            assert line not in text, f"{path}: hidden test source"
        assert SECRET not in text, f"{path}: the grader's secret"
        if owner not in QUOTING_PATHS:  # these attacks name the paths in their own code, which the page shows
            assert str(graded.root) not in text and str(graded.course.workdir) not in text, f"{path}: grader paths"
        others = [s for s in students - {owner} if f"/{s}/" in text]
        assert others == [], f"{path}: names other learners {others}"
