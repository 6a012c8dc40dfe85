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
- **The private gradebook's tables are checked once.** Every ``Gradebook`` nbgrader opens lists the tables,
  creates the missing ones (one query per table) and looks up, or adds, the course row: about 20 queries,
  ten times per hand-in. The process's gradebook is the template's copy, made before it is first opened and
  never replaced, so after the first complete check a later open of that same file only connects. Any other
  database (the course gradebook in the batch's process) is checked at every open, as nbgrader does.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from pathlib import Path


# How a grading process names its private gradebook: by a path relative to its workspace, the working
# directory it grades in (nbgrader's converters work there too). One name for every hand-in's gradebook
# lets the process that forks the graders rehearse grading once (``worker.rehearse``) and hand each fork an
# engine that has compiled nbgrader's queries already, instead of each compiling them again. No course
# gradebook has this name (a course's configured as a relative path would otherwise share the engine).
PRIVATE_GRADEBOOK = "private-gradebook.db"
PRIVATE_URL = f"sqlite:///{PRIVATE_GRADEBOOK}"


def tune(gradebook: Path) -> None:
    _check_metadata_schema_once()
    _write_without_sync(gradebook)
    reuse_engines()
    _check_tables_once(PRIVATE_URL)


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
            if str(url) == PRIVATE_URL:
                _connect_in_working_directory(engine)
        self._engines[key] = engine
        while len(self._engines) > self.KEPT:
            self._engines.popitem(last=False)[1].dispose()
        return engine


def _connect_in_working_directory(engine) -> None:
    """SQLAlchemy turns a relative SQLite path into an absolute one once, when it makes the engine; the
    private gradebook's engine outlives that directory (a rehearsal's, then every fork's own), so its file
    is found again at every connection."""
    from sqlalchemy import event

    def connect(_dialect, _record, cargs, _cparams) -> None:
        cargs[0] = os.path.abspath(PRIVATE_GRADEBOOK)

    event.listen(engine, "do_connect", connect)


def close_connections() -> None:
    """Close every kept engine's pooled connections (its compiled queries stay), e.g. before forking."""
    from nbgrader import api

    if isinstance(api.create_engine, _EnginePerAddress):
        for engine in api.create_engine._engines.values():
            engine.dispose()


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


def _check_tables_once(db_url: str) -> None:
    """Open ``db_url`` after its first complete opening as ``Gradebook.__init__`` would, without its checks.

    The light path sets what nbgrader 0.9's ``__init__`` sets (engine, session, course id, authenticator);
    requirements/lock.txt pins that version."""
    from nbgrader import api
    from sqlalchemy.orm import scoped_session, sessionmaker

    full_init = getattr(api.Gradebook.__init__, "full_init", api.Gradebook.__init__)
    checked: set[str] = set()

    def init(self, url, course_id="default_course", authenticator=None):
        if url != db_url or course_id not in checked:
            full_init(self, url, course_id, authenticator)
            if url == db_url:
                checked.add(course_id)
            return
        self.engine = api.create_engine(url, echo=False, future=True)
        self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
        self.course_id, self.authenticator = course_id, authenticator

    init.full_init = full_init
    api.Gradebook.__init__ = init
