"""``mlops-course collect`` places submissions of every common shape, and says why it skips a file."""

import io
import zipfile
from datetime import datetime

import nbformat
import pytest

from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import collect
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.demo_class import BROKEN_KINDS, DUE, build_class
from mlops_course.paths import course_root

FIXTURES = course_root() / "tests" / "fixtures"
DUE_TEXT = "2025-03-14 23:59:00 UTC"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with only the fixture assignment (its source stands in for the release: same grade ids)."""
    root = scratch_course(tmp_path / "root", {"fixture": FIXTURES / "solutions" / "fixture"}, release_copies=True)
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(root))
    return Course.at(tmp_path / "work")


@pytest.fixture
def notebook_text():
    return nbformat.writes(read_notebook(FIXTURES / "solutions" / "fixture" / "fixture.ipynb"))


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_nbgrader_layout_with_timestamp_and_late_detection(course, tmp_path, notebook_text):
    inbox = tmp_path / "inbox"
    for student, stamp in [("ana", "2025-03-14 20:00:00.000000 UTC"), ("bo", "2025-03-15 09:30:00.000000 UTC")]:
        folder = inbox / student / "fixture"
        folder.mkdir(parents=True)
        (folder / "fixture.ipynb").write_text(notebook_text)
        (folder / "timestamp.txt").write_text(stamp)
    placed, skipped = collect.plan(course, [inbox])
    assert skipped == [] and {p.student for p in placed} == {"ana", "bo"}
    messages = collect.collect(course, placed, due=DUE)
    late = [m for m in messages if "LATE" in m]
    assert len(late) == 1 and "bo/fixture" in late[0]
    assert (course.submitted / "bo" / "fixture" / "timestamp.txt").read_text().startswith("2025-03-15 09:30")
    assert read_notebook(course.submitted / "ana" / "fixture" / "fixture.ipynb").cells
    from mlops_course.instructor.gradebook import due_date
    assert due_date(course.db_url, "fixture") == datetime(2025, 3, 14, 23, 59)


def test_platform_zip_by_name_by_content_and_nested(course, tmp_path, notebook_text):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("fixture.ipynb", notebook_text)
    export = _zip(tmp_path / "export.zip", {
        "cy_4711_fixture.ipynb": notebook_text,                  # assignment from the file name
        "dee_4712_homework-final.ipynb": notebook_text,          # assignment from the graded cells
        "eve_4713_upload/fixture.ipynb": notebook_text,          # student from the folder name
        "fay_4714_attempt.zip": inner.getvalue(),                # a zip inside the export
        "__MACOSX/._cy_4711_fixture.ipynb": b"junk",
    })
    placed, skipped = collect.plan(course, [export])
    assert skipped == []
    assert sorted((p.student, p.assignment, p.notebook) for p in placed) == [
        ("cy", "fixture", "fixture"), ("dee", "fixture", "fixture"), ("eve", "fixture", "fixture"),
        ("fay", "fixture", "fixture")]


def test_every_file_that_cannot_be_placed_gets_a_reason(course, tmp_path, notebook_text):
    export = _zip(tmp_path / "export.zip", {
        "readme.txt": "hello",
        "nounderscore.ipynb": notebook_text,
        "gus_99_unknown.ipynb": '{"cells": [',                   # broken, and no assignment in its name
        "hal/fixture/other.ipynb": notebook_text.replace("q1_missing_share", "x1"),
    })
    placed, skipped = collect.plan(course, [export])
    reasons = dict(skipped)
    assert "not a notebook" in reasons[f"{export}:readme.txt"]
    assert "whose it is" in reasons[f"{export}:nounderscore.ipynb"]
    assert "which assignment" in reasons[f"{export}:gus_99_unknown.ipynb"]
    # a single-notebook assignment in nbgrader's layout: a renamed notebook is still placed
    assert [(p.student, p.shape) for p in placed] == [("hal", "nbgrader layout, renamed from other.ipynb")]


def test_broken_notebook_named_after_its_assignment_is_still_collected(course, tmp_path):
    export = _zip(tmp_path / "export.zip", {"ivy_1_fixture.ipynb": '{"cells": ['})
    placed, skipped = collect.plan(course, [export])
    assert skipped == [] and placed[0].student == "ivy"  # autograde records it as not gradable, with why


def test_second_submission_keeps_the_later_one_and_ids_are_made_safe(course, tmp_path, notebook_text):
    inbox = tmp_path / "inbox"
    for folder, stamp, text in [("Jo Ann", "2025-03-10 10:00:00 UTC", notebook_text),
                                ("Jo-Ann", "2025-03-12 10:00:00 UTC", notebook_text.replace("Q1", "Q1 "))]:
        target = inbox / folder / "fixture"
        target.mkdir(parents=True)
        (target / "fixture.ipynb").write_text(text)
        (target / "timestamp.txt").write_text(stamp)
    placed, skipped = collect.plan(course, [inbox])
    assert [(p.student, p.timestamp_text) for p in placed] == [("Jo-Ann", "2025-03-12 10:00:00 UTC")]
    assert len(skipped) == 1 and "kept the later one" in skipped[0][1]


def test_dry_run_writes_nothing(course, tmp_path, notebook_text):
    export = _zip(tmp_path / "export.zip", {"kim_1_fixture.ipynb": notebook_text})
    placed, _ = collect.plan(course, [export])
    assert collect.collect(course, placed, dry_run=True)
    assert not course.submitted.exists()


def test_demo_class_is_seeded_complete_and_collectable(course, tmp_path):
    demo = build_class(course, FIXTURES / "banks", tmp_path / "inbox", students=30, seed=7)
    again = build_class(course, FIXTURES / "banks", tmp_path / "inbox-again", students=30, seed=7)
    assert demo.kinds == again.kinds and demo.late == again.late
    assert len(demo.students) == 30
    handed_in = {kind for kind in demo.kinds.values()}
    assert set(BROKEN_KINDS) <= handed_in and "blank" in handed_in
    assert sum(kind.startswith("bank: ") for kind in demo.kinds.values()) >= 15
    assert demo.late
    placed, skipped = collect.plan(course, demo.sources)
    submitted = {k for k, kind in demo.kinds.items() if kind != "not submitted"}
    assert {(p.student, p.assignment) for p in placed} == submitted
    assert [why for _, why in skipped] == ["not a notebook (.ipynb)"]  # the learner's note in the export
    late = [m for m in collect.collect(course, placed, due=DUE) if "LATE" in m]
    assert len(late) == len(demo.late)
