"""Two costs of nbgrader's autograde that a grading process removes, without changing what it computes.

``worker.py`` calls ``tune(gradebook)`` once, at the start of a process that grades one hand-in:

- **The metadata schema is checked once.** nbgrader validates every cell's ``nbgrader`` metadata with
  ``jsonschema.validate(metadata, schema)``, which first checks that the schema itself is a valid JSON
  schema -- for every cell, twice per notebook. The schema is nbgrader's own constant, so it is checked the
  first time only; each cell is still validated against it, and a bad cell raises the same error.
- **The private gradebook is not synced to disk.** nbgrader commits each grade and comment on its own, and
  SQLite waits for the disk at every commit (about 30 ms per hand-in here, far more on a slow disk). The
  process's gradebook is a throwaway copy that the batch merges into the course's only after this process
  has finished; if the machine fails first, the hand-in is graded again. So it is written without waiting
  (``PRAGMA synchronous=OFF``). The course's gradebook is never opened here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def tune(gradebook: Path) -> None:
    _check_metadata_schema_once()
    _write_without_sync(gradebook)


class _SchemaCheckedOnce:
    """``jsonschema`` as nbgrader's metadata validator uses it, with each schema checked once."""

    def __init__(self, jsonschema):
        self._jsonschema = jsonschema
        self._validators: dict[int, tuple[dict, object]] = {}

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)

    def validate(self, instance, schema, *args, **kwargs):
        if args or kwargs:  # not how nbgrader calls it: jsonschema's own, unchanged
            return self._jsonschema.validate(instance, schema, *args, **kwargs)
        known = self._validators.get(id(schema))
        if known is None or known[0] is not schema:  # kept with its schema, so an id is never reused
            validator_class = self._jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            known = self._validators[id(schema)] = (schema, validator_class(schema))
        error = self._jsonschema.exceptions.best_match(known[1].iter_errors(instance))
        if error is not None:
            raise error


def _check_metadata_schema_once() -> None:
    import jsonschema
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, _SchemaCheckedOnce):
        common.jsonschema = _SchemaCheckedOnce(jsonschema)


def _write_without_sync(gradebook: Path):
    """Register the listener that turns syncing off for ``gradebook``'s connections; returns it."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    target = str(Path(gradebook).resolve())

    def no_sync(connection, _record) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        cursor = connection.cursor()
        try:
            files = {row[2] for row in cursor.execute("PRAGMA database_list")}
            if target in files:
                cursor.execute("PRAGMA synchronous=OFF")
        finally:
            cursor.close()

    event.listen(Engine, "connect", no_sync)
    return no_sync
