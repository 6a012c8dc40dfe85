"""The builder's parts on small inputs: link mapping, notebook preparation, the knowledge-check directive."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from course_site import links, notebooks

SITE_DIR = Path(__file__).resolve().parents[1]  # site/: conf.py and the builder
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CHAPTERS = {"01-risks.ipynb", "02-teams.ipynb"}
UNITS = {"drift", "bias"}
DATA = {"loans"}


def resolve(path):
    return links.site_document(path, CHAPTERS, UNITS, DATA)


@pytest.mark.parametrize("repo_path, page", [
    ("README.md", "index.md"),
    ("chapters/README.md", "slide-map.md"),
    ("chapters/02-teams.ipynb", "chapters/02-teams.ipynb"),
    ("exercises/drift/drift.ipynb", "assignments/drift.md"),
    ("exercises/bias/", "assignments/bias.md"),
    ("solutions/drift/drift.ipynb", "assignments/drift.md"),  # never the solution itself
    ("datasets/README.md", "datasets/index.md"),
    ("datasets/loans/CARD.md", "datasets/loans.md"),
    ("datasets/loans/", "datasets/loans.md"),
    ("mlops_course/widgets.py", None),
    ("chapters/99-missing.ipynb", None),
])
def test_repository_paths_map_to_the_pages_that_show_them(repo_path, page):
    assert resolve(repo_path) == page


def test_links_are_rewritten_relative_to_the_staged_page_and_others_left_alone():
    unresolved = []
    markdown = ("See [drift](../exercises/drift/drift.ipynb), [next](02-teams.ipynb#roles), "
                "[sklearn](https://scikit-learn.org), [above](#setup) and [code](../mlops_course/risks.py).")
    out = links.rewrite_links(markdown, "chapters/01-risks.ipynb", "chapters/01-risks.ipynb", resolve,
                              unresolved=unresolved)
    assert "[drift](<../assignments/drift.md>)" in out
    assert "[next](<02-teams.ipynb#roles>)" in out
    assert "[sklearn](https://scikit-learn.org)" in out and "[above](#setup)" in out
    assert "and code." in out and unresolved == ["../mlops_course/risks.py"]


def test_sections_and_headings():
    text = "# T\n\n## A\n\ntext\n\n```\n## not a heading\n```\n\n### A1\n\n## B\n\nmore\n"
    section = links.section(text, "## A")
    assert section.startswith("## A") and "### A1" in section and "## B" not in section
    assert links.demote_headings(section, -1).startswith("# A\n")
    assert "## not a heading" in links.demote_headings(section, -1)
    with pytest.raises(ValueError, match="no section '## C'"):
        links.section(text, "## C")


@pytest.mark.parametrize("source, expected", [
    ('knowledge_check("ch1-skills")', "ch1-skills"),
    ('  knowledge_check("ch1-skills")\n', "ch1-skills"),
    ('# Check yourself\nknowledge_check("ch1-skills")', "ch1-skills"),
    ("from mlops_course.widgets import knowledge_check", None),
    ("print('hello')", None),
])
def test_knowledge_check_cells_are_found_by_their_id(source, expected):
    assert notebooks.knowledge_check_id(source) == expected


def test_a_knowledge_check_with_its_answer_in_the_cell_is_refused():
    with pytest.raises(notebooks.NotebookError, match='knowledge_check\\("<id>"\\)'):
        notebooks.knowledge_check_id("knowledge_check('Which?', ['a', 'b'], correct=1)")


def _fixture_notebook():
    widget = {"output_type": "display_data", "metadata": {}, "data": {
        notebooks.WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "interactive(children=(...))"}}
    cells = [nbformat.v4.new_markdown_cell("# Fixture chapter\n\nSee [drift](../exercises/drift/drift.ipynb)."),
             nbformat.v4.new_code_cell("from mlops_course.widgets import knowledge_check"),
             nbformat.v4.new_code_cell('knowledge_check("fixture-psi")'),
             nbformat.v4.new_code_cell("explore()", outputs=[nbformat.from_dict(widget)])]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def test_preparing_a_notebook_replaces_checks_and_live_widgets_and_keeps_the_original():
    original = _fixture_notebook()
    prepared, ids = notebooks.prepare(original, lambda md: md.replace("../exercises/drift/drift.ipynb", "X"),
                                      download_note="NOTE")
    assert ids == ["fixture-psi"]
    sources = [cell.source for cell in prepared.cells]
    assert sources[1] == "NOTE" and "[drift](X)" in sources[0]
    assert "```{knowledge-check} fixture-psi\n```" in sources
    assert prepared.cells[-1].outputs[0]["data"] == {"text/html": notebooks.WIDGET_NOTE}
    assert "widgets" not in prepared.metadata
    assert "widgets" in original.metadata and notebooks.WIDGET_MIME in original.cells[3].outputs[0]["data"]


def test_a_widgets_own_static_fallback_is_kept():
    notebook = _fixture_notebook()
    notebook.cells[3].outputs[0]["data"]["text/html"] = "<table><tr><td>static view</td></tr></table>"
    prepared, _ = notebooks.prepare(notebook, lambda md: md)
    assert prepared.cells[3].outputs[0]["data"] == {
        "text/html": "<table><tr><td>static view</td></tr></table>", "text/plain": "interactive(children=(...))"}


def _build_fixture_site(tmp_path, check_id):
    """A one-page Sphinx project with the site's configuration and the fixture bank of checks."""
    source = tmp_path / "src"
    source.mkdir()
    notebook = _fixture_notebook()
    notebook.cells[2].source = f'knowledge_check("{check_id}")'
    prepared, _ = notebooks.prepare(notebook, lambda md: md.replace("(../exercises/drift/drift.ipynb)", ""))
    (source / "index.ipynb").write_text(nbformat.writes(prepared))
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q", "-W", "-c", str(SITE_DIR),
               "-D", "knowledge_check_module=fixture_checks", str(source), str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), str(SITE_DIR)])}
    return subprocess.run(command, capture_output=True, text=True, env=env)


def test_the_directive_shows_question_and_options_and_hides_the_answer(tmp_path):
    completed = _build_fixture_site(tmp_path, "fixture-psi")
    assert completed.returncode == 0, completed.stderr
    page = BeautifulSoup((tmp_path / "out" / "index.html").read_text(), "html.parser")
    (box,) = page.select("div.knowledge-check#check-fixture-psi")
    details = box.find("details")
    assert details is not None and not details.has_attr("open") and details.find("summary")
    hidden = details.get_text()
    details.extract()
    visible = box.get_text()
    assert "identical samples" in visible and box.find("strong", string="what")  # Markdown rendered
    assert [li.get_text().strip() for li in box.select("ol li")] == ["Zero", "One", "It depends on the sample size"]
    assert "Answer: A." in hidden
    for marker in ("FIXTURE-WHY-CORRECT", "FIXTURE-WHY-WRONG-ONE", "FIXTURE-WHY-WRONG-SIZE"):
        assert marker in hidden and marker not in visible
    assert "interactive(children" not in page.get_text()


@pytest.mark.parametrize("check_id, message", [
    ("fixture-unknown", "no knowledge check 'fixture-unknown'"),
    ("fixture-two-correct", "has 2 correct options"),
])
def test_the_directive_fails_the_build_with_a_clear_message(tmp_path, check_id, message):
    completed = _build_fixture_site(tmp_path, check_id)
    assert completed.returncode != 0
    assert message in completed.stderr


def test_the_site_never_executes_a_notebook_and_copies_no_sources():
    conf = runpy.run_path(str(SITE_DIR / "conf.py"))
    assert conf["nb_execution_mode"] == "off"
    assert conf["html_copy_source"] is False  # the staged sources stay out of the published folder
