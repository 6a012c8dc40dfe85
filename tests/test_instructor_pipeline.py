"""The instructor's pipeline end to end on a small class of the fixture assignment.

release -> collect (nbgrader layout and a platform zip) -> parallel autograde -> feedback -> export ->
report, with every kind of broken submission in the batch. The merged gradebook must equal what plain
serial ``nbgrader autograde`` gives, cell for cell.
"""

import copy
import html
import re
import sqlite3
import zipfile
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from mlops_course.grading import ScratchCourse, fill_answers
from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import collect, results
from mlops_course.instructor.autograde import Options, autograde
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.demo_class import DUE
from mlops_course.instructor.export import gather, write_exports
from mlops_course.instructor.feedback import generate_feedback
from mlops_course.instructor.gradebook import auto_scores
from mlops_course.instructor.outputs import hidden_lines
from mlops_course.instructor.release import release
from mlops_course.instructor.report import write_report
from mlops_course.instructor.structure import grade_id_of
from mlops_course.paths import course_root

pytestmark = pytest.mark.slow

FIXTURES = course_root() / "tests" / "fixtures"
SOURCE = FIXTURES / "solutions" / "fixture"
Q1, Q2, Q3 = "q1_missing_share_tests", "q2_approval_rates_tests", "q3_explain"
FULL = {Q1: 2.0, Q2: 3.0, Q3: 0.0}   # the bank leaves the written answer q3 unanswered: 0 points
# correct but different, and plausibly wrong in each question (from tests/fixtures/banks/fixture.py)
BANKED = ["correct_but_different", "falsy_counted_as_missing", "empty_list_forgotten", "hard_coded_rates"]
OPTIONS = Options(workers=2, timeout=8, memory_mb=3072)


def _answer(nb, grade_id, source):
    filled = copy.deepcopy(nb)
    next(c for c in filled.cells if grade_id_of(c) == grade_id).source = source
    return filled


def _without(nb, grade_id):
    trimmed = copy.deepcopy(nb)
    trimmed.cells = [c for c in trimmed.cells if grade_id_of(c) != grade_id]
    return trimmed


def _duplicated(nb, grade_id):
    doubled = copy.deepcopy(nb)
    at = next(i for i, c in enumerate(doubled.cells) if grade_id_of(c) == grade_id)
    first = copy.deepcopy(doubled.cells[at])
    first["id"] = "first-draft"
    first.source = "def missing_share(values):\n    return 0.0  # first draft, pasted above the answer"
    doubled.cells.insert(at, first)
    return doubled


def _retyped(nb, grade_id):
    changed = copy.deepcopy(nb)
    at = next(i for i, c in enumerate(changed.cells) if grade_id_of(c) == grade_id)
    old = changed.cells[at]
    changed.cells[at] = nbformat.v4.new_markdown_cell(old.source, metadata=old.metadata)
    return changed


def class_submissions(release_nb):
    """{student: (notebook or raw text, timestamp or None)}: banked ones, a blank, a late one, and the broken.

    Students without a timestamp come as a platform export, ``<student>_<anything>.ipynb``: their ids
    have no underscore.
    """
    bank = load_bank(FIXTURES / "banks" / "fixture.py")
    source = read_notebook(SOURCE / "fixture.ipynb")
    banked = bank.notebooks(source, release_nb)
    model = banked["model_answer"]
    on_time, late = "2025-03-14 12:00:00 UTC", "2025-03-15 12:00:00 UTC"
    q2 = "q2_approval_rates"
    rates = "approval_rates = decisions.groupby('group')['approved'].mean()"
    submissions = {name: (banked[name], on_time) for name in BANKED}
    submissions.update({
        "blank": (release_nb, on_time),
        "late": (model, late),
        "invalid-json": (nbformat.writes(model)[:400], on_time),
        "kernel-crash": (_answer(model, q2, "import os\nos._exit(1)\n" + rates), None),
        "endless-loop": (_answer(model, q2, "while True:\n    pass"), None),
        "deleted-test-cell": (_without(model, Q2), None),
        "duplicated-cell": (_duplicated(model, "q1_missing_share"), None),
        "sys-exit": (_answer(model, q2, "import sys\nsys.exit('stop')\n" + rates), None),
        "retyped-cell": (_retyped(model, q2), None),
        "memory-hog": (_answer(model, q2, "hog = bytearray(8 * 1024 ** 3)\n" + rates), None),
    })
    return submissions


def _write_inbox(inbox, submissions):
    """Students with a timestamp come in nbgrader's layout, the others as a platform zip."""
    with zipfile.ZipFile(inbox / "export.zip", "w") as archive:
        for student, (content, stamp) in submissions.items():
            text = content if isinstance(content, str) else nbformat.writes(content)
            if stamp:
                folder = inbox / "nbgrader" / student / "fixture"
                folder.mkdir(parents=True)
                (folder / "fixture.ipynb").write_text(text)
                (folder / "timestamp.txt").write_text(stamp)
            else:
                archive.writestr(f"{student}_{len(student)}_fixture.ipynb", text)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("instructor")
    with pytest.MonkeyPatch.context() as patch:
        root = scratch_course(base / "root", {"fixture": SOURCE})
        patch.setenv("MLOPS_COURSE_ROOT", str(root))
        course = Course.at(base / "work")
        # regenerate, check rules and leaks (test_notebook_hygiene runs nbgrader validate on the fixture)
        release_problems = release(course, ["fixture"], validate=False)
        release_nb = read_notebook(root / "exercises" / "fixture" / "fixture.ipynb")
        submissions = class_submissions(release_nb)
        (base / "inbox").mkdir()
        _write_inbox(base / "inbox", submissions)
        placed, skipped = collect.plan(course, [base / "inbox" / "nbgrader", base / "inbox" / "export.zip"])
        collect.collect(course, placed, due=DUE)
        graded, unchanged, _ = autograde(course, ["fixture"], options=OPTIONS)
        pages, feedback_problems = generate_feedback(course, ["fixture"])
        grades = gather(course)
        exports = {p.name: p for p in write_exports(grades, base / "exports")}
        report = write_report(grades, results.load_all(course.results), base / "report.html")
        yield SimpleNamespace(course=course, root=root, release_problems=release_problems, skipped=skipped,
                              submissions=submissions, graded={r.student: r for r in graded}, unchanged=unchanged,
                              feedback_problems=feedback_problems, grades=grades, exports=exports, report=report,
                              release=release_nb)


def _scores(record):
    return {c.grade_id: c.score for c in record.cells}


def test_release_collect_and_batch_complete(run):
    assert run.release_problems == [] and run.skipped == [] and run.unchanged == []
    assert set(run.graded) == set(run.submissions)
    assert run.feedback_problems == []


def test_merged_gradebook_equals_serial_nbgrader_cell_for_cell(run):
    """Everything plain nbgrader can grade (it fails on duplicates and kernel deaths; loops and memory hogs
    would take minutes or all the memory without the limits) must get exactly nbgrader's scores."""
    plain = BANKED + ["blank", "late", "deleted-test-cell", "sys-exit", "retyped-cell"]
    course = ScratchCourse("fixture", source_dir=SOURCE)
    try:
        course.grade({s: {"fixture": run.submissions[s][0]} for s in plain})
        serial = auto_scores(f"sqlite:///{course.root / 'gradebook.db'}")
    finally:
        course.cleanup()
    parallel = {key: score for key, score in auto_scores(run.course.db_url).items() if key[1] in plain}
    assert len(serial) == len(plain) * 3
    assert parallel == serial


EXPECTED = {
    # student: (status, words in a reason, scores)
    "invalid-json": ("failed", "not a valid notebook", {}),
    "kernel-crash": ("graded", "stopped the Python kernel", {**FULL, Q2: 0.0}),
    "endless-loop": ("graded", "longer than the time limit", {**FULL, Q2: 0.0}),
    "deleted-test-cell": ("graded", "test cell q2_approval_rates_tests was deleted", FULL),
    "duplicated-cell": ("graded", "appears 2 times", FULL),
    "sys-exit": ("graded", "sys.exit()", {**FULL, Q2: 0.0}),
    "retyped-cell": ("graded", "changed from code to markdown", FULL),
    "memory-hog": ("graded", "ran out of memory", {**FULL, Q2: 0.0}),
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_broken_submission_is_graded_or_rejected_with_its_reason(run, student):
    status, reason, scores = EXPECTED[student]
    record = run.graded[student]
    assert record.status == status, (record.reasons, record.log_tail)
    assert any(reason in r for r in record.reasons), record.reasons
    assert _scores(record) == scores


def test_the_rest_of_the_batch_is_unaffected(run):
    bank = load_bank(FIXTURES / "banks" / "fixture.py")
    for name in BANKED:
        record = run.graded[name]
        assert record.status == "graded" and record.reasons == []
        assert _scores(record) == bank.expected_scores(name, FULL), name


def test_gradebook_is_sound_and_holds_only_graded_submissions(run):
    with sqlite3.connect(run.course.gradebook) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    students = {key[1] for key in auto_scores(run.course.db_url)}
    assert students == set(run.submissions) - {"invalid-json"}


def test_late_submission_is_recorded(run):
    assert run.graded["late"].seconds_late == 12 * 3600 + 60
    assert run.graded["correct_but_different"].seconds_late == 0
    late_column = run.grades.entry("late", "fixture").seconds_late
    assert late_column == 12 * 3600 + 60


def _text(page):
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_feedback_never_shows_hidden_test_code_but_says_what_failed(run):
    source = read_notebook(SOURCE / "fixture.ipynb")
    secret = [line.strip() for c in source.cells for n, line in enumerate(c.source.splitlines(), start=1)
              if n in hidden_lines(c.source) and "HIDDEN TESTS" not in line]
    assert len(secret) == 3
    pages = sorted(run.course.feedback.glob("*/fixture/fixture.html"))
    assert {p.parts[-3] for p in pages} == set(run.submissions)
    for page in pages:
        text = _text(page)
        assert not [line for line in secret if line in text], page
        assert "BEGIN HIDDEN" not in text
    falsy = _text(run.course.feedback / "falsy_counted_as_missing" / "fixture" / "fixture.html")
    assert "A hidden test failed" in falsy and "falsy values are not missing" in falsy
    empty = _text(run.course.feedback / "empty_list_forgotten" / "fixture" / "fixture.html")
    assert "This check failed (line 4)" in empty and "ZeroDivisionError" in empty
    assert "not a valid notebook" in _text(run.course.feedback / "invalid-json" / "fixture" / "fixture.html")
    assert "fixture" in _text(run.course.feedback / "late" / "index.html")


def _rows(path):
    import csv

    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_export_columns_and_totals(run):
    rows = {r["student_id"]: r for r in _rows(run.exports["grades.csv"])}
    assert list(next(iter(rows.values()))) == [
        "student_id", f"fixture.{Q1}", f"fixture.{Q2}", f"fixture.{Q3}", "fixture.total", "fixture.max",
        "fixture.status", "fixture.late_minutes", "total", "max"]
    assert set(rows) == set(run.submissions)
    for student, row in rows.items():
        questions = sum(float(row[f"fixture.{q}"]) for q in (Q1, Q2, Q3))
        assert float(row["fixture.total"]) == questions == float(row["total"]), student
        assert row["fixture.max"] == row["max"] == "7"
    assert rows["hard_coded_rates"]["fixture.total"] == "2" and rows["late"]["fixture.total"] == "5"
    assert rows["invalid-json"]["fixture.status"].startswith("not gradable: fixture.ipynb is not a valid notebook")
    assert rows["late"]["fixture.late_minutes"] == "721"
    lms = {r["student_id"]: r for r in _rows(run.exports["lms.csv"])}
    assert list(lms["late"]) == ["student_id", "fixture", "total"]
    assert lms["empty_list_forgotten"] == {"student_id": "empty_list_forgotten", "fixture": "3.00", "total": "3.00"}
    long_rows = _rows(run.exports["grades_long.csv"])
    assert len(long_rows) == 3 * len(run.submissions)
    assert any(r["message"].startswith("ZeroDivisionError") for r in long_rows if r["grade_id"] == Q1)


def test_report_has_the_plots_and_the_sections(run):
    page = run.report.read_text()
    assert page.count("data:image/png;base64,") == 3
    for section in ("Score distribution", "Hardest questions", "Most frequent failing messages",
                    "Submissions that need a look", "Grading time"):
        assert section in page
    text = _text(run.report)
    assert "ZeroDivisionError: division by zero" in text and "invalid-json" in text


def test_rerun_is_idempotent_and_force_regrades(run):
    before = auto_scores(run.course.db_url)
    graded, unchanged, _ = autograde(run.course, ["fixture"], options=OPTIONS)
    assert graded == [] and len(unchanged) == len(run.submissions)
    forced, _, _ = autograde(run.course, ["fixture"], students=["hard_coded_rates"],
                             options=Options(workers=1, timeout=8, memory_mb=3072, force=True))
    assert [r.student for r in forced] == ["hard_coded_rates"]
    assert auto_scores(run.course.db_url) == before


def test_a_submission_over_the_time_limit_is_stopped_with_everything_it_started(run):
    sleeper = run.course.submitted / "sleeper" / "fixture"
    sleeper.mkdir(parents=True)
    nb = fill_answers(run.release, {"q2_approval_rates": "import time\ntime.sleep(300)"})
    nbformat.write(nb, str(sleeper / "fixture.ipynb"))
    graded, _, _ = autograde(run.course, ["fixture"], students=["sleeper"],
                             options=Options(workers=1, timeout=600, max_time=3))
    assert graded[0].status == "failed" and "longer than 3 s" in graded[0].reasons[0]
    assert graded[0].input_hash == ""  # --max-time is not in the hash: the next run grades it again
    left = [p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert left == []


def test_release_check_finds_a_hand_edited_release(run):
    from mlops_course.instructor.release import regeneration_differences

    assert regeneration_differences(run.course, ["fixture"]) == []
    committed = run.root / "exercises" / "fixture" / "fixture.ipynb"
    edited = read_notebook(committed)
    edited.cells[-1].source += "\nA hint typed into the release by hand."
    nbformat.write(edited, str(committed))
    try:
        problems = regeneration_differences(run.course, ["fixture"])
    finally:
        nbformat.write(run.release, str(committed))
    assert len(problems) == 1 and "differs from a fresh regeneration" in problems[0]


def test_commands_run_from_the_command_line(run, capsys):
    from mlops_course.cli import main

    workdir = str(run.course.workdir)
    assert main(["export", "--workdir", workdir]) == 0
    assert main(["report", "--workdir", workdir]) == 0
    assert (run.course.exports / "lms.csv").exists() and run.course.report.exists()
    broken = run.course.submitted / "duplicated-cell" / "fixture" / "fixture.ipynb"
    assert main(["check", "--no-run", str(broken)]) == 1
    assert "appears 2 times" in capsys.readouterr().out


def test_a_course_whose_gradebook_is_elsewhere_gets_no_sqlite_file_it_would_not_use(fixture_course, tmp_path,
                                                                                   monkeypatch):
    """A gradebook on PostgreSQL, or in another SQLite file: the assignment is recorded there, and the work
    folder gets no gradebook.db beside it."""
    import shutil

    from mlops_course.instructor import autograde as grading
    from mlops_course.instructor.course import DB_URL_VARIABLE
    from mlops_course.instructor.gradebook import opened

    template = tmp_path / "template"
    template.mkdir()
    shutil.copyfile(fixture_course.root / "gradebook.db", template / "gradebook.db")
    elsewhere = tmp_path / "elsewhere.db"
    with opened(f"sqlite:///{template / 'gradebook.db'}") as book:  # an empty gradebook of the same schema
        book.remove_assignment("fixture")
    shutil.copyfile(template / "gradebook.db", elsewhere)
    shutil.copyfile(fixture_course.root / "gradebook.db", template / "gradebook.db")
    monkeypatch.setenv(DB_URL_VARIABLE, f"sqlite:///{elsewhere}")
    monkeypatch.setattr(grading, "build_templates", lambda course, names: {"fixture": template})
    course = Course.at(tmp_path / "work")
    grading.prepare_templates(course, ["fixture"])
    assert not course.gradebook.exists()
    with opened(course.db_url) as book:
        assert [n.name for n in book.find_assignment("fixture").notebooks] == ["fixture"]
