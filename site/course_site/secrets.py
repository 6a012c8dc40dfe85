"""The texts that must never reach the site, and a scan of a built site for them.

The texts come from the nbgrader source notebooks in solutions/: everything between ``BEGIN SOLUTION`` and
``END SOLUTION`` and between ``BEGIN HIDDEN TESTS`` and ``END HIDDEN TESTS``, and the whole text of
solution cells without markers (model answers). A line that the release notebook in exercises/ also holds
(a function's signature and docstring around its solution block) is not a secret, nor is an import or a very
short line (``else:``, ``return x``): they say nothing about the answer. Every other line is one, wherever
it turns up: in a chapter or a data card as much as on an assignment's page.

Matching ignores white space and Markdown emphasis marks, because a rendered page splits code into
highlighted tokens and turns ``**Model answer.**`` into bold text.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup

MIN_LENGTH = 16  # characters after normalising: shorter lines are too generic to identify a solution
_BLOCK = re.compile(r"#+\s*BEGIN (SOLUTION|HIDDEN TESTS)\b(.*?)#+\s*END \1\b", re.S)
_MARKER = re.compile(r"#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)")


def normalise(text: str) -> str:
    return re.sub(r"[\s*_`#\\]+", "", text)


@dataclass(frozen=True)
class Secret:
    notebook: str  # repository path of the solution notebook
    text: str  # the line as written there
    key: str  # normalised form that is searched for


def secret_blocks(cell_source: str, is_solution_cell: bool) -> list[str]:
    """The secret parts of one cell: the marked blocks, or the whole text of an unmarked solution cell."""
    blocks = [match[2] for match in _BLOCK.finditer(cell_source)]
    if not blocks and is_solution_cell:
        blocks = [cell_source]
    return blocks


_IMPORT = re.compile(r"^\s*(import \w|from [\w.]+ import )")


def _public_text(root: Path) -> str:
    """What the release notebooks give every learner, normalised line by line."""
    parts = []
    for notebook in sorted(root.glob("exercises/*/*.ipynb")):
        parts += [cell.source for cell in nbformat.read(notebook, as_version=4).cells]
    return "\n".join(normalise(line) for part in parts for line in part.splitlines())


def forbidden_texts(root: Path) -> list[Secret]:
    """Every line of a solution or hidden test in solutions/ that the site must not contain."""
    public = _public_text(root)
    secrets: dict[str, Secret] = {}
    for notebook in sorted(root.glob("solutions/*/*.ipynb")):
        name = str(notebook.relative_to(root))
        for cell in nbformat.read(notebook, as_version=4).cells:
            is_solution = bool(cell.metadata.get("nbgrader", {}).get("solution"))
            for block in secret_blocks(cell.source, is_solution):
                for line in block.splitlines():
                    key = normalise(line)
                    if (len(key) >= MIN_LENGTH and not _MARKER.search(line) and not _IMPORT.match(line)
                            and key not in public):
                        secrets.setdefault(key, Secret(name, line.strip(), key))
    return list(secrets.values())


def page_text(path: Path) -> str:
    """The text a reader or a download of ``path`` gets, normalised."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        soup = BeautifulSoup(raw, "html.parser")
        # Attribute values (data-*, title, alt) and the visible text, both.
        attributes = " ".join(str(v) for tag in soup.find_all(True) for v in tag.attrs.values())
        return normalise(soup.get_text("") + attributes) + normalise(html.unescape(raw))
    if path.suffix == ".ipynb":
        notebook = json.loads(raw)
        return normalise(json.dumps(notebook, ensure_ascii=False)) + normalise(
            "\n".join("".join(c.get("source", "")) for c in notebook.get("cells", [])))
    return normalise(raw)


TEXT_SUFFIXES = {".html", ".js", ".json", ".txt", ".ipynb", ".md", ".css", ".py", ".csv", ".xml", ".svg"}


def scan(site: Path, secrets: list[Secret]) -> list[tuple[str, Secret]]:
    """(file, secret) for every secret found in a text file of the built site."""
    hits = []
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        text = page_text(path)
        hits += [(str(path.relative_to(site)), secret) for secret in secrets if secret.key in text]
    return hits
