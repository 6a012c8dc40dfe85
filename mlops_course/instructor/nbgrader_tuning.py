"""Costs of nbgrader's autograde that grading removes, without changing what it computes.

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
- **One database engine per gradebook.** nbgrader opens a new ``Gradebook`` about ten times per hand-in, and
  each made a new SQLAlchemy engine, so every query was compiled again. ``reuse_engines()`` keeps one engine
  per database address for the life of the process, with its compiled queries; ``Gradebook.close()`` still
  closes its connections. The batch's own process calls it too, for the merges into the course gradebook.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from pathlib import Path


def tune(gradebook: Path) -> None:
    _check_metadata_schema_once()
    _write_without_sync(gradebook)
    reuse_engines()


class _EnginePerAddress:
    """``create_engine`` as ``nbgrader.api`` calls it, returning the engine made before for the same arguments.

    Only the most recently used few are kept: a batch's process opens every hand-in's private gradebook once,
    and a thousand idle engines would only hold memory."""

    KEPT = 8

    def __init__(self, create_engine):
        self._create_engine = create_engine
        self._engines: OrderedDict = OrderedDict()

    def __call__(self, url, *args, **kwargs):
        key = (str(url), args, tuple(sorted(kwargs.items())))
        engine = self._engines.pop(key, None)
        if engine is None:
            engine = self._create_engine(url, *args, **kwargs)
        self._engines[key] = engine
        while len(self._engines) > self.KEPT:
            self._engines.popitem(last=False)[1].dispose()
        return engine


def reuse_engines() -> None:
    from nbgrader import api

    if not isinstance(api.create_engine, _EnginePerAddress):
        api.create_engine = _EnginePerAddress(api.create_engine)


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
