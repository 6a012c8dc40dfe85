"""``mlops-course feedback``: per-student HTML feedback that keeps the hidden tests hidden.

nbgrader's ``generate_feedback`` renders the *autograded* notebook, and autograding put the hidden tests
back into every test cell: stock feedback shows them, and the tracebacks quote them. Hidden tests only
stop hard-coding while learners cannot read them, so the course runs nbgrader's own ``GenerateFeedback``
with one more preprocessor, ``HideHiddenTests``, which

- removes the hidden block from each test cell's source (a comment says how many lines are not shown);
- replaces each test cell's traceback by the error's summary -- which check failed (the visible line,
  or "a hidden test") and its message -- so the learner still learns *what* went wrong;
- removes any ``BEGIN/END MARK SCHEME`` block;
- keeps nothing else a test cell printed: what a test prints (or what a learner's callback prints while
  a test runs) may be hidden test code or an expected value;
- removes any output, in any cell, that quotes a line of a hidden test or names a folder of the grading
  machine (a learner's code can collect those and print them later).

Submissions that could not be graded get a page saying why, and every student gets an ``index.html``
with their scores and links.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import nbformat

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, List, Unicode

from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import results
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments, course_config
from mlops_course.instructor.outputs import HIDDEN_BEGIN, error_message, failing_line, hidden_lines, partial_lines
from mlops_course.instructor.results import FAILED, Result
from mlops_course.instructor.structure import nbgrader_meta

MARK_SCHEME = re.compile(r"^[^\n]*BEGIN MARK SCHEME.*?END MARK SCHEME[^\n]*\n?", re.DOTALL | re.MULTILINE)


class HideHiddenTests(Preprocessor):
    """Strip hidden tests (source and tracebacks) and mark schemes from an autograded notebook."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled
    hidden_texts = List(Unicode(), help="lines of hidden tests that no output may quote").tag(config=True)
    private_paths = List(Unicode(), help="folders of the grading machine that no output may name").tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        leaked = [i for i, c in enumerate(nb.cells) if HIDDEN_BEGIN in c.source]
        if leaked:  # cannot happen unless a marker is malformed; refuse rather than publish tests
            raise RuntimeError(f"hidden tests left in cells {leaked} of {resources.get('nbgrader', {})}")
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        cell.source = MARK_SCHEME.sub("", cell.source)
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            _hide_in_test_cell(cell)
        if cell.cell_type == "code":
            cell.outputs = [self._safe(output) for output in cell.get("outputs", [])]
        return cell, resources

    def _safe(self, output):
        """The output, or a note in its place when it quotes a hidden test or a folder of the grader."""
        text = _output_text(output)
        quoted = any(line in text for line in self.hidden_texts) or any(p in text for p in self.private_paths)
        if not quoted:
            return output
        return nbformat.v4.new_output("stream", name="stdout", text=REMOVED_OUTPUT)


REMOVED_OUTPUT = "[output removed from the feedback: it showed grading code or files outside your submission]\n"
MIN_QUOTED = 12  # shorter hidden lines (a bare "assert x") say nothing and would match ordinary output


def _output_text(output) -> str:
    parts = [output.get("text", ""), output.get("evalue", ""), "\n".join(output.get("traceback", []))]
    parts += [str(value) for value in output.get("data", {}).values()]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def hidden_test_texts(source_notebooks) -> list[str]:
    """The lines of every hidden-test block of the source notebooks, long enough to be told apart."""
    texts = set()
    for nb in source_notebooks:
        for cell in nb.cells:
            lines = cell.source.splitlines()
            for number in hidden_lines(cell.source):
                line = lines[number - 1].strip()
                if len(line) >= MIN_QUOTED and "HIDDEN TESTS" not in line:
                    texts.add(line)
    return sorted(texts)


def _hide_in_test_cell(cell) -> None:
    lines = cell.source.splitlines()
    hidden = hidden_lines(cell.source)
    # Only the error survives, as a summary: printed text and displays of a test cell may hold hidden code,
    # expected values or what a learner's callback printed while the tests ran.
    # The exception: a partial-credit cell's lines on what is not yet right (written by the test's author).
    partial = partial_lines(cell)
    kept_outputs = [nbformat.v4.new_output("stream", name="stdout", text="\n".join(partial) + "\n")] if partial else []
    cell.outputs = kept_outputs + [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    for output in cell.outputs:
        if output.get("output_type") == "error":
            output["traceback"] = _summary(output, lines, hidden)
    if hidden:
        kept = [line for number, line in enumerate(lines, start=1) if number not in hidden]
        checks = sum(1 for n in hidden if lines[n - 1].strip() and "HIDDEN TESTS" not in lines[n - 1])
        kept.append(f"# ... and {checks} line(s) of hidden tests, run at grading time but not shown")
        cell.source = "\n".join(kept)


def _summary(error, lines: list[str], hidden: set[int]) -> list[str]:
    value = error_message(error.get("evalue", ""))
    what = f"{error.get('ename', 'Error')}: {value}" if value else f"{error.get('ename', 'Error')} (no message)"
    number = failing_line(error)
    if number in hidden:
        return ["A hidden test failed (its code is not shown):", what]
    if number and number <= len(lines):
        return [f"This check failed (line {number}): {lines[number - 1].strip()}", what]
    return [what]


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments (default: all that were graded)")
    add_workdir_argument(parser)


def run(args) -> int:
    course = Course.from_args(args)
    names = chosen_assignments(course, args.assignment) if args.assignment else graded_assignments(course)
    written, problems = generate_feedback(course, names)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"Feedback: {written} page(s) in {course.feedback}")
    return 1 if problems else 0


def graded_assignments(course: Course) -> list[str]:
    return [a for a in course.assignments() if (course.results / a).is_dir()]


def generate_feedback(course: Course, assignments: list[str], workers: int = 0) -> tuple[int, list[str]]:
    """Feedback for every graded submission of ``assignments``; returns (pages written, problems).

    nbgrader renders one submission at a time; here one process per core renders them side by side.
    """
    from mlops_course.instructor.autograde import default_workers, process_context

    environment = dict(os.environ)
    jobs = [(course, a, folder.parent.name, environment)
            for a in assignments for folder in sorted(course.autograded.glob(f"*/{a}"))]
    with process_context().Pool(max(1, min(workers or default_workers(), len(jobs) or 1))) as pool:
        outcomes = pool.starmap(_nbgrader_feedback, jobs)
    problems = [f"nbgrader generate_feedback failed for {student}/{assignment}:\n"
                f"{outcome.get('log', '')[-2000:]}{outcome.get('error', '')[-2000:]}"
                for (_, assignment, student, _), outcome in zip(jobs, outcomes) if not outcome["success"]]
    for record in results.load_all(course.results, assignments):
        if record.status == FAILED:
            _write_not_graded(course, record)
    everyone = results.load_all(course.results)
    for student in sorted({r.student for r in everyone}):
        _write_index(course, student, [r for r in everyone if r.student == student])
    pages = sum(1 for _ in course.feedback.glob("*/*/*.html")) if course.feedback.is_dir() else 0
    return pages, problems


def _nbgrader_feedback(course: Course, assignment: str, student: str, environment: dict | None = None) -> dict:
    """nbgrader's GenerateFeedback for one submission, with the hidden tests taken out."""
    if environment is not None:  # a forkserver's children start with the server's environment
        os.environ.clear()
        os.environ.update(environment)
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades
    from nbgrader.utils import capture_log

    config = course_config(course)
    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    sources = [read_notebook(p) for p in sorted(course.source_dir(assignment).glob("*.ipynb"))]
    config.HideHiddenTests.hidden_texts = hidden_test_texts(sources)
    config.HideHiddenTests.private_paths = private_paths(course)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = assignment, student
    converter = GenerateFeedback(coursedir=coursedir, config=config)
    converter.force = True
    return capture_log(converter)


def private_paths(course: Course) -> list[str]:
    """Folders of the grading machine that a learner never needs to see: the course's working folder (other
    submissions, gradebook, templates) and the solutions. Library paths in tracebacks stay: they help."""
    from mlops_course.paths import course_root

    folders = {str(course.workdir), str(course.workdir.resolve()), str(course_root() / "solutions")}
    package_home = Path(__file__).resolve().parents[2]
    if course_root().resolve() != package_home:  # a course folder apart from the package: nothing of it helps
        folders |= {str(course_root()), str(course_root().resolve())}
    return sorted(folders)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;line-height:1.5;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}}
.bad{{color:#b3261e}}</style></head><body>
{body}
</body></html>
"""


def _write_not_graded(course: Course, record: Result) -> None:
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in record.reasons)
    body = (f"<h1>{html.escape(record.assignment)}: not graded</h1>"
            f"<p class='bad'>Your submission could not be graded, so it scores 0 for now.</p>"
            f"<ul>{reasons}</ul><p>What to do: open the notebook in JupyterLab, run "
            f"<code>mlops-course check NOTEBOOK.ipynb</code>, fix what it reports and submit again -- "
            f"or ask your instructor.</p>")
    folder = course.feedback / record.student / record.assignment
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(course.source_dir(record.assignment).glob("*.ipynb")):
        (folder / f"{source.stem}.html").write_text(PAGE.format(title=f"{record.assignment}: not graded", body=body))


def _write_index(course: Course, student: str, records: list[Result]) -> None:
    rows = []
    for record in sorted(records, key=lambda r: r.assignment):
        pages = sorted((course.feedback / student / record.assignment).glob("*.html"))
        links = ", ".join(f"<a href='{record.assignment}/{p.name}'>{html.escape(p.stem)}</a>" for p in pages)
        status = "not graded" if record.status == FAILED else (
            "under review by your instructor" if record.review else
            "written answers not graded yet" if record.needs_manual_grade else "graded")
        late = " (late)" if record.seconds_late > 0 else ""
        rows.append(f"<tr><td>{html.escape(record.assignment)}</td><td>{record.score:g} / {record.max_score:g}</td>"
                    f"<td>{status}{late}</td><td>{links}</td></tr>")
    body = (f"<h1>Feedback for {html.escape(student)}</h1><table><tr><th>assignment</th><th>score</th>"
            f"<th>status</th><th>details</th></tr>{''.join(rows)}</table>"
            "<p>Each page shows your notebook as it was graded. Failed checks show their message; hidden tests "
            "run at grading time but their code is not shown.</p>")
    folder = course.feedback / student
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(PAGE.format(title=f"Feedback for {student}", body=body))
