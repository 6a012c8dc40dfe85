"""What a grading process changes in nbgrader for speed (``instructor.nbgrader_tuning``) changes no result."""

import copy
import shutil

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat import common
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import nbgrader_tuning
from mlops_course.instructor.gradebook import opened
from mlops_course.paths import course_root


@pytest.fixture
def schema_checked_once(monkeypatch):
    monkeypatch.setattr(common, "jsonschema", jsonschema)  # restored after the test
    checks = []
    original = jsonschema.Draft4Validator.check_schema.__func__
    monkeypatch.setattr(jsonschema.Draft4Validator, "check_schema",
                        classmethod(lambda cls, schema, *a, **k: (checks.append(1), original(cls, schema, *a, **k))[1]))
    nbgrader_tuning._check_metadata_schema_once()
    return checks


def test_the_metadata_of_a_whole_notebook_is_validated_with_one_check_of_the_schema(schema_checked_once):
    nb = read_notebook(course_root() / "solutions" / "drift" / "drift.ipynb")
    validator = MetadataValidator()
    validator.validate_nb(nb)
    validator.validate_nb(nb)
    graded = sum("nbgrader" in cell.metadata for cell in nb.cells)
    assert graded > 10 and len(schema_checked_once) == 1


@pytest.mark.parametrize("change, error", [
    (lambda meta: meta.update(points="ten"), "is not of type"),
    (lambda meta: meta.pop("grade_id"), "grade_id"),
    (lambda meta: meta.update(surprise=True), "Additional properties"),
])
def test_a_bad_cell_fails_as_it_does_without_the_tuning(schema_checked_once, change, error):
    nb = read_notebook(course_root() / "solutions" / "drift" / "drift.ipynb")
    cell = copy.deepcopy(next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("points")))
    change(cell.metadata["nbgrader"])
    with pytest.raises((ValidationError, jsonschema.ValidationError)) as tuned:
        MetadataValidator().validate_cell(cell)
    common.jsonschema = jsonschema
    with pytest.raises((ValidationError, jsonschema.ValidationError)) as stock:
        MetadataValidator().validate_cell(cell)
    assert error in str(tuned.value) and str(tuned.value) == str(stock.value)


def _synchronous(path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.execute(text("PRAGMA synchronous")).scalar()
    finally:
        engine.dispose()


def test_only_the_private_gradebook_is_written_without_waiting_for_the_disk(tmp_path):
    private, other = tmp_path / "work" / "gradebook.db", tmp_path / "course" / "gradebook.db"
    private.parent.mkdir()
    other.parent.mkdir()
    listener = nbgrader_tuning._write_without_sync(private)
    try:
        assert _synchronous(private) == 0  # OFF
        assert _synchronous(other) == 2  # FULL, SQLite's default
    finally:
        event.remove(Engine, "connect", listener)
    assert _synchronous(private) == 2


@pytest.fixture
def engines_reused(monkeypatch):
    from nbgrader import api

    monkeypatch.setattr(api, "create_engine", api.create_engine)  # restored after the test
    nbgrader_tuning.reuse_engines()
    nbgrader_tuning.reuse_engines()  # a second call wraps nothing twice
    return api


def test_a_gradebook_opened_again_reuses_its_engine_and_sees_what_was_written(engines_reused, tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with opened(url) as first:
        shutil.copyfile(tmp_path / "gradebook.db", tmp_path / "other.db")  # an empty gradebook, without alembic
        first.add_student("learner-01", first_name="Ada")
        engine = first.engine
    with opened(url, f"sqlite:///{tmp_path / 'other.db'}") as (again, other):
        assert again.engine is engine and other.engine is not engine
        assert again.find_student("learner-01").first_name == "Ada"
        assert [s.id for s in other.students] == []


def test_only_the_most_recent_engines_are_kept_and_a_removed_gradebook_starts_afresh(engines_reused, tmp_path):
    kept = nbgrader_tuning._EnginePerAddress.KEPT
    with opened(f"sqlite:///{tmp_path / 'template.db'}"):
        pass
    for i in range(kept + 2):  # copies: a new gradebook file would ask alembic for its version, seconds each
        shutil.copyfile(tmp_path / "template.db", tmp_path / f"g{i}.db")
    urls = [f"sqlite:///{tmp_path / f'g{i}.db'}" for i in range(kept + 2)]
    engines = []
    for url in urls:
        with opened(url) as book:
            engines.append(book.engine)
    assert len(engines_reused.create_engine._engines) == kept
    with opened(urls[-1], urls[0]) as (recent, evicted):
        assert recent.engine is engines[-1] and evicted.engine is not engines[0]
    with opened(urls[-1]) as book:
        book.add_student("learner-02")
    shutil.copyfile(tmp_path / "template.db", tmp_path / f"g{kept + 1}.db")
    with opened(urls[-1]) as book:  # the same address, another file: its engine reads the new one
        assert book.engine is engines[-1] and [s.id for s in book.students] == []


@pytest.fixture
def private_gradebook(engines_reused, tmp_path, monkeypatch):
    """Two workspaces with a copy of one empty gradebook each; the private gradebook's opening tuned."""
    monkeypatch.setattr(engines_reused.Gradebook, "__init__", engines_reused.Gradebook.__init__)  # restored after
    with opened(f"sqlite:///{tmp_path / 'template.db'}"):  # the one new gradebook: alembic runs once
        pass
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        folder.mkdir()
        shutil.copyfile(tmp_path / "template.db", folder / nbgrader_tuning.PRIVATE_GRADEBOOK)
    monkeypatch.chdir(folders[0])
    nbgrader_tuning._check_tables_once(nbgrader_tuning.PRIVATE_URL)
    return folders


def _counting_table_checks(api, monkeypatch) -> list:
    checks = []
    original = api.inspect
    monkeypatch.setattr(api, "inspect", lambda engine: (checks.append(str(engine.url)), original(engine))[1])
    return checks


def test_the_private_gradebook_is_checked_at_its_first_opening_only(private_gradebook, engines_reused, tmp_path,
                                                                    monkeypatch):
    checks = _counting_table_checks(engines_reused, monkeypatch)
    url = nbgrader_tuning.PRIVATE_URL
    with opened(url) as book:
        book.add_student("learner-01")
    for _ in range(3):
        with opened(url) as book:  # as nbgrader opens it, ten times per hand-in
            assert [s.id for s in book.students] == ["learner-01"]
    other = f"sqlite:///{tmp_path / 'template.db'}"
    for _ in range(2):
        with opened(other):
            pass
    assert checks == [url, other, other], "only the private gradebook's later openings skip the checks"
    from nbgrader.api import Gradebook

    with Gradebook(url, "") as book:  # another course id, as nbgrader's converters open it: checked once too
        assert book.course_id == "" and [s.id for s in book.students] == ["learner-01"]
    assert checks[-1] == url


def test_the_private_gradebook_is_the_one_in_the_working_directory_of_the_moment(private_gradebook, monkeypatch):
    """A fork inherits the engine made in another directory (a rehearsal's); it must open its own file."""
    url = nbgrader_tuning.PRIVATE_URL
    with opened(url) as book:
        book.add_student("learner-01")
        engine = book.engine
    monkeypatch.chdir(private_gradebook[1])
    with opened(url) as book:
        assert book.engine is engine, "one engine, with its compiled queries, for every private gradebook"
        assert [s.id for s in book.students] == []
        book.add_student("learner-02")
    monkeypatch.chdir(private_gradebook[0])
    with opened(url) as book:
        assert [s.id for s in book.students] == ["learner-01"]
