"""``mlops-course collect`` places submissions of every common shape, and says why it skips a file."""

import argparse
import io
import random
import stat
import struct
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

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


def _inbox_with_a_late_submission(tmp_path, notebook_text):
    """nbgrader's layout: ana submitted before the due date (DUE_TEXT), bo after it."""
    inbox = tmp_path / "inbox"
    for student, stamp in [("ana", "2025-03-14 20:00:00.000000 UTC"), ("bo", "2025-03-15 09:30:00.000000 UTC")]:
        folder = inbox / student / "fixture"
        folder.mkdir(parents=True)
        (folder / "fixture.ipynb").write_text(notebook_text)
        (folder / "timestamp.txt").write_text(stamp)
    return inbox


def test_nbgrader_layout_with_timestamp_and_late_detection(course, tmp_path, notebook_text):
    inbox = _inbox_with_a_late_submission(tmp_path, notebook_text)
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
        "jan_7_upload.tar.gz": b"\x1f\x8b",
        "nounderscore.ipynb": notebook_text,
        "gus_99_unknown.ipynb": '{"cells": [',                   # broken, and no assignment in its name
        "hal/fixture/other.ipynb": notebook_text.replace("q1_missing_share", "x1"),
    })
    placed, skipped = collect.plan(course, [export])
    reasons = dict(skipped)
    assert "not a notebook" in reasons[f"{export}:readme.txt"]
    assert "an archive collect does not open" in reasons[f"{export}:jan_7_upload.tar.gz"]
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


def test_a_demo_class_too_small_for_every_broken_kind_is_refused_clearly(course, tmp_path):
    with pytest.raises(SystemExit, match=f"at least {len(BROKEN_KINDS)} students .* not 3: ask for more"):
        build_class(course, FIXTURES / "banks", tmp_path / "inbox", students=3)
    assert not (tmp_path / "inbox").exists()


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


# --- archives are untrusted: read as streams, within limits ------------------------------------------

MB = 10**6
TINY = collect.Limits(entry_bytes=1 * MB, archive_bytes=2 * MB, entries=50, nesting=2)


def _bomb(path, name, megabytes):
    """A zip of zeros: a few kB on disk that inflate to `megabytes` MB, written without holding them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as entry:
        for _ in range(megabytes):
            entry.write(bytes(MB))
    return path


def _zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _refused(skipped):
    return {where: why for where, why in (s for s in skipped if isinstance(s, collect.Refused))}


def _staged_files(placed):
    staging = {p.incoming.staging.path for p in placed if p.incoming.staging is not None}
    return [f for folder in staging for f in folder.rglob("*") if f.is_file()]


def test_zip_bomb_is_refused_with_the_limit_and_the_rest_is_collected(course, tmp_path, notebook_text):
    bomb = _bomb(tmp_path / "bomb.zip", "zed_1_fixture.ipynb", 4)
    assert bomb.stat().st_size < 50_000  # 4 MB of zeros in a few kB
    good = _zip(tmp_path / "good.zip", {"kim_1_fixture.ipynb": notebook_text})
    placed, skipped = collect.plan(course, [bomb, good], limits=TINY)
    why = _refused(skipped)[str(bomb)]
    assert "its entry 'zed_1_fixture.ipynb' unpacks to more than the limit for one file" in why
    assert "nothing from it was collected" in why and "(now 1 MB), e.g. --max-entry-size 2MB" in why
    assert [(p.student, p.incoming.display) for p in placed] == [("kim", f"{good}:kim_1_fixture.ipynb")]
    assert len(_staged_files(placed)) == 1  # nothing of the bomb stays in the staging folder
    collect.collect(course, placed)
    assert sorted(p.name for p in course.submitted.iterdir()) == ["kim"]


def test_total_size_counts_every_level_and_refuses_the_whole_archive(course, tmp_path, notebook_text):
    inner = _zip_bytes({"fixture.ipynb": notebook_text, "data.csv": bytes(900_000), "more.csv": bytes(900_000)})
    export = _zip(tmp_path / "export.zip", {"ana_1_fixture.ipynb": notebook_text, "ana_1_data.csv": bytes(900_000),
                                            "bo_2_upload.zip": inner})  # each file is under 1 MB; all are not
    placed, skipped = collect.plan(course, [export], limits=TINY)
    why = _refused(skipped)[str(export)]
    assert "more than the limit for one archive (archives inside it included)" in why
    assert "(now 2 MB), e.g. --max-archive-size 4MB" in why
    assert placed == []  # ana's notebook was read before the limit was crossed: not collected either
    enough = collect.Limits(entry_bytes=1 * MB, archive_bytes=4 * MB)
    placed, skipped = collect.plan(course, [export], limits=enough)
    assert sorted(p.student for p in placed) == ["ana", "bo"]


def test_too_many_entries_are_refused(course, tmp_path, notebook_text):
    crowded = _zip(tmp_path / "crowded.zip", {f"s{i}_1_fixture.ipynb": notebook_text for i in range(6)})
    placed, skipped = collect.plan(course, [crowded], limits=collect.Limits(entries=5))
    assert placed == []
    assert "it lists 6 files and folders, more than the limit" in _refused(skipped)[str(crowded)]
    assert "e.g. --max-entries 10" in _refused(skipped)[str(crowded)]
    # the end record may understate the count: the entries themselves are counted too
    understated = bytearray(_zip(tmp_path / "understated.zip", {f"s{i}.txt": "" for i in range(60)}).read_bytes())
    struct.pack_into("<HH", understated, understated.rfind(b"PK\x05\x06") + 8, 1, 1)
    (tmp_path / "understated.zip").write_bytes(bytes(understated))
    # a table of contents far larger than its few entries need (zipfile would load it whole)
    bloated = _zip(tmp_path / "bloated.zip", {f"{'x' * 5000}{i}.txt": "" for i in range(3)})
    _, skipped = collect.plan(course, [tmp_path / "understated.zip", bloated], limits=collect.Limits(entries=5))
    refused = _refused(skipped)
    assert "it lists 60 files and folders, more than the limit" in refused[str(tmp_path / "understated.zip")]
    assert "its table of contents (15.15 kB) is too large for the limit on entries" in refused[str(bloated)]


def test_nesting_past_the_limit_refuses_only_the_too_deep_archive(course, tmp_path, notebook_text):
    deep = _zip_bytes({"fixture.ipynb": notebook_text})
    for level in range(5):  # an archive in an archive in an archive ...
        deep = _zip_bytes({f"level{level}.zip": deep})
    export = _zip(tmp_path / "export.zip", {
        "ana_1_fixture.ipynb": notebook_text,
        "bo_2_upload.zip": _zip_bytes({"fixture.ipynb": notebook_text}),                  # one level: fine
        "cy_3_upload.zip": _zip_bytes({"attempt.zip": _zip_bytes({"fixture.ipynb": notebook_text})}),  # two: fine
        "dee_4_upload.zip": deep,
        "eve_5_upload.zip": b"this is not a zip",
        "fay_6_upload.zip": _bomb(tmp_path / "fay.zip", "fixture.ipynb", 4).read_bytes(),
        "gus_7_upload.zip": _zip_bytes({"fixture.ipynb": notebook_text, "photo.jpg": random.Random(7).randbytes(MB)}),
    })
    placed, skipped = collect.plan(course, [export], limits=collect.Limits(entry_bytes=MB, archive_bytes=10 * MB))
    assert sorted(p.student for p in placed) == ["ana", "bo", "cy"]
    refused = _refused(skipped)
    too_deep = f"{export}:dee_4_upload.zip:level4.zip:level3.zip"
    assert set(refused) == {too_deep, f"{export}:eve_5_upload.zip", f"{export}:fay_6_upload.zip",
                            f"{export}:gus_7_upload.zip"}
    assert "its entry 'fixture.ipynb' unpacks to more than the limit" in refused[f"{export}:fay_6_upload.zip"]
    assert "it is larger than the limit for one file" in refused[f"{export}:gus_7_upload.zip"]
    assert "3 levels deep, past the limit" in refused[too_deep]
    assert f"the rest of {export}:dee_4_upload.zip:level4.zip was read" in refused[too_deep]
    assert "e.g. --max-nesting 4" in refused[too_deep]
    assert "damaged or not a zip file" in refused[f"{export}:eve_5_upload.zip"]


def _link_entry(archive, name, target):
    info = zipfile.ZipInfo(name)
    info.create_system, info.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, target)


@pytest.mark.parametrize("name, problem", [
    ("../evil_1_fixture.ipynb", "climbs out of the archive with '..'"),
    ("ana/../../evil_1_fixture.ipynb", "climbs out of the archive with '..'"),
    ("..\\..\\evil_1_fixture.ipynb", "climbs out of the archive with '..'"),
    ("/tmp/evil_1_fixture.ipynb", "has an absolute path"),
    ("C:/evil_1_fixture.ipynb", "has an absolute path"),
    ("evil_1_fixture.ipynb -> link", "is a symbolic link"),
])
def test_path_traversal_and_links_refuse_the_archive(course, tmp_path, notebook_text, name, problem):
    hostile = tmp_path / "inbox" / "hostile.zip"
    hostile.parent.mkdir()
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("ok_1_fixture.ipynb", notebook_text)
        if name.endswith(" -> link"):
            _link_entry(archive, name.split(" ")[0], "../../../solutions/fixture/fixture.ipynb")
        else:
            archive.writestr(name, notebook_text)
    good = _zip(tmp_path / "good.zip", {"kim_1_fixture.ipynb": notebook_text})
    placed, skipped = collect.plan(course, [hostile, good])
    why = _refused(skipped)[str(hostile)]
    assert problem in why and "nothing from it was collected" in why and "ask for a new archive" in why
    assert [p.student for p in placed] == ["kim"]  # ok_1 is not taken from a hostile archive
    collect.collect(course, placed)
    assert not list(tmp_path.rglob("evil*")) and not Path("/tmp/evil_1_fixture.ipynb").exists()
    assert sorted(p.name for p in course.submitted.iterdir()) == ["kim"]


def _with_declared_size(path, size):
    """Rewrite the uncompressed size in the zip's local and central headers of its only entry."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, size)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, size)
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).infolist()[0].file_size == size
    return path


def test_sizes_are_counted_not_read_from_lying_headers(course, tmp_path, notebook_text):
    # claims 1 kB, inflates to 4 MB: the real bytes do not match the header, so the archive is refused
    small_claim = _with_declared_size(_bomb(tmp_path / "small-claim.zip", "zed_1_fixture.ipynb", 4), 1000)
    # claims almost 4 GB, holds one ordinary notebook: judged by what it holds, so it is collected
    big_claim = _with_declared_size(_zip(tmp_path / "big-claim.zip", {"kim_1_fixture.ipynb": notebook_text}),
                                    0xFFFF_FFF0)
    placed, skipped = collect.plan(course, [small_claim, big_claim], limits=TINY)
    refused = _refused(skipped)
    assert list(refused) == [str(small_claim)]
    assert "damaged or not a zip file (Bad CRC-32 for file 'zed_1_fixture.ipynb')" in refused[str(small_claim)]
    assert [p.student for p in placed] == ["kim"]
    assert placed[0].incoming.data == notebook_text.encode()


def test_memory_stays_flat_while_a_bomb_is_read(course, tmp_path):
    bomb = _bomb(tmp_path / "bomb.zip", "ana_1_data.csv", 48)  # not a notebook: still read, and counted
    tracemalloc.start()
    try:
        placed, skipped = collect.plan(course, [bomb], limits=collect.Limits(entry_bytes=32 * MB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "unpacks to more than the limit for one file" in _refused(skipped)[str(bomb)]
    assert peak < 4 * MB  # 32 MB went through the decompressor in chunks


def test_folders_are_read_in_place_without_links_or_oversized_files(course, tmp_path, notebook_text):
    inbox = tmp_path / "inbox"
    (inbox / "ana" / "fixture").mkdir(parents=True)
    (inbox / "ana" / "fixture" / "fixture.ipynb").write_text(notebook_text)
    (inbox / "bo" / "fixture").mkdir(parents=True)
    (inbox / "bo" / "fixture" / "fixture.ipynb").symlink_to(FIXTURES / "solutions" / "fixture" / "fixture.ipynb")
    (inbox / "cy").symlink_to(FIXTURES / "solutions", target_is_directory=True)
    (inbox / "dee_1_fixture.ipynb").write_bytes(bytes(2 * MB))
    placed, skipped = collect.plan(course, [inbox], limits=TINY)
    assert [p.student for p in placed] == ["ana"]
    reasons = dict(skipped)
    assert "a symbolic link" in reasons[str(inbox / "bo" / "fixture" / "fixture.ipynb")]
    assert "a symbolic link" in reasons[str(inbox / "cy")]
    assert "larger than the limit for one file" in reasons[str(inbox / "dee_1_fixture.ipynb")]
    assert "--max-entry-size" in reasons[str(inbox / "dee_1_fixture.ipynb")]


def test_command_line_refuses_the_bomb_lists_it_and_collects_the_rest(course, tmp_path, notebook_text, capsys):
    bomb = _bomb(tmp_path / "bomb.zip", "zed_1_fixture.ipynb", 4)
    good = _zip(tmp_path / "good.zip", {"kim_1_fixture.ipynb": notebook_text})
    course.workdir.mkdir()  # files are unpacked beside the results, not in a /tmp that may live in memory
    parser = argparse.ArgumentParser()
    collect.add_arguments(parser)
    args = parser.parse_args([str(bomb), str(good), "--workdir", str(course.workdir), "--max-entry-size", "1MB"])
    assert collect.run(args) == 1
    out = capsys.readouterr().out
    assert "Refused archives:" in out and f"REFUSED {bomb}: its entry 'zed_1_fixture.ipynb' unpacks to more" in out
    assert "Collected 1 submission(s) of 1 student(s)" in out and "1 archive(s) refused (listed above)" in out
    assert (course.submitted / "kim" / "fixture" / "fixture.ipynb").exists()
    assert not (course.submitted / "zed").exists()
    assert not list(course.workdir.glob(".collecting-*"))  # the staging folder is gone


def test_limits_are_options_with_sizes_in_plain_units(capsys):
    assert [collect.parse_size(t) for t in ("50MB", "1.5 GB", "800kB", "64MiB", "123")] == [
        50 * MB, 1_500_000_000, 800_000, 64 * 2**20, 123]
    parser = argparse.ArgumentParser()
    collect.add_arguments(parser)
    defaults = collect.limits_from_args(parser.parse_args(["inbox"]))
    assert defaults == collect.Limits(entry_bytes=50 * MB, archive_bytes=200 * MB, entries=10_000, nesting=2)
    for bad in (["--max-entry-size", "lots"], ["--max-archive-size", "0"], ["--max-entries", "-3"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["inbox", *bad])
    assert "is not a size: write a number with an optional unit, e.g. 50MB" in capsys.readouterr().err


def test_a_due_date_kept_in_a_gradebook_elsewhere_still_marks_late_submissions(course, tmp_path, monkeypatch,
                                                                                notebook_text):
    """The gradebook on PostgreSQL or in another SQLite file (MLOPS_COURSE_DB_URL): collect without --due
    reads the due date from there, not from a gradebook.db in the work folder that does not exist."""
    from mlops_course.instructor.course import DB_URL_VARIABLE
    from mlops_course.instructor.gradebook import set_due_date

    monkeypatch.setenv(DB_URL_VARIABLE, f"sqlite:///{tmp_path / 'elsewhere.db'}")
    set_due_date(course.db_url, "fixture", DUE)
    inbox = _inbox_with_a_late_submission(tmp_path, notebook_text)
    placed, _ = collect.plan(course, [inbox])
    late = [m for m in collect.collect(course, placed) if "LATE" in m]
    assert len(late) == 1 and "bo/fixture" in late[0]
    assert course.has_gradebook() and not course.gradebook.exists()
