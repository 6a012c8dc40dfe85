"""Honest time estimates for the chapter notebooks, derived from what is in them.

The estimate counts the words of the Markdown cells at a reading speed of ``WORDS_PER_MINUTE`` (a
careful pace for a business reader meeting technical text), plus a fixed time per code cell (run it,
read its output), per knowledge check and per interactive tool, and rounds to five minutes. The chapters
and the README state these figures; ``tests/test_chapter_timing.py`` keeps them equal.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

WORDS_PER_MINUTE = 130
MINUTES_PER_CODE_CELL = 0.5
MINUTES_PER_KNOWLEDGE_CHECK = 1.5
MINUTES_PER_INTERACTIVE_TOOL = 5.0
#: Calls that open an interactive tool a learner is asked to explore.
INTERACTIVE_TOOLS = ("risk_matrix_explorer(", "self_assessment(")

_WORD = re.compile(r"[A-Za-z0-9][\w'.,-]*")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def estimate_minutes(cells: list[dict]) -> float:
    """Unrounded minutes for a list of notebook cells (as in the ``.ipynb`` JSON)."""
    minutes = 0.0
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            minutes += len(_WORD.findall(text)) / WORDS_PER_MINUTE
        elif cell["cell_type"] == "code":
            if text.strip().startswith("knowledge_check("):
                minutes += MINUTES_PER_KNOWLEDGE_CHECK
            else:
                minutes += MINUTES_PER_CODE_CELL
                minutes += MINUTES_PER_INTERACTIVE_TOOL * sum(tool in text for tool in INTERACTIVE_TOOLS)
    return minutes


def round_to_five(minutes: float) -> int:
    """Round to the nearest five minutes (half-way up), never below five."""
    return max(5, int(math.floor(minutes / 5 + 0.5)) * 5)


def notebook_minutes(path: str | Path) -> int:
    """The stated time of a chapter notebook: its estimate rounded to five minutes."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    if not cells:
        raise ValueError(f"{path} has no cells to estimate")
    return round_to_five(estimate_minutes(cells))
