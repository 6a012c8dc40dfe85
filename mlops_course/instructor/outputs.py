"""Read what a graded cell printed: its error, the line that raised it, and whether that line was hidden.

IPython tracebacks quote the source around the failing line, so a traceback from a hidden test shows
hidden test code. Feedback therefore replaces tracebacks of test cells with the error's one-line
summary (see ``feedback.py``); the report and the grading records use the same summary.
"""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode

from mlops_course.grading.checks import PARTIAL_MARK

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>),? line (\d+)")
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
MAX_MESSAGE = 200


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def hidden_lines(source: str) -> set[int]:
    """1-based numbers of the lines inside ``### BEGIN/END HIDDEN TESTS`` (markers included)."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if HIDDEN_BEGIN in line:
            inside = True
        if inside:
            hidden.add(number)
        if HIDDEN_END in line:
            inside = False
    return hidden


def without_hidden_tests(source: str) -> tuple[str, int]:
    """The source with its hidden-test blocks removed, and how many lines were removed."""
    hidden = hidden_lines(source)
    kept = [line for number, line in enumerate(source.splitlines(), start=1) if number not in hidden]
    return "\n".join(kept), len(hidden)


def first_error(cell: NotebookNode) -> NotebookNode | None:
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def stderr_text(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def failing_line(error: NotebookNode) -> int | None:
    """The line of the cell itself that raised the error (the first frame of the traceback)."""
    match = CELL_LINE.search(strip_ansi("\n".join(error.get("traceback", []))))
    return int(match.group(1)) if match else None


# Detail lines of numpy's assert_allclose / assert_array_equal: the expected values would give answers away.
NUMPY_DETAIL = re.compile(r"^\s*(Mismatch|Max absolute|Max relative|ACTUAL:|DESIRED:|x:|y:|\(shapes|\[?array\()")


def one_line(text: str) -> str:
    first = strip_ansi(text).strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= MAX_MESSAGE else first[:MAX_MESSAGE - 3] + "..."


def error_message(text: str, lines: int = 2) -> str:
    """An error's message in one line: its first lines, without numpy's dump of actual and expected values.

    ``np.testing.assert_allclose(..., err_msg=...)`` puts the author's message on the second line.
    """
    kept = [line.strip() for line in strip_ansi(text).splitlines() if line.strip() and not NUMPY_DETAIL.match(line)]
    return one_line(" | ".join(kept[:lines])) if kept else ""


def invalid_reason(error: Exception) -> str:
    """The short reason inside ``read_notebook``'s error: "NotJSONError: Notebook does not appear to be JSON"."""
    text = str(error)
    inner = re.search(r"\((\w*(?:Error|Exception)\w*: .*?)\)\. Re-download", text, re.DOTALL)
    reason = inner.group(1) if inner else text
    return one_line(re.sub(r":\s*'.*", "", reason, flags=re.DOTALL))  # not the file's first bytes


def failure(cell: NotebookNode) -> tuple[str, bool]:
    """Why a graded test cell failed, as ``(message, raised in the hidden part)``; ``("", False)`` if it passed.

    nbgrader fails a test cell on any error and on any output to stderr.
    """
    error = first_error(cell)
    if error is not None:
        value = error_message(error.get("evalue", ""))
        message = f"{error.get('ename', 'Error')}: {value}" if value else f"{error.get('ename', 'Error')} (no message)"
        return message, failing_line(error) in hidden_lines(cell.get("source", ""))
    text = stderr_text(cell)
    if text.strip():
        return f"printed to stderr: {one_line(text)}", False
    partial = partial_lines(cell)
    if partial:
        return "partly right: " + " ".join(line[len(PARTIAL_MARK):].strip() for line in partial), False
    return "", False


def partial_lines(cell: NotebookNode) -> list[str]:
    """The lines a partial-credit test cell printed about its wrong items (``checks.partial_credit``)."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return [line for line in text.splitlines() if line.startswith(PARTIAL_MARK)]


RUNTIME_PROBLEMS = {
    "CellTimeoutError": "ran longer than the time limit per cell and was stopped",
    "SystemExit": "called sys.exit() or exit(); the rest of that cell did not run",
    "MemoryError": "ran out of memory and was stopped",
}


def runtime_problems(name: str, nb: NotebookNode) -> list[str]:
    """Cells stopped by the time limit, by ``sys.exit`` or by the memory limit: worth telling the learner."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            what = RUNTIME_PROBLEMS.get(output.get("ename", "")) if output.get("output_type") == "error" else None
            if what:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                found.append(f"{name}.ipynb cell {index}" + (f" ({grade_id})" if grade_id else "") + f" {what}")
    return found
