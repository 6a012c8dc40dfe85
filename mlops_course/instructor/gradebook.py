"""Move assignments and grades between nbgrader gradebooks, through nbgrader's own ``Gradebook`` API.

SQLite allows one writer at a time, and nbgrader opens the gradebook for every notebook it grades, so
parallel graders each write a private gradebook. Only the parent process writes the course's, one
submission at a time, in the same way ``nbgrader autograde`` would: the assignment's cells as
``generate_assignment`` records them (``SaveCells``), the scores as ``SaveAutoGrades`` records them --
which keeps any manual grade an instructor already gave.
"""

from __future__ import annotations

import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def opened(*urls: str):
    """Open gradebooks quietly: nbgrader 0.9 trips SQLAlchemy 2 notices (SAWarning) that need no action."""
    from nbgrader.api import Gradebook

    # A new gradebook asks the `alembic` command of nbgrader's environment for its schema version.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        books = [Gradebook(url) for url in urls]
        try:
            yield books[0] if len(books) == 1 else books
        finally:
            for book in books:
                book.close()


def _missing():
    from nbgrader.api import MissingEntry

    return MissingEntry


class GradebookMismatch(RuntimeError):
    """The course gradebook holds submissions graded against another version of an assignment."""


def _cell_names(notebook) -> tuple:
    return (sorted(c.name for c in notebook.grade_cells), sorted(c.name for c in notebook.solution_cells),
            sorted(c.name for c in notebook.task_cells), sorted(c.name for c in notebook.source_cells))


def sync_assignment(template_db: Path, course_url: str, assignment: str) -> None:
    """Record the assignment's notebooks and cells in the course gradebook as the template has them.

    The due date already set in the course gradebook (``collect --due`` or ``nbgrader db assignment``)
    is kept. Like nbgrader's ``SaveCells``, a notebook with submissions may only change its cells'
    contents, not which cells it has.
    """
    with opened(f"sqlite:///{template_db}", course_url) as (source, course):
        course.update_or_create_assignment(assignment)
        for notebook in source.find_assignment(assignment).notebooks:
            _sync_notebook(course, assignment, notebook)


def _sync_notebook(course, assignment: str, notebook) -> None:
    try:
        existing = course.find_notebook(notebook.name, assignment)
    except _missing():
        existing = None
    if existing is not None and existing.submissions:
        if _cell_names(existing) != _cell_names(notebook):
            raise GradebookMismatch(
                f"the course gradebook has submissions of {assignment}/{notebook.name} graded against a version "
                "with other graded cells; grade the new version in a fresh --workdir, or remove the old "
                "submissions with `nbgrader db assignment remove`")
    else:
        if existing is not None:
            course.remove_notebook(notebook.name, assignment)
        course.add_notebook(notebook.name, assignment, kernelspec=notebook.kernelspec)
    for cell in notebook.grade_cells:
        course.update_or_create_grade_cell(cell.name, notebook.name, assignment,
                                           max_score=cell.max_score, cell_type=cell.cell_type)
    for cell in notebook.solution_cells:
        course.update_or_create_solution_cell(cell.name, notebook.name, assignment)
    for cell in notebook.task_cells:
        course.update_or_create_task_cell(cell.name, notebook.name, assignment,
                                          max_score=cell.max_score, cell_type=cell.cell_type)
    for cell in notebook.source_cells:
        course.update_or_create_source_cell(cell.name, notebook.name, assignment, cell_type=cell.cell_type,
                                            locked=cell.locked, source=cell.source, checksum=cell.checksum)


def set_due_date(course_url: str, assignment: str, due) -> None:
    with opened(course_url) as course:
        course.update_or_create_assignment(assignment, duedate=due)


def due_date(course_url: str, assignment: str):
    """The assignment's due date in the course gradebook (naive UTC, as nbgrader stores it), or None."""
    with opened(course_url) as course:
        try:
            return course.find_assignment(assignment).duedate
        except _missing():
            return None


def merge_submission(private_db: Path, course_url: str, assignment: str, student: str) -> None:
    """Copy one autograded submission from a private gradebook into the course's, in one transaction."""
    with opened(f"sqlite:///{private_db}", course_url) as (source, course):
        graded = source.find_submission(assignment, student)
        course.update_or_create_student(student)
        extra = {"timestamp": graded.timestamp} if graded.timestamp else {}
        course.update_or_create_submission(assignment, student, **extra)
        for notebook in graded.notebooks:
            target = course.find_submission_notebook(notebook.name, assignment, student)
            target.late_submission_penalty = notebook.late_submission_penalty
            for grade in notebook.grades:
                into = course.find_grade(grade.name, notebook.name, assignment, student)
                into.auto_score = grade.auto_score
                # SaveAutoGrades' rule: a manual grade or no automatic score means a person must look
                into.needs_manual_grade = into.manual_score is not None or grade.auto_score is None
            for comment in notebook.comments:
                into = course.find_comment(comment.name, notebook.name, assignment, student)
                into.auto_comment = comment.auto_comment
        course.db.commit()


def remove_submission(course_url: str, assignment: str, student: str) -> None:
    """Forget an earlier grading of a submission that can no longer be graded (its new version is broken)."""
    with opened(course_url) as course:
        try:
            course.remove_submission(assignment, student)
        except _missing():
            pass


def has_submission(course_url: str, assignment: str, student: str) -> bool:
    with opened(course_url) as course:
        try:
            course.find_submission(assignment, student)
            return True
        except _missing():
            return False


def auto_scores(db_url: str) -> dict[tuple[str, str, str, str], float | None]:
    """``{(assignment, student, notebook, grade_id): auto_score}`` for every grade in a gradebook."""
    scores = {}
    with opened(db_url) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (assignment.name, submission.student.id, notebook.name, grade.name)
                        scores[key] = grade.auto_score
    return scores
