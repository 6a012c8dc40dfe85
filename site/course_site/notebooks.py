"""Prepare a chapter notebook for a static page, from its committed outputs (nothing is executed).

- A cell that is exactly ``knowledge_check("<id>")`` becomes a ``{knowledge-check}`` directive, which
  renders the question, its options and a click-to-reveal answer from the bank of checks.
- A live widget needs a kernel: its output keeps the widget's static fallback if it has one (HTML, an
  image), else becomes a short note saying where to use it; the notebook's saved widget state is dropped
  (it would make the page load scripts from the internet).
- Local links in Markdown cells point to the site's pages (see ``links``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nbformat

KNOWLEDGE_CHECK = re.compile(r'knowledge_check\("([^"]+)"\)')
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="widget-note"><em>Interactive control: it runs in JupyterLab. Download the notebook '
               '(top of this page) or run <code>make lab</code> to use it.</em></p>')


class NotebookError(ValueError):
    """A chapter cell the site cannot render statically without giving something away."""


def knowledge_check_id(source: str) -> str | None:
    """The id of a cell that is exactly ``knowledge_check("<id>")`` (white space and comments aside), else None.

    A cell that calls ``knowledge_check`` any other way (question and answer written in the call) raises
    NotebookError: its code would show the answer on the page.
    """
    # Comment lines are allowed around the call; they carry no answer.
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#")).strip()
    match = KNOWLEDGE_CHECK.fullmatch(code)
    if match:
        return match[1]
    if re.search(r"(?<![\w.])knowledge_check\s*\(", code) and "import" not in code:
        raise NotebookError(
            "a cell calls knowledge_check() with more than an id, so the page would show its answer: "
            'write the cell as knowledge_check("<id>") and keep the check in '
            "mlops_course/lessons/knowledge_checks.py")
    return None


def _strip_widgets(cell) -> None:
    for output in cell.get("outputs", []):
        data = output.get("data")
        if data and WIDGET_MIME in data:
            del data[WIDGET_MIME]
            # A widget's own static fallback (HTML, an image) stays; a bare text/plain fallback is only its
            # Python repr, and a note helps a reader more.
            if set(data) <= {"text/plain"}:
                output["data"] = {"text/html": WIDGET_NOTE}
            output.setdefault("metadata", {})


def prepare(notebook: nbformat.NotebookNode, rewrite_markdown: Callable[[str], str],
            download_note: str | None = None) -> tuple[nbformat.NotebookNode, list[str]]:
    """A copy of ``notebook`` ready for MyST-NB, and the ids of its knowledge checks in order.

    ``rewrite_markdown`` rewrites a Markdown cell's local links; ``download_note`` (Markdown) is inserted
    after the first cell, the title.
    """
    notebook = nbformat.from_dict(notebook)
    notebook.metadata.pop("widgets", None)
    check_ids: list[str] = []
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            try:
                check_id = knowledge_check_id(cell.source)
            except NotebookError as error:
                raise NotebookError(f"cell {index}: {error}") from None
            if check_id is not None:
                check_ids.append(check_id)
                cells.append(nbformat.v4.new_markdown_cell(f"```{{knowledge-check}} {check_id}\n```"))
                continue
            _strip_widgets(cell)
        elif cell.cell_type == "markdown":
            cell.source = rewrite_markdown(cell.source)
        cells.append(cell)
    if download_note:
        cells.insert(1 if cells else 0, nbformat.v4.new_markdown_cell(download_note))
    notebook.cells = cells
    return notebook, check_ids
