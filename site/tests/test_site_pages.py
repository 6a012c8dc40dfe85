"""The built site: no warnings, a page for every chapter, assignment and dataset, the guides, the checks."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from course_site import links, notebooks, pages
from course_site.secrets import normalise

ROOT = Path(__file__).resolve().parents[2]  # the course folder

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
ASSIGNMENTS = sorted(p for p in (ROOT / "exercises").iterdir() if p.is_dir())
DATASETS = sorted((ROOT / "datasets").glob("*/CARD.md"))


def letters(text: str) -> str:
    """Only letters and digits: rendered text loses list numbers, Markdown marks and typographic dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "", text)


def soup(path: Path) -> BeautifulSoup:
    assert path.is_file(), f"the site has no page {path.name}"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def h1(page: BeautifulSoup) -> str:
    heading = copy.copy(page.find("h1"))
    assert heading is not None, "the page has no title"
    for anchor in heading.select("a.headerlink"):
        anchor.decompose()
    return heading.get_text().strip()


def test_the_course_has_what_the_site_shows():
    assert CHAPTERS and ASSIGNMENTS and DATASETS, "no chapters, assignments or data cards found"


def test_the_build_has_no_warnings(built_site):
    assert built_site.warnings == [], "Sphinx warned:\n" + "\n".join(built_site.warnings)


def test_the_builders_own_checks_pass(built_site):
    assert built_site.problems == [], "\n".join(built_site.problems)


def test_the_landing_page_says_what_the_course_is_and_how_to_start(site_dir):
    page = soup(site_dir / "index.html")
    readme_title = pages.title_of((ROOT / "README.md").read_text(encoding="utf-8"))
    assert h1(page) == readme_title
    text = letters(page.get_text())
    intro = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start")[0]
    for paragraph in intro.split("\n\n")[1:]:  # what the course is, for whom, what it holds
        words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)
        words = re.sub(r"^\s*(\d+\.|[-*])\s", "", words, flags=re.MULTILINE)
        assert letters(words)[:50] in text, f"the landing page lacks the README's {paragraph[:50]!r}"
    quick = links.section((ROOT / "README.md").read_text(encoding="utf-8"), "## Quick start")
    for command in re.findall(r"^(make \w+)", quick, flags=re.MULTILINE):
        assert letters(command) in text, f"the landing page does not show `{command}`"
    hrefs = {a["href"].split("#")[0] for a in page.select("article a[href]")}
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}.html" in hrefs, f"the landing page does not link {chapter.name}"
    for unit in ASSIGNMENTS:
        assert f"assignments/{unit.name}.html" in hrefs, f"the landing page does not link {unit.name}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_has_a_page_rendered_from_its_committed_outputs(site_dir, chapter):
    page = soup(site_dir / "chapters" / f"{chapter.stem}.html")
    assert h1(page) == pages.chapter_title(chapter)
    committed = nbformat.read(chapter, as_version=4)
    plots = sum("image/png" in output.get("data", {}) for cell in committed.cells
                for output in cell.get("outputs", []))
    images = page.select("article img")
    assert len(images) >= plots, f"{chapter.name} has {plots} plots in its outputs, the page shows {len(images)}"
    printed = [output["text"] for cell in committed.cells for output in cell.get("outputs", [])
               if output.get("output_type") == "stream" and output.get("name") == "stdout" and output["text"].strip()]
    text = normalise(page.get_text())
    for stream in printed[:5]:
        assert normalise(stream)[:200] in text, f"printed output of {chapter.name} missing from its page"
    download = [a for a in page.select("a.download, a[download]") if a["href"].endswith(chapter.name)]
    assert download, f"the page of {chapter.name} offers no download of the notebook"


@pytest.mark.parametrize("unit", ASSIGNMENTS, ids=lambda p: p.name)
def test_every_assignment_has_a_page_with_goals_and_the_release_notebook(site_dir, unit):
    page_path = site_dir / "assignments" / f"{unit.name}.html"
    page = soup(page_path)
    assert "Learning goals" in page.get_text(), f"the {unit.name} page has no learning goals"
    (release,) = unit.glob("*.ipynb")
    downloads = [a["href"] for a in page.select("a[href$='.ipynb']") if "_downloads/" in a["href"]]
    assert downloads, f"the {unit.name} page offers no download of {release.name}"
    for href in downloads:
        served = (page_path.parent / href).resolve()
        assert served.name == release.name
        assert served.read_bytes() == release.read_bytes(), (
            f"the download on the {unit.name} page is not the release notebook exercises/{unit.name}/{release.name}")
    assert not any("solutions" in a["href"] for a in page.select("a[href]")), "the page links to solutions/"


def test_no_solution_notebook_is_on_the_site(site_dir):
    releases = {p.read_bytes() for p in ROOT.glob("exercises/*/*.ipynb")}
    for solution in ROOT.glob("solutions/*/*.ipynb"):
        for served in site_dir.rglob("*.ipynb"):
            assert served.read_bytes() != solution.read_bytes() or served.read_bytes() in releases, (
                f"{served.relative_to(site_dir)} is the solution notebook {solution.relative_to(ROOT)}")


@pytest.mark.parametrize("card", DATASETS, ids=lambda p: p.parent.name)
def test_every_dataset_card_has_a_page(site_dir, card):
    page = soup(site_dir / "datasets" / f"{card.parent.name}.html")
    assert normalise(h1(page)) == normalise(pages.title_of(card.read_text(encoding="utf-8")))


def test_the_datasets_overview_links_every_card(site_dir):
    page = soup(site_dir / "datasets" / "index.html")
    hrefs = {a["href"].split("#")[0] for a in page.select("article a[href]")}
    for card in DATASETS:
        assert f"{card.parent.name}.html" in hrefs, f"the datasets page does not link the {card.parent.name} card"


def test_the_instructor_guide_and_the_slide_map_are_on_the_site(site_dir):
    guide = soup(site_dir / "instructor.html")
    assert h1(guide) == "Instructor guide"
    readme = links.section((ROOT / "README.md").read_text(encoding="utf-8"), "## Instructor guide")
    for command in re.findall(r"`(mlops-course \w+)", readme):
        assert command in guide.get_text(), f"the instructor guide on the site lacks {command}"
    slide_map = soup(site_dir / "slide-map.html")
    assert h1(slide_map) == "Slide-to-section map"
    rows = (ROOT / "chapters" / "README.md").read_text(encoding="utf-8").count("\n|")
    assert len(slide_map.select("article tr")) >= rows - 10, "the slide map lost rows of chapters/README.md"


def test_the_references_hold_every_chapters_further_reading(site_dir):
    text = letters(soup(site_dir / "references.html").get_text())
    for chapter in CHAPTERS:
        markdown = "\n".join(c.source for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "markdown")
        reading = markdown.split("## Further reading", 1)[1].split("\n## ", 1)[0]
        items = [line[2:] for line in reading.splitlines() if line.startswith("- ")]
        assert items, f"{chapter.name} has no further reading to collect"
        for item in items:
            words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", item)  # a link's text stays, its address goes
            assert letters(words)[:40] in text, f"references lack {item[:60]!r} from {chapter.name}"


def _check_ids(chapter: Path) -> list[str]:
    ids = []
    for cell in nbformat.read(chapter, as_version=4).cells:
        if cell.cell_type == "code":
            check_id = notebooks.knowledge_check_id(cell.source)
            if check_id:
                ids.append(check_id)
    return ids


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_knowledge_checks_show_the_question_and_hide_the_answer_until_clicked(site_dir, chapter):
    from mlops_course.lessons.knowledge_checks import get_check

    page = soup(site_dir / "chapters" / f"{chapter.stem}.html")
    boxes = page.select("div.knowledge-check")
    ids = _check_ids(chapter)
    assert [box["id"].removeprefix("check-") for box in boxes] == ids, (
        "the page's knowledge checks differ from the notebook's knowledge_check(\"<id>\") cells")
    for box, check_id in zip(boxes, ids):
        check = get_check(check_id)
        details = box.find("details")
        assert details is not None and details.find("summary"), f"{check_id}: no click-to-reveal answer"
        assert not details.has_attr("open"), f"{check_id}: the answer is shown by default"
        shown = copy.copy(box)
        shown.find("details").decompose()
        visible = letters(shown.get_text())
        hidden = letters(details.get_text())
        assert letters(check.question)[:60] in visible, f"{check_id}: the question is not shown"
        for option in check.options:
            assert letters(option.text)[:60] in visible, f"{check_id}: option {option.text[:40]!r} not shown"
            assert letters(option.why)[:60] in hidden, f"{check_id}: explanation {option.why[:40]!r} missing"
            assert letters(option.why)[:60] not in visible, f"{check_id}: an explanation is shown before the click"
        letter = "ABCDEFGH"[check.correct_index]
        assert f"Answer{letter}" in hidden


def test_no_page_keeps_a_live_widget_or_its_state(site_dir):
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-state+json" not in text, f"{page.name} embeds widget state"
        assert "application/vnd.jupyter.widget-view+json" not in text, f"{page.name} embeds a live widget"
