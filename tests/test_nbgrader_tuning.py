"""What a grading process changes in nbgrader for speed (``instructor.nbgrader_tuning``) changes no result."""

import copy

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat import common
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import nbgrader_tuning
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
