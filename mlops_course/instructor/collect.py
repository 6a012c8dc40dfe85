"""``mlops-course collect``: bring submissions from wherever they came from into nbgrader's submitted folder.

Accepted shapes (folders or zip files, mixed freely):

- nbgrader's own layout: ``<student>/<assignment>/<notebook>.ipynb``, with an optional ``timestamp.txt``
  beside the notebook (what ``nbgrader collect`` and the exchange produce);
- a learning-platform export: ``<student>_<anything>.ipynb`` files, loose or in a zip (or in folders
  named ``<student>_<anything>/``). The assignment is taken from ``--assignment``, else from an assignment
  name in the path, else from the notebook's graded cells (their grade ids match one release).

Each submission lands in ``<workdir>/submitted/<student>/<assignment>/<notebook>.ipynb``. Every file that
cannot be placed gets a line saying why. With a due date (``--due``, or one already in the gradebook),
submissions with a later timestamp are reported as late, and the due date is recorded in the gradebook
so that nbgrader marks them late as well.

nbgrader's ``zip_collect`` handles one regular expression over one folder layout; instructors receive
all of the shapes above, so the placing rules live here and the result is ordinary nbgrader input.

Archives are untrusted: each is read as a stream, within limits on the size of one unpacked file
(``--max-entry-size``, 50 MB), on all that one archive unpacks, archives inside it included
(``--max-archive-size``, 200 MB), on its number of entries (``--max-entries``, 10 000) and on how deep
archives sit inside archives (``--max-nesting``, 2). Sizes are counted as the bytes come out of the
decompressor, never taken from the archive's headers. An archive past a limit, or with an entry that is a
link or points outside it (``../``, an absolute path), is refused with the reason; nothing of it is
collected, and the rest of the collection goes on. Folders are read in place; links in them are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import json
import os
import re
import shutil
import stat
import struct
import tempfile
import weakref
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mlops_course.grading.cells import graded_cells
from mlops_course.instructor import gradebook
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments
from mlops_course.instructor.progress import duration

JUNK = re.compile(r"(^|/)(__MACOSX|\.ipynb_checkpoints|\.DS_Store|Thumbs\.db|desktop\.ini)(/|$)")
SAFE_ID = re.compile(r"[^A-Za-z0-9._@-]+")
OTHER_ARCHIVES = re.compile(r"\.(tar|tgz|tbz2?|txz|gz|bz2|xz|zst|7z|rar)$", re.IGNORECASE)


@dataclass
class Incoming:
    """One file found in the sources."""

    display: str                 # where it came from, for messages
    parts: tuple[str, ...]       # its path inside the folder or zip
    path: Path | None            # the file, or its unpacked copy (None: not a notebook, not kept)
    staging: object = field(default=None, repr=False, compare=False)  # keeps that copy alive while needed

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    def head(self, size: int = 1024) -> bytes:
        with open(self.path, "rb") as file:
            return file.read(size)


@dataclass
class Placement:
    incoming: Incoming
    student: str
    assignment: str
    notebook: str
    shape: str
    timestamp_text: str | None = None

    @property
    def timestamp(self) -> datetime | None:
        from nbgrader.utils import parse_utc

        try:
            return parse_utc(self.timestamp_text) if self.timestamp_text else None
        except (ValueError, OverflowError):
            return None


def add_arguments(parser) -> None:
    parser.add_argument("source", nargs="+", help="folders or zip files holding submissions")
    add_workdir_argument(parser)
    parser.add_argument("--assignment", help="the assignment every file belongs to (default: found per file)")
    parser.add_argument("--due", metavar="WHEN", help="due date, e.g. '2025-03-14 23:59 Europe/Berlin' or "
                                                      "2025-03-14T23:59+01:00 (UTC if no zone is given)")
    parser.add_argument("--dry-run", action="store_true", help="only say where each file would go")
    limits = parser.add_argument_group("limits for archives (an archive past one is refused, the rest collected)")
    limits.add_argument("--max-entry-size", metavar="SIZE", type=_size_argument, default=Limits.entry_bytes,
                        help=f"largest file once unpacked, e.g. 50MB (default {human_size(Limits.entry_bytes)})")
    limits.add_argument("--max-archive-size", metavar="SIZE", type=_size_argument, default=Limits.archive_bytes,
                        help="most one archive may unpack in all, archives inside it included "
                             f"(default {human_size(Limits.archive_bytes)})")
    limits.add_argument("--max-entries", metavar="N", type=_count_argument(1), default=Limits.entries,
                        help=f"most files and folders in one archive, inner ones included (default {Limits.entries})")
    limits.add_argument("--max-nesting", metavar="N", type=_count_argument(0), default=Limits.nesting,
                        help=f"how deep archives may sit inside archives (default {Limits.nesting})")


def _size_argument(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error))


def _count_argument(smallest: int):
    def count(text: str) -> int:
        if not text.strip().isdigit() or int(text) < smallest:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least {smallest}")
        return int(text)
    return count


def limits_from_args(args) -> Limits:
    return Limits(entry_bytes=args.max_entry_size, archive_bytes=args.max_archive_size,
                  entries=args.max_entries, nesting=args.max_nesting)


def run(args) -> int:
    course = Course.from_args(args)
    wanted = chosen_assignments(course, [args.assignment])[0] if args.assignment else None
    due = _parse_due(args.due) if args.due else None
    placed, skipped = plan(course, [Path(s) for s in args.source], wanted, limits_from_args(args))
    messages = collect(course, placed, due=due, dry_run=args.dry_run)
    for staging in {id(p.incoming.staging): p.incoming.staging for p in placed if p.incoming.staging}.values():
        staging.remove()  # now rather than whenever the placements are dropped
    _print_summary(course, placed, skipped, messages, args.dry_run)
    return 1 if skipped or not placed else 0


def _print_summary(course: Course, placed, skipped, messages: list[str], dry_run: bool) -> None:
    refused = [s for s in skipped if isinstance(s, Refused)]
    files = [s for s in skipped if not isinstance(s, Refused)]
    for line in messages + [f"skipped {where}: {why}" for where, why in files]:
        print(line)
    if refused:
        print("\nRefused archives:")
        for where, why in refused:
            print(f"REFUSED {where}: {why}")
    students = {p.student for p in placed}
    print(f"\n{'Would collect' if dry_run else 'Collected'} {len(placed)} submission(s) of {len(students)} "
          f"student(s) into {course.submitted}; {len(files)} file(s) could not be placed"
          + (f"; {len(refused)} archive(s) refused (listed above)." if refused else "."))


def _parse_due(text: str) -> datetime:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, OverflowError) as error:
        raise SystemExit(f"--due {text!r} is not a date nbgrader understands ({error})")


# --- reading the sources, within limits -------------------------------------------------------------
#
# An archive is untrusted input: a few MB can inflate to many GB, its names can point outside any folder,
# and its headers can lie about sizes. So every entry is streamed in chunks and its bytes are counted as
# they come out of the decompressor; the first limit crossed stops the archive. Entries go to a staging
# folder, and an archive's files join the collection only once all of it has been read.

CHUNK = 256 * 1024
UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
         "kib": 2**10, "mib": 2**20, "gib": 2**30}
CONTENTS_BYTES_PER_ENTRY = 1024  # an entry's line in a zip's table of contents: 46 bytes plus its name


@dataclass(frozen=True)
class Limits:
    """How much one source archive may unpack, archives inside it included. Counted, never read from headers."""

    entry_bytes: int = 50 * 10**6    # one file, once unpacked (and one file in a folder)
    archive_bytes: int = 200 * 10**6  # everything unpacked from one source archive
    entries: int = 10_000            # files and folders in one source archive
    nesting: int = 2                 # levels of archives inside archives


class Refused(tuple):
    """``(archive, why)`` for an archive that was not read: nothing in it was collected."""

    def __new__(cls, archive: str, why: str):
        return super().__new__(cls, (archive, why))


class _Refusal(Exception):
    """Stops reading an archive: the innermost one, or the whole source when it spent the source's budget."""

    def __init__(self, why: str, advice: str, whole_source: bool = False):
        super().__init__(why)
        self.why, self.advice, self.whole_source = why, advice, whole_source


def _raise_limit(option: str, now: int, size: bool = True) -> str:
    shown, bigger = (human_size(now), _size_text(2 * now)) if size else (str(now), str(2 * now if now else 1))
    return f"If it is genuine, raise the limit (now {shown}), e.g. {option} {bigger}"


def parse_size(text: str) -> int:
    """``50MB``, ``1.5 GB``, ``800kB``, ``64MiB`` or a plain number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match and UNITS.get(match.group(2).lower())
    if not unit or float(match.group(1)) * unit < 1:
        raise ValueError(f"{text!r} is not a size: write a number with an optional unit, e.g. 50MB, 1.5GB, 800kB")
    return int(float(match.group(1)) * unit)


def _size_text(count: int) -> str:
    """A size as the command line takes it: 100MB."""
    return human_size(count).replace(" ", "") if count >= 1000 else str(count)


def human_size(count: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            return f"{count / size:.4g} {unit}"
    return f"{count} bytes"


class _Reader:
    """Turns sources into incoming files; archives are read as streams within ``limits``."""

    def __init__(self, limits: Limits, staging_parent: Path | None):
        self.limits, self.staging_parent = limits, staging_parent
        self.skipped: list[tuple[str, str]] = []
        self.refused: list[Refused] = []
        self._staging: _Staging | None = None
        self._count = 0
        self._spent = {"bytes": 0, "entries": 0}  # by the source archive being read

    def read(self, source: Path) -> list[Incoming]:
        if source.is_dir():
            return self._folder(source)
        if not source.is_file():
            raise SystemExit(f"{source} does not exist")
        if source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
            return self._source_archive(source)
        return self._loose(source, (source.name,), source.stat())  # named on the command line: links followed

    # folders and loose files: already on disk, read in place -------------------------------------------
    def _folder(self, folder: Path) -> list[Incoming]:
        paths = []
        for top, dirs, files in os.walk(folder):  # a link to a folder is listed in dirs but not entered
            links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
            paths += [Path(top, name) for name in files + links]
        return [f for path in sorted(paths) for f in self._loose(path, path.relative_to(folder).parts, path.lstat())]

    def _loose(self, path: Path, parts: tuple[str, ...], info: os.stat_result) -> list[Incoming]:
        display = str(path)
        if stat.S_ISLNK(info.st_mode):
            self.skipped.append((display, "a symbolic link; collect reads only real files (copy the file itself)"))
        elif not stat.S_ISREG(info.st_mode):
            self.skipped.append((display, "not a regular file"))
        elif info.st_size > self.limits.entry_bytes:
            self.skipped.append((display, "larger than the limit for one file. "
                                 + _raise_limit("--max-entry-size", self.limits.entry_bytes)))
        else:
            return [Incoming(display, parts, path)]
        return []

    # archives ------------------------------------------------------------------------------------------
    def _source_archive(self, source: Path) -> list[Incoming]:
        self._spent = {"bytes": 0, "entries": 0}
        folder = self._new_folder(self._staging_root())
        try:
            return self._archive(source, str(source), (), 0, folder)
        except _Refusal as refusal:
            shutil.rmtree(folder, ignore_errors=True)
            self._refuse(str(source), refusal, "")
            return []

    def _archive(self, path: Path, display: str, prefix: tuple[str, ...], depth: int, folder: Path) -> list[Incoming]:
        try:
            with zipfile.ZipFile(self._checked_contents(path)) as archive:
                infos = self._checked_entries(archive.infolist())
                found = []
                for info in infos:
                    found += self._entry(archive, info, display, prefix, depth, folder)
                return found
        except _Refusal:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, ValueError) as error:
            raise _Refusal(f"it is damaged or not a zip file ({error})", "Ask for a new copy")
        except NotImplementedError as error:  # before RuntimeError, of which it is a kind
            raise _Refusal(f"it uses a compression Python cannot read ({error})", "Ask for an ordinary zip")
        except RuntimeError as error:  # zipfile's word for a password-protected entry
            raise _Refusal(f"it is protected by a password ({error})", "Ask for an archive without one")

    def _entry(self, archive, info, display, prefix, depth, folder) -> list[Incoming]:
        if info.is_dir():
            return []
        parts, where = prefix + _entry_parts(info.filename), f"{display}:{info.filename}"
        name = parts[-1].lower()
        if name.endswith(".zip"):  # platforms zip each learner's upload inside the export
            inner_prefix = parts[:-1] + (Path(parts[-1]).stem,)
            return self._inner_archive(archive, info, (display, where), inner_prefix, depth, folder)
        keep = name.endswith(".ipynb") or name == "timestamp.txt"  # the rest is only named in the summary
        target = folder / f"{self._next():06d}" if keep else None
        too_big = f"its entry {info.filename!r} unpacks to more than the limit for one file"
        self._inflate(archive, info, target, too_big)  # read even when not kept: a bomb is a bomb
        return [Incoming(where, parts, target, self._staging)]

    def _inner_archive(self, archive, info, names: tuple[str, str], prefix, depth, folder) -> list[Incoming]:
        outer, where = names
        inner = self._new_folder(folder)
        try:
            if depth + 1 > self.limits.nesting:
                raise _Refusal(f"it is an archive inside archives {depth + 1} levels deep, past the limit",
                               _raise_limit("--max-nesting", self.limits.nesting, size=False))
            self._inflate(archive, info, inner / "archive.zip", "it is larger than the limit for one file")
            found = self._archive(inner / "archive.zip", where, prefix, depth + 1, inner)
            (inner / "archive.zip").unlink()
            return found
        except _Refusal as refusal:
            shutil.rmtree(inner, ignore_errors=True)
            if refusal.whole_source:
                raise
            self._refuse(where, refusal, outer)
            return []

    def _checked_contents(self, path: Path) -> Path:
        """zipfile loads a whole table of contents before it can be counted: refuse an oversized one first."""
        end_record = getattr(zipfile, "_EndRecData", None)  # zipfile's own reader of the record at the end
        if end_record is None:
            return path
        with open(path, "rb") as file:
            end = end_record(file)
        if end is None:
            raise zipfile.BadZipFile("File is not a zip file")
        declared, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
        if declared > self.limits.entries:
            raise _Refusal(f"it lists {declared} files and folders, more than the limit",
                           _raise_limit("--max-entries", self.limits.entries, size=False))
        if size > self.limits.entries * CONTENTS_BYTES_PER_ENTRY:  # the count may lie; zipfile reads this size
            raise _Refusal(f"its table of contents ({human_size(size)}) is too large for the limit on entries",
                           _raise_limit("--max-entries", self.limits.entries, size=False))
        return path

    def _checked_entries(self, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        if len(infos) > self.limits.entries:  # too many on its own: refuse it before spending the source's budget
            raise _Refusal(f"it lists {len(infos)} files and folders, more than the limit",
                           _raise_limit("--max-entries", self.limits.entries, size=False))
        self._spend("entries", len(infos), "it holds more files and folders than the limit (archives inside it "
                                           "included)", _raise_limit("--max-entries", self.limits.entries, size=False))
        for info in infos:
            problem = _unsafe_entry(info)
            if problem:
                raise _Refusal(f"its entry {info.filename!r} {problem}",
                               "A genuine export has no such entry: ask for a new archive")
        return infos

    def _inflate(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path | None, too_big: str) -> None:
        """Stream one entry out (to `target`, if kept), counting the bytes the decompressor gives: headers lie."""
        size = 0
        with archive.open(info) as entry, (open(target, "wb") if target else contextlib.nullcontext()) as out:
            while chunk := entry.read(CHUNK):
                size += len(chunk)
                if size > self.limits.entry_bytes:
                    raise _Refusal(too_big, _raise_limit("--max-entry-size", self.limits.entry_bytes))
                self._spend("bytes", len(chunk), "it unpacks to more than the limit for one archive (archives "
                                                 "inside it included)",
                            _raise_limit("--max-archive-size", self.limits.archive_bytes))
                if out:
                    out.write(chunk)

    def _spend(self, what: str, amount: int, why: str, advice: str) -> None:
        self._spent[what] += amount
        if self._spent[what] > (self.limits.archive_bytes if what == "bytes" else self.limits.entries):
            raise _Refusal(why, advice, whole_source=True)

    def _refuse(self, where: str, refusal: _Refusal, outer: str) -> None:
        rest = f" (the rest of {outer} was read)" if outer else ""
        self.refused.append(Refused(where, f"{refusal.why}; nothing from it was collected{rest}. {refusal.advice}."))

    # staging ---------------------------------------------------------------------------------------------
    def _staging_root(self) -> Path:
        if self._staging is None:  # beside the results when it can: /tmp is often kept in memory (tmpfs)
            parent = self.staging_parent if self.staging_parent and self.staging_parent.is_dir() else None
            self._staging = _Staging(parent)
        return self._staging.path

    def _new_folder(self, parent: Path) -> Path:
        folder = parent / f"a{self._next():06d}"
        folder.mkdir()
        return folder

    def _next(self) -> int:
        self._count += 1
        return self._count


class _Staging:
    """A folder of unpacked files, removed once no incoming file refers to it any more."""

    def __init__(self, parent: Path | None):
        self.path = Path(tempfile.mkdtemp(prefix=".collecting-", dir=parent))
        self.remove = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


def _entry_parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))


def _unsafe_entry(info: zipfile.ZipInfo) -> str | None:
    """Why an entry could write outside any folder it is unpacked into, if it could."""
    name, mode = info.filename.replace("\\", "/"), info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is a device or another special file"
    if not _entry_parts(name):
        return "has no name"
    if "\0" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in name.split("/"):
        return "climbs out of the archive with '..'"
    return None


# --- placing ------------------------------------------------------------------------------------------

def plan(course: Course, sources: list[Path], assignment: str | None = None,
         limits: Limits | None = None) -> tuple[list[Placement], list[tuple[str, str]]]:
    """Decide where every file goes; returns (placements, [(file, why it cannot be placed)]).

    Refused archives are in the second list too, as ``Refused`` pairs ``(archive, why)``.
    """
    reader = _Reader(limits or Limits(), course.workdir)
    files = [f for s in sources for f in reader.read(s) if not JUNK.search("/".join(f.parts))]
    timestamps = {f.parts[:-1]: f.head().decode("utf-8", "replace").strip() for f in files
                  if f.parts[-1] == "timestamp.txt"}
    placed, skipped = [], list(reader.skipped)
    for incoming in files:
        if incoming.parts[-1] == "timestamp.txt":
            continue
        if not incoming.parts[-1].endswith(".ipynb"):
            skipped.append((incoming.display, _not_a_notebook(incoming.parts[-1])))
            continue
        placement = _nbgrader_layout(course, incoming, assignment, timestamps)
        placement = placement or _platform_export(course, incoming, assignment)
        if isinstance(placement, str):
            skipped.append((incoming.display, placement))
        else:
            placed.append(placement)
    placed, duplicates = _one_per_notebook(placed)
    return placed, skipped + duplicates + reader.refused


def _not_a_notebook(name: str) -> str:
    if OTHER_ARCHIVES.search(name):
        return "an archive collect does not open (it reads zip files); unpack it into a folder and collect that"
    return "not a notebook (.ipynb)"


def _nbgrader_layout(course: Course, incoming: Incoming, assignment: str | None, timestamps) -> Placement | str | None:
    parts = incoming.parts
    if len(parts) < 3 or parts[-2] not in (course.assignments() if assignment is None else [assignment]):
        return None
    name, names, shape = Path(parts[-1]).stem, course.notebook_names(parts[-2]), "nbgrader layout"
    if name not in names:
        if len(names) != 1:
            return f"{parts[-2]} has no notebook called {parts[-1]} (it has {', '.join(names)})"
        name, shape = names[0], f"nbgrader layout, renamed from {parts[-1]}"
    return Placement(incoming, safe_id(parts[-3]), parts[-2], name, shape, timestamps.get(parts[:-1]))


def _platform_export(course: Course, incoming: Incoming, assignment: str | None) -> Placement | str:
    student = _student_from_name(incoming.parts)
    if not student:
        return ("cannot tell whose it is: expected <student>/<assignment>/<notebook>.ipynb or "
                "<student>_<anything>.ipynb")
    nb = _notebook_or_none(incoming.data)
    target = assignment or _assignment_from_path(course, incoming.parts) or _assignment_from_cells(course, nb)
    if not target:
        return ("cannot tell which assignment it is: no assignment name in its path, "
                + ("and its graded cells match no release" if nb is not None else "and it is not a valid notebook")
                + "; use --assignment")
    notebook = _notebook_in(course, target, incoming.parts[-1], nb)
    if not notebook:
        return f"cannot tell which notebook of {target} it is; name the file after it"
    return Placement(incoming, safe_id(student), target, notebook, "platform export")


def _student_from_name(parts: tuple[str, ...]) -> str:
    for name in (Path(parts[-1]).stem, *reversed(parts[:-1])):
        if "_" in name and name.split("_", 1)[0].strip():
            return name.split("_", 1)[0].strip()
    return ""


def _assignment_from_path(course: Course, parts: tuple[str, ...]) -> str | None:
    tokens = {t.lower() for part in parts for t in re.split(r"[^A-Za-z0-9-]+", Path(part).stem) if t}
    hits = [a for a in course.assignments() if a.lower() in tokens]
    return hits[0] if len(hits) == 1 else None


def _notebook_or_none(data: bytes):
    import nbformat

    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:  # any unreadable file: decided by the caller
        return None


def _ids(nb) -> set[str]:
    return set(graded_cells(nb)) if nb is not None else set()


def _assignment_from_cells(course: Course, nb) -> str | None:
    ids = _ids(nb)
    if not ids:
        return None
    overlap = {}
    for assignment in course.assignments():
        released = set()
        for path in course.release_dir(assignment).glob("*.ipynb"):
            released |= set(graded_cells(_notebook_or_none(path.read_bytes())))
        overlap[assignment] = len(ids & released)
    best = max(overlap, key=overlap.get, default=None)
    return best if best and overlap[best] else None


def _notebook_in(course: Course, assignment: str, file_name: str, nb) -> str | None:
    names = course.notebook_names(assignment)
    if len(names) == 1:
        return names[0]
    named = [n for n in names if n.lower() in file_name.lower()]
    if len(named) == 1:
        return named[0]
    ids = _ids(nb)
    overlap = {n: len(ids & set(graded_cells(_notebook_or_none((course.release_dir(assignment) / f"{n}.ipynb")
                                                              .read_bytes())))) for n in names}
    best = max(overlap, key=overlap.get, default=None)
    return best if best and overlap[best] else None


def safe_id(text: str) -> str:
    """A student id nbgrader can use as a folder name."""
    return SAFE_ID.sub("-", text.strip()).strip(".-") or "unknown"


def _one_per_notebook(placed: list[Placement]) -> tuple[list[Placement], list[tuple[str, str]]]:
    """Two files for the same notebook of the same student: keep the later (by timestamp, else by name)."""
    kept: dict[tuple, Placement] = {}
    dropped = []
    for placement in placed:
        key = (placement.student, placement.assignment, placement.notebook)
        other = kept.get(key)
        if other is None:
            kept[key] = placement
            continue
        if filecmp.cmp(other.incoming.path, placement.incoming.path, shallow=False):
            dropped.append((placement.incoming.display, f"same file as {other.incoming.display}"))
            continue
        newer, older = (placement, other) if _later(placement, other) else (other, placement)
        kept[key] = newer
        dropped.append((older.incoming.display, f"a second submission of {'/'.join(key)}; kept the later one, "
                                                f"{newer.incoming.display}"))
    return list(kept.values()), dropped


def _later(a: Placement, b: Placement) -> bool:
    if a.timestamp and b.timestamp:
        return a.timestamp > b.timestamp
    return a.incoming.display > b.incoming.display


# --- writing ------------------------------------------------------------------------------------------

def collect(course: Course, placed: list[Placement], due: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Copy the placed files into the submitted folder; returns one message per submission."""
    messages = []
    if not dry_run:
        course.workdir.mkdir(parents=True, exist_ok=True)
    for assignment in sorted({p.assignment for p in placed}):
        if due is not None and not dry_run:
            gradebook.set_due_date(course.db_url, assignment, due)
        deadline = due or (gradebook.due_date(course.db_url, assignment) if course.has_gradebook() else None)
        for p in sorted((p for p in placed if p.assignment == assignment), key=lambda p: p.student):
            where = f"{p.student}/{p.assignment}/{p.notebook}.ipynb"
            line = f"placed  {where}  <- {p.incoming.display} ({p.shape})"
            if p.timestamp and deadline and p.timestamp > deadline:
                line += f"\nLATE    {p.student}/{p.assignment}: submitted {p.timestamp:%Y-%m-%d %H:%M} UTC, " \
                        f"{duration((p.timestamp - deadline).total_seconds())} after the due date"
            messages.append(line)
    if not dry_run:
        for p in placed:
            _write(course, p)
        _remember_origins(course, placed)
    return messages


def _write(course: Course, p: Placement) -> None:
    folder = course.submitted / p.student / p.assignment
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{p.notebook}.ipynb.partial"
    shutil.copyfile(p.incoming.path, partial)  # in chunks; a crash never leaves half a notebook in place
    os.replace(partial, folder / f"{p.notebook}.ipynb")
    stamp = folder / "timestamp.txt"
    if p.timestamp_text:
        stamp.write_text(p.timestamp_text + "\n")
    elif stamp.exists():
        stamp.unlink()  # a resubmission without a time: an older time would be wrong


def _remember_origins(course: Course, placed: list[Placement]) -> None:
    """Where each submitted file came from, for the instructor's questions later."""
    log = course.workdir / "collected.json"
    known = json.loads(log.read_text()) if log.exists() else {}
    for p in placed:
        known[f"{p.student}/{p.assignment}/{p.notebook}"] = {"from": p.incoming.display, "shape": p.shape,
                                                              "timestamp": p.timestamp_text}
    log.write_text(json.dumps(known, indent=1, sort_keys=True))
