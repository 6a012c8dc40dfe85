"""Write the source of every page of the site into a staging folder, from what the repository holds now.

Nothing here is a second copy of the course text: the landing page and the instructor guide are sections
of README.md, the slide map is chapters/README.md, the dataset pages are the data cards, the references are
the chapters' "Further reading" sections, and the assignment pages are read from the release notebooks in
exercises/ (never from solutions/).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import links, notebooks

FILES = "files"  # downloads (release and chapter notebooks); excluded from the pages Sphinx reads


@dataclass
class Course:
    """What the repository holds, as the site needs it."""

    root: Path
    chapters: list[Path] = field(default_factory=list)
    assignments: dict[str, Path] = field(default_factory=dict)  # unit -> release notebook
    datasets: dict[str, Path] = field(default_factory=dict)  # name -> data card

    @classmethod
    def read(cls, root: Path) -> "Course":
        course = cls(root=root)
        course.chapters = sorted((root / "chapters").glob("[0-9][0-9]-*.ipynb"))
        for folder in sorted(p for p in (root / "exercises").iterdir() if p.is_dir()):
            releases = sorted(folder.glob("*.ipynb"))
            if len(releases) != 1:
                raise ValueError(f"exercises/{folder.name}/ holds {len(releases)} notebooks; the site expects "
                                 "one release notebook per assignment")
            course.assignments[folder.name] = releases[0]
        for card in sorted((root / "datasets").glob("*/CARD.md")):
            course.datasets[card.parent.name] = card
        for what, found in (("chapters/NN-*.ipynb", course.chapters), ("exercises/<unit>/", course.assignments),
                            ("datasets/<name>/CARD.md", course.datasets)):
            if not found:
                raise ValueError(f"no {what} found under {root}: run the site builder from the course folder")
        return course

    def resolve(self, repo_path: str) -> str | None:
        return links.site_document(repo_path, {p.name for p in self.chapters}, set(self.assignments),
                                   set(self.datasets))


def title_of(markdown: str) -> str:
    match = re.search(r"^# (.+)$", markdown, flags=re.MULTILINE)
    if not match:
        raise ValueError("no level-1 heading found")
    return match[1].strip()


def chapter_title(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.search(r"^# ", cell.source, flags=re.MULTILINE):
            return title_of(cell.source)
    raise ValueError(f"{path.name}: no markdown cell with a level-1 title")


def _first_sentence(markdown: str, limit: int = 220) -> str:
    """The first sentence of a question's prompt, on one line, for a table cell."""
    text = " ".join(markdown.split()).replace("|", "\\|")
    text = re.split(r"(?<=[.?])\s", text, maxsplit=1)[0]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " ..."
        if text.count("`") % 2:
            text = text.replace(" ...", "` ...")
    return text


class Stager:
    """Writes the pages of ``course`` into ``out`` (a fresh folder)."""

    def __init__(self, course: Course, out: Path):
        self.course, self.out = course, out
        self.unresolved: list[str] = []  # local links the site has no page for (reported by the build)
        self.check_ids: dict[str, list[str]] = {}  # chapter file -> knowledge checks rendered

    # -- building blocks -------------------------------------------------------------------------------
    def _write(self, staged: str, text: str) -> None:
        target = self.out / staged
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def _copy(self, repo_path: str) -> str:
        staged = f"{FILES}/{repo_path}"
        target = self.out / staged
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.course.root / repo_path, target)
        return staged

    def _image(self, repo_path: str) -> str | None:
        source = self.course.root / repo_path.rstrip("/")
        if repo_path.startswith(("../", "solutions/")) or not source.is_file():
            return None
        target = self.out / repo_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return repo_path

    def _rewrite(self, markdown: str, source: str, staged: str) -> str:
        return links.rewrite_links(markdown, source, staged, self.course.resolve, self._image, self.unresolved)

    def _download(self, text: str, staged_file: str, staged_page: str) -> str:
        depth = staged_page.count("/")
        return f"{{download}}`{text} <{'../' * depth}{staged_file}>`"

    def _readme(self) -> str:
        return (self.course.root / "README.md").read_text(encoding="utf-8")

    # -- pages ---------------------------------------------------------------------------------------
    def write_all(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for chapter in self.course.chapters:
            self.chapter(chapter)
        for unit, release in self.course.assignments.items():
            self.assignment(unit, release)
        self.datasets()
        self.instructor_guide()
        self.slide_map()
        self.references()
        self.landing()

    def chapter(self, path: Path) -> None:
        repo_path = f"chapters/{path.name}"
        notebook = nbformat.read(path, as_version=4)
        note = (f"```{{note}}\nThis page shows the notebook with the outputs it was committed with. "
                f"{self._download('Download the notebook', self._copy(repo_path), repo_path)} to run it in "
                "JupyterLab with the course installed (`make lab`), where the knowledge checks and controls "
                "are live.\n```")
        try:
            staged, ids = notebooks.prepare(notebook, lambda md: self._rewrite(md, repo_path, repo_path), note)
        except notebooks.NotebookError as error:
            raise ValueError(f"{repo_path}: {error}") from None
        self.check_ids[path.name] = ids
        self._write(repo_path, nbformat.writes(staged))

    def assignment(self, unit: str, release: Path) -> None:
        repo_path = f"exercises/{unit}/{release.name}"
        staged = f"assignments/{unit}.md"
        notebook = nbformat.read(release, as_version=4)
        intro = next((c.source for c in notebook.cells if c.cell_type == "markdown"
                      and re.match(r"#\s*Assignment", c.source)), None)
        if intro is None:
            raise ValueError(f"{repo_path}: no markdown cell starting with '# Assignment' (title and learning "
                             "goals)")
        if "learning goals" not in intro.lower():
            raise ValueError(f"{repo_path}: the title cell has no learning goals")
        questions, total = [], 0
        for cell in notebook.cells:
            grade = cell.metadata.get("nbgrader", {})
            if grade.get("grade"):
                total += grade.get("points", 0)
            if cell.cell_type == "markdown":
                for number, points, rest in re.findall(
                        r"\*\*(Q[\d.]+)\s*\((\d+) points?\)\*\*\s*(.*?)(?:\n\n|$)", cell.source, flags=re.S):
                    questions.append(f"| {number} | {points} | {_first_sentence(rest)} |")
        practice = [p for p in self.course.chapters if re.search(
            rf"exercises/{re.escape(unit)}/", p.read_text(encoding="utf-8"))]
        related = "".join(f"- [{chapter_title(p)}](<../chapters/{p.name}>)\n" for p in practice)
        body = self._rewrite(intro, repo_path, staged)
        parts = [
            body.rstrip(),
            "## Get the notebook",
            f"{self._download(f'Download {release.name}', self._copy(repo_path), staged)} (the release notebook, "
            f"worth {total} points). Open it in JupyterLab with the course installed (`make lab`); the "
            "notebook's first cell says how to validate your work and how to submit it. The visible tests tell "
            "you what is wrong; hidden tests check the same ideas on other inputs when your work is graded.",
        ]
        if questions:
            parts += ["## Questions", "| Question | Points | Task |\n| --- | --- | --- |\n" + "\n".join(questions)]
        if related:
            parts += ["## Read first", related.rstrip()]
        self._write(staged, "\n\n".join(parts) + "\n")

    def datasets(self) -> None:
        readme = self.course.root / "datasets" / "README.md"
        text = readme.read_text(encoding="utf-8")
        self._write("datasets/index.md", self._rewrite(text, "datasets/README.md", "datasets/index.md"))
        for name, card in self.course.datasets.items():
            source = f"datasets/{name}/CARD.md"
            self._write(f"datasets/{name}.md",
                        self._rewrite(card.read_text(encoding="utf-8"), source, f"datasets/{name}.md"))

    def instructor_guide(self) -> None:
        guide = links.demote_headings(links.section(self._readme(), "## Instructor guide"), -1)
        self._write("instructor.md", self._rewrite(guide, "README.md", "instructor.md"))

    def slide_map(self) -> None:
        text = (self.course.root / "chapters" / "README.md").read_text(encoding="utf-8")
        text = re.sub(r"^# .*$", "# Slide-to-section map", text, count=1, flags=re.MULTILINE)
        # The map names chapters by file; on the site each name links to its page.
        for chapter in self.course.chapters:
            text = text.replace(f"| `{chapter.name}` |", f"| [`{chapter.name}`](<{chapter.name}>) |")
        for unit in self.course.assignments:
            text = re.sub(rf"(?<!\[)`exercises/{re.escape(unit)}/`", f"[`exercises/{unit}/`](<../exercises/{unit}/>)", text)
        self._write("slide-map.md", self._rewrite(text, "chapters/README.md", "slide-map.md"))

    def references(self) -> None:
        parts = ["# References",
                 "The further reading of every lesson, and the sources of the datasets. Each lesson cites its "
                 "sources where it uses them; this page collects them."]
        for chapter in self.course.chapters:
            notebook = nbformat.read(chapter, as_version=4)
            markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
            try:
                reading = links.section(markdown, "## Further reading")
            except ValueError:
                raise ValueError(f"chapters/{chapter.name}: no '## Further reading' section") from None
            reading = reading.split("\n", 1)[1] if "\n" in reading else ""
            parts += [f"## [{chapter_title(chapter)}](<chapters/{chapter.name}>)",
                      links.demote_headings(self._rewrite(reading.strip(), f"chapters/{chapter.name}",
                                                          "references.md"), 1)]
        licences = (self.course.root / "datasets" / "README.md").read_text(encoding="utf-8")
        try:
            licence_text = links.section(licences, "## Licences").split("\n", 1)[1]
            parts += ["## Datasets", self._rewrite(licence_text.strip(), "datasets/README.md", "references.md")]
        except ValueError:
            pass  # the data cards carry the sources too
        self._write("references.md", "\n\n".join(parts) + "\n")

    def landing(self) -> None:
        readme = self._readme()
        start = readme.index("## Quick start") if "## Quick start" in readme else None
        if start is None:
            raise ValueError("README.md has no '## Quick start' section; the landing page shows it")
        intro = readme[:start].strip()
        quick = links.section(readme, "## Quick start")
        quick = re.sub(r"^## Quick start", "## Start in two commands", quick, count=1, flags=re.MULTILINE)
        lesson_rows = []
        for chapter in self.course.chapters:
            practice = [u for u in self.course.assignments
                        if re.search(rf"exercises/{re.escape(u)}/", chapter.read_text(encoding="utf-8"))]
            practice_links = ", ".join(f"[{u}](<assignments/{u}.md>)" for u in practice) or "--"
            lesson_rows.append(f"| [{chapter_title(chapter)}](<chapters/{chapter.name}>) | {practice_links} |")
        assignment_rows = [f"| [{self._assignment_title(u, p)}](<assignments/{u}.md>) | "
                           f"[download `{p.name}`](<assignments/{u}.md#get-the-notebook>) |"
                           for u, p in self.course.assignments.items()]
        dataset_rows = [f"| [{title_of(c.read_text(encoding='utf-8'))}](<datasets/{n}.md>) |"
                        for n, c in self.course.datasets.items()]
        parts = [
            self._rewrite(intro, "README.md", "index.md"),
            "## Read it here or run it yourself",
            "Every lesson is on this site with its outputs and plots, as the notebooks were committed; the "
            "knowledge checks reveal their answers with a click. To run the code, change it and do the graded "
            "assignments, install the course on your machine (below) and open it in JupyterLab.",
            self._rewrite(quick, "README.md", "index.md"),
            "## Lessons\n\n| Lesson | Practice |\n| --- | --- |\n" + "\n".join(lesson_rows),
            "## Assignments\n\n| Assignment | Notebook |\n| --- | --- |\n" + "\n".join(assignment_rows),
            "## Datasets\n\n| Data card |\n| --- |\n" + "\n".join(dataset_rows),
            "## For instructors\n\nThe [instructor guide](<instructor.md>) covers releasing, collecting, "
            "grading and reporting; the [slide-to-section map](<slide-map.md>) shows where each point of the "
            "lesson slides is taught; the [references](<references.md>) collect every lesson's sources.",
            self._toctree("Lessons", [f"chapters/{p.stem}" for p in self.course.chapters]),
            self._toctree("Assignments", [f"assignments/{u}" for u in self.course.assignments]),
            self._toctree("Datasets", ["datasets/index"] + [f"datasets/{n}" for n in self.course.datasets]),
            self._toctree("Guides", ["instructor", "slide-map", "references"]),
        ]
        self._write("index.md", "\n\n".join(parts) + "\n")

    def _assignment_title(self, unit: str, release: Path) -> str:
        notebook = nbformat.read(release, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "markdown" and re.match(r"#\s*Assignment", cell.source):
                return title_of(cell.source)
        return unit

    @staticmethod
    def _toctree(caption: str, documents: list[str]) -> str:
        return "```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(documents) + "\n```"

    def manifest(self) -> dict:
        """What was staged, for the build's checks and the tests."""
        return {"chapters": [p.name for p in self.course.chapters], "assignments": list(self.course.assignments),
                "datasets": list(self.course.datasets), "knowledge_checks": self.check_ids,
                "unresolved_links": self.unresolved}


def write_manifest(stager: Stager, path: Path) -> None:
    path.write_text(json.dumps(stager.manifest(), indent=2) + "\n", encoding="utf-8")
