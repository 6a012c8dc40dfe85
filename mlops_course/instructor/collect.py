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
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from mlops_course.grading.cells import graded_cells
from mlops_course.instructor import gradebook
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments
from mlops_course.instructor.progress import duration

JUNK = re.compile(r"(^|/)(__MACOSX|\.ipynb_checkpoints|\.DS_Store|Thumbs\.db|desktop\.ini)(/|$)")
SAFE_ID = re.compile(r"[^A-Za-z0-9._@-]+")


@dataclass
class Incoming:
    """One file found in the sources."""

    display: str                 # where it came from, for messages
    parts: tuple[str, ...]       # its path inside the folder or zip
    data: bytes


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


def run(args) -> int:
    course = Course.from_args(args)
    wanted = chosen_assignments(course, [args.assignment])[0] if args.assignment else None
    placed, skipped = plan(course, [Path(s) for s in args.source], wanted)
    due = _parse_due(args.due) if args.due else None
    messages = collect(course, placed, due=due, dry_run=args.dry_run)
    for line in messages + [f"skipped {where}: {why}" for where, why in skipped]:
        print(line)
    students = {p.student for p in placed}
    print(f"\n{'Would collect' if args.dry_run else 'Collected'} {len(placed)} submission(s) of {len(students)} "
          f"student(s) into {course.submitted}; {len(skipped)} file(s) could not be placed.")
    return 1 if skipped or not placed else 0


def _parse_due(text: str) -> datetime:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, OverflowError) as error:
        raise SystemExit(f"--due {text!r} is not a date nbgrader understands ({error})")


# --- reading the sources ---------------------------------------------------------------------------

def incoming_files(source: Path) -> list[Incoming]:
    if source.is_dir():
        return [Incoming(str(p), p.relative_to(source).parts, p.read_bytes())
                for p in sorted(source.rglob("*")) if p.is_file()]
    if zipfile.is_zipfile(source):
        return _zip_files(zipfile.ZipFile(source), str(source))
    if source.is_file():
        return [Incoming(str(source), (source.name,), source.read_bytes())]
    raise SystemExit(f"{source} does not exist")


def _zip_files(archive: zipfile.ZipFile, display: str, prefix: tuple[str, ...] = ()) -> list[Incoming]:
    found = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        data, parts = archive.read(info), prefix + PurePosixPath(info.filename).parts
        if info.filename.lower().endswith(".zip"):  # platforms zip each learner's upload inside the export
            inner = zipfile.ZipFile(io.BytesIO(data))
            found += _zip_files(inner, f"{display}:{info.filename}", parts[:-1] + (Path(parts[-1]).stem,))
        else:
            found.append(Incoming(f"{display}:{info.filename}", parts, data))
    return found


# --- placing ------------------------------------------------------------------------------------------

def plan(course: Course, sources: list[Path],
         assignment: str | None = None) -> tuple[list[Placement], list[tuple[str, str]]]:
    """Decide where every file goes; returns (placements, [(file, why it cannot be placed)])."""
    files = [f for s in sources for f in incoming_files(s) if not JUNK.search("/".join(f.parts))]
    timestamps = {f.parts[:-1]: f.data.decode("utf-8", "replace").strip() for f in files
                  if f.parts[-1] == "timestamp.txt"}
    placed, skipped = [], []
    for incoming in files:
        if incoming.parts[-1] == "timestamp.txt":
            continue
        if not incoming.parts[-1].endswith(".ipynb"):
            skipped.append((incoming.display, "not a notebook (.ipynb)"))
            continue
        placement = _nbgrader_layout(course, incoming, assignment, timestamps)
        placement = placement or _platform_export(course, incoming, assignment)
        if isinstance(placement, str):
            skipped.append((incoming.display, placement))
        else:
            placed.append(placement)
    placed, duplicates = _one_per_notebook(placed)
    return placed, skipped + duplicates


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
        if other.incoming.data == placement.incoming.data:
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
        deadline = due or (gradebook.due_date(course.db_url, assignment) if course.gradebook.exists() else None)
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
    (folder / f"{p.notebook}.ipynb").write_bytes(p.incoming.data)
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
