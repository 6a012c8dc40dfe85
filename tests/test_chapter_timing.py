"""Reading times: estimated from the notebooks' content and stated the same in the chapters and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlops_course.lessons.pacing import estimate_minutes, notebook_minutes, round_to_five

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))


def stated_in_notebook(path: Path) -> int:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    found = re.findall(r"\*\*Time\.\*\* About (\d+) minutes", text)
    assert len(found) == 1, f"{path.name} must state its time once as '**Time.** About N minutes', found {found}"
    return int(found[0])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_stated_time_is_the_estimate(path):
    assert stated_in_notebook(path) == notebook_minutes(path), (
        f"{path.name} states {stated_in_notebook(path)} minutes but its content needs {notebook_minutes(path)}; "
        "update the **Time.** line, the README course map and chapters/README.md")


@pytest.mark.parametrize("readme", ["README.md", "chapters/README.md"])
def test_readmes_state_the_same_times(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    for path in CHAPTERS:
        found = re.findall(rf"{re.escape(path.name)}[^\n]*?about (\d+) min", text)
        assert found, f"{readme} does not state a time for {path.name}"
        assert {int(f) for f in found} == {notebook_minutes(path)}, (readme, path.name, found)


def test_estimate_by_hand():
    cells = [{"cell_type": "markdown", "source": "word " * 260},          # 2 minutes of reading
             {"cell_type": "code", "source": "x = 1"},                    # 0.5
             {"cell_type": "code", "source": 'knowledge_check("ch1-guardrail")'},  # 1.5
             {"cell_type": "code", "source": "explorer = risks.risk_matrix_explorer()"}]  # 0.5 + 5
    assert estimate_minutes(cells) == pytest.approx(9.5)
    assert [round_to_five(m) for m in (0.1, 7.4, 7.5, 112.4)] == [5, 5, 10, 110]
