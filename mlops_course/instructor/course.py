"""Where the instructor's working files live, and the nbgrader configuration that points at them.

The course root is an nbgrader course: ``solutions/`` is the source, ``exercises/`` the release (see
``grader/nbgrader_config.py``). Student data -- submissions, autograded notebooks, feedback, the
gradebook -- lives in a separate *working folder*, ``grader/course/`` by default (git-ignored). Every
instructor command takes ``--workdir`` so that a demo or a second term can use another folder without
touching the real one; ``MLOPS_COURSE_WORKDIR`` sets the default, as it does for plain ``nbgrader``.

The gradebook is a SQLite file in the working folder unless ``MLOPS_COURSE_DB_URL`` names a database
server (``postgresql:///gradebook?host=/run/postgresql``), as a class with several graders needs; plain
``nbgrader`` and the Formgrader read the same variable (``grader/nbgrader_config.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlops_course.grading.hygiene import assignments
from mlops_course.paths import course_root, grader_dir

DEFAULT_WORKDIR = "grader/course"
DB_URL_VARIABLE = "MLOPS_COURSE_DB_URL"


@dataclass(frozen=True)
class Course:
    """The course root and one working folder of student data."""

    root: Path
    workdir: Path

    @classmethod
    def from_args(cls, args) -> "Course":
        return cls.at(getattr(args, "workdir", None))

    @classmethod
    def at(cls, workdir: str | Path | None = None) -> "Course":
        root = course_root()
        chosen = Path(workdir or os.environ.get("MLOPS_COURSE_WORKDIR") or DEFAULT_WORKDIR).expanduser()
        return cls(root, chosen if chosen.is_absolute() else (root / chosen).resolve())

    # nbgrader's folders ------------------------------------------------------------------------------
    @property
    def submitted(self) -> Path:
        return self.workdir / "submitted"

    @property
    def autograded(self) -> Path:
        return self.workdir / "autograded"

    @property
    def feedback(self) -> Path:
        return self.workdir / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.workdir / "gradebook.db"

    @property
    def db_url(self) -> str:
        return os.environ.get(DB_URL_VARIABLE) or f"sqlite:///{self.gradebook}"

    def has_gradebook(self) -> bool:
        """Whether grades can already be in the gradebook: its SQLite file exists (wherever ``db_url`` puts it),
        or it is on a server."""
        from sqlalchemy.engine import make_url

        url = make_url(self.db_url)
        if url.get_backend_name() != "sqlite":
            return True
        return bool(url.database) and url.database != ":memory:" and Path(url.database).exists()

    # this toolkit's folders ------------------------------------------------------------------------
    @property
    def results(self) -> Path:
        """One JSON record per graded submission: status, reasons, scores, time (see ``results.py``)."""
        return self.workdir / "results"

    @property
    def exports(self) -> Path:
        return self.workdir / "exports"

    @property
    def report(self) -> Path:
        return self.workdir / "report.html"

    # the course's assignments ---------------------------------------------------------------------
    def assignments(self) -> list[str]:
        return assignments(self.root)

    def source_dir(self, assignment: str) -> Path:
        return self.root / "solutions" / assignment

    def release_dir(self, assignment: str) -> Path:
        return self.root / "exercises" / assignment

    def notebook_names(self, assignment: str) -> list[str]:
        """The assignment's notebooks, without ``.ipynb``."""
        return sorted(p.stem for p in self.source_dir(assignment).glob("*.ipynb"))

    def submitted_students(self, assignment: str) -> list[str]:
        if not self.submitted.is_dir():
            return []
        return sorted(p.parent.name for p in self.submitted.glob(f"*/{assignment}") if p.is_dir())

    def submitted_assignments(self) -> list[str]:
        """Assignments that have at least one submission, in the order of ``solutions/``."""
        present = {p.name for p in self.submitted.glob("*/*") if p.is_dir()} if self.submitted.is_dir() else set()
        return [a for a in self.assignments() if a in present]


def add_workdir_argument(parser) -> None:
    parser.add_argument("--workdir", metavar="DIR", help="working folder with the student data "
                                                          f"(default: $MLOPS_COURSE_WORKDIR or {DEFAULT_WORKDIR})")


def load_course_config():
    """The course's nbgrader settings (``grader/nbgrader_config.py``) as a traitlets ``Config``."""
    from traitlets.config.loader import PyFileConfigLoader

    config_file = grader_dir() / "nbgrader_config.py"
    return PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()


def course_config(course: Course):
    """The course's nbgrader configuration, with nbgrader's working folders in ``course.workdir``."""
    config = load_course_config()
    directories = config.CourseDirectory
    directories.root = str(course.root)
    directories.submitted_directory = str(course.submitted)
    directories.autograded_directory = str(course.autograded)
    directories.feedback_directory = str(course.feedback)
    directories.db_url = course.db_url
    return config


def chosen_assignments(course: Course, names: list[str] | None) -> list[str]:
    """The assignments named on the command line, checked against ``solutions/``; default: all."""
    known = course.assignments()
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {', '.join(unknown)}; the course has: {', '.join(known) or 'none'}")
    return list(names) if names else known


def scratch_course(target: Path, sources: dict[str, Path], release_copies: bool = False) -> Path:
    """A throw-away course folder: the grader configuration and the given assignment sources.

    For trying a new assignment in isolation, and for tests; point ``MLOPS_COURSE_ROOT`` at the result.
    ``release_copies`` puts a copy of each source in ``exercises/`` (same grade ids, no nbgrader run) for
    checks that only need the cells' ids; run ``mlops-course release`` for the real release.
    """
    import shutil

    (target / "grader").mkdir(parents=True, exist_ok=True)
    for name in ("nbgrader_config.py", "header.ipynb"):
        shutil.copyfile(grader_dir() / name, target / "grader" / name)
    shutil.copyfile(course_root() / "nbgrader_config.py", target / "nbgrader_config.py")
    for assignment, source in sources.items():
        shutil.copytree(source, target / "solutions" / assignment, dirs_exist_ok=True)
        if release_copies:
            shutil.copytree(source, target / "exercises" / assignment, dirs_exist_ok=True)
    return target
