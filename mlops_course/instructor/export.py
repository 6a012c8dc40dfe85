"""``mlops-course export``: the class's grades as CSV files.

Scores come from nbgrader's gradebook, so manual grades given in the formgrader after autograding
count; the status of each submission (not gradable and why, late) comes from the grading records.

- ``grades.csv``: one row per student: every question's score, each assignment's total, maximum, status
  and lateness, and the overall total;
- ``lms.csv``: one row per student, one numeric column per assignment and the total -- the shape that
  learning platforms import (map ``student_id`` to the platform's login or e-mail column);
- ``grades_long.csv``: one row per student and question, with the failing message, for pivot tables.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.grading.cells import graded_cells, read_notebook
from mlops_course.instructor import results
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments
from mlops_course.instructor.results import FAILED

GRADED, MANUAL, NOT_GRADABLE, MISSING = "graded", "needs manual grading", "not gradable", "not submitted"
NEEDS_REVIEW = "needs review"  # the grader saw tampering: autograded points withheld until a person looks


@dataclass(frozen=True)
class Question:
    assignment: str
    notebook: str
    grade_id: str
    max_score: float
    manual: bool

    def column(self, single_notebook: bool) -> str:
        return f"{self.assignment}.{self.grade_id}" if single_notebook else \
            f"{self.assignment}.{self.notebook}.{self.grade_id}"


@dataclass
class Entry:
    """One student's result on one assignment."""

    student: str
    assignment: str
    status: str
    scores: dict[tuple[str, str], float | None] = field(default_factory=dict)  # (notebook, grade_id)
    max_score: float = 0.0
    late_penalty: float = 0.0
    seconds_late: float = 0.0
    reasons: list[str] = field(default_factory=list)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return max(0.0, sum(s or 0.0 for s in self.scores.values()) - self.late_penalty)


@dataclass
class ClassGrades:
    questions: dict[str, list[Question]]
    entries: dict[tuple[str, str], Entry]
    roster: set[str] = field(default_factory=set)   # students in the gradebook, with or without submissions

    @property
    def assignments(self) -> list[str]:
        return list(self.questions)

    @property
    def students(self) -> list[str]:
        return sorted(self.roster | {student for student, _ in self.entries})

    def entry(self, student: str, assignment: str) -> Entry:
        found = self.entries.get((student, assignment))
        if found is None:
            max_score = sum(q.max_score for q in self.questions[assignment])
            found = Entry(student, assignment, MISSING, max_score=max_score)
        return found


def questions_of(course: Course, assignment: str) -> list[Question]:
    """Every graded cell of the assignment's source notebooks, in notebook order."""
    found = []
    for path in sorted(course.source_dir(assignment).glob("*.ipynb")):
        for grade_id, cell in graded_cells(read_notebook(path)).items():
            meta = cell.metadata["nbgrader"]
            if meta.get("grade"):
                found.append(Question(assignment, path.stem, grade_id, float(meta["points"]),
                                      bool(meta.get("solution"))))
    return found


def gather(course: Course, assignments: list[str] | None = None) -> ClassGrades:
    """Scores from the gradebook, statuses from the grading records, for every graded submission."""
    from nbgrader.api import MissingEntry

    from mlops_course.instructor.gradebook import opened

    names = assignments or [a for a in course.assignments() if (course.results / a).is_dir()]
    questions = {a: questions_of(course, a) for a in names}
    entries, roster = {}, set()
    if not course.has_gradebook():
        return ClassGrades(questions, entries)
    with opened(course.db_url) as gradebook:
        roster = {student.id for student in gradebook.students}  # e.g. `nbgrader db student import`
        for record in results.load_all(course.results, names):
            max_score = sum(q.max_score for q in questions[record.assignment])
            entry = Entry(record.student, record.assignment, GRADED, max_score=max_score,
                          seconds_late=record.seconds_late, reasons=list(record.reasons),
                          messages={(c.notebook, c.grade_id): c.message for c in record.cells if c.message})
            if record.status == FAILED:
                entry.status = NOT_GRADABLE
                entry.scores = {(q.notebook, q.grade_id): 0.0 for q in questions[record.assignment]}
            else:
                try:
                    _read_scores(gradebook.find_submission(record.assignment, record.student), entry)
                except MissingEntry:
                    entry.status = NOT_GRADABLE
                    entry.reasons.append("missing from the gradebook: run `mlops-course autograde --force`")
            if record.review and entry.status != NOT_GRADABLE:
                entry.status = NEEDS_REVIEW
                entry.reasons += record.review + [f"{record.withheld:g} autograded point(s) withheld"]
            entries[(record.student, record.assignment)] = entry
    return ClassGrades(questions, entries, roster)


def _read_scores(submission, entry: Entry) -> None:
    entry.late_penalty = float(submission.late_submission_penalty or 0)
    entry.seconds_late = float(submission.total_seconds_late or 0)  # the gradebook's due date is the truth
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            waiting = grade.needs_manual_grade
            entry.scores[(notebook.name, grade.name)] = None if waiting else float(grade.score)
    if any(score is None for score in entry.scores.values()):
        entry.status = MANUAL


# --- writing ---------------------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    add_selection_arguments(parser, "export")
    parser.add_argument("--out", metavar="DIR", help="folder for the CSV files (default: WORKDIR/exports)")


def add_selection_arguments(parser, verb: str) -> None:
    """The assignments and working folder that ``export`` and ``report`` read."""
    parser.add_argument("assignment", nargs="*", help=f"assignments to {verb} (default: all that were graded)")
    add_workdir_argument(parser)


def graded_class(args) -> tuple[Course, ClassGrades | None]:
    """The course and its grades for the chosen assignments; ``None`` (with a hint) when nothing is graded."""
    course = Course.from_args(args)
    names = chosen_assignments(course, args.assignment) if args.assignment else None
    grades = gather(course, names)
    if not grades.entries:
        print("nothing graded yet: run `mlops-course autograde` first")
        return course, None
    return course, grades


def run(args) -> int:
    course, grades = graded_class(args)
    if grades is None:
        return 1
    out = Path(args.out) if args.out else course.exports
    for path in write_exports(grades, out):
        print(f"wrote {path}")
    waiting = [e for e in grades.entries.values() if e.status == MANUAL]
    if waiting:
        print(f"{len(waiting)} submission(s) still need manual grading; their totals leave those answers out.")
    return 0


def write_exports(grades: ClassGrades, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [_write(out / "grades.csv", *grades_table(grades)), _write(out / "lms.csv", *lms_table(grades)),
            _write(out / "grades_long.csv", *long_table(grades))]


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def grades_table(grades: ClassGrades) -> tuple[list[str], list[list]]:
    header = ["student_id"]
    for assignment, questions in grades.questions.items():
        single = len({q.notebook for q in questions}) == 1
        header += [q.column(single) for q in questions]
        header += [f"{assignment}.total", f"{assignment}.max", f"{assignment}.status", f"{assignment}.late_minutes"]
    header += ["total", "max"]
    rows = []
    for student in grades.students:
        row, total, maximum = [student], 0.0, 0.0
        for assignment, questions in grades.questions.items():
            entry = grades.entry(student, assignment)
            row += [_number(entry.scores.get((q.notebook, q.grade_id))) for q in questions]
            status = entry.status + (": " + "; ".join(entry.reasons) if entry.status in (NOT_GRADABLE, NEEDS_REVIEW)
                                     else "")
            row += [_number(entry.total), _number(entry.max_score), status,
                    _number(round(entry.seconds_late / 60, 1)) if entry.seconds_late else ""]
            total += entry.total
            maximum += entry.max_score
        rows.append(row + [_number(total), _number(maximum)])
    return header, rows


def lms_table(grades: ClassGrades) -> tuple[list[str], list[list]]:
    header = ["student_id"] + grades.assignments + ["total"]
    rows = []
    for student in grades.students:
        totals = [grades.entry(student, a).total for a in grades.assignments]
        rows.append([student] + [f"{t:.2f}" for t in totals] + [f"{sum(totals):.2f}"])
    return header, rows


def long_table(grades: ClassGrades) -> tuple[list[str], list[list]]:
    header = ["student_id", "assignment", "notebook", "grade_id", "kind", "score", "max_score", "status", "message"]
    rows = []
    for student in grades.students:
        for assignment, questions in grades.questions.items():
            entry = grades.entry(student, assignment)
            for q in questions:
                key = (q.notebook, q.grade_id)
                rows.append([student, assignment, q.notebook, q.grade_id, "manual" if q.manual else "auto",
                             _number(entry.scores.get(key)), _number(q.max_score), entry.status,
                             entry.messages.get(key, "")])
    return header, rows
