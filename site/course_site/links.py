"""Map repository paths in Markdown links to the pages that show them on the site.

The course's documents link to each other by repository path (``../exercises/drift/drift.ipynb``,
``loans/CARD.md``). On the site those files are pages at other places, and a solution notebook must never
be a link target, so every local link is rewritten to the page that presents the file. A local link to a
file the site does not show keeps its text and loses the link, and is reported back to the caller.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

# [text](target) or [text](target "title"); images (![alt](src)) are handled by the caller's image hook.
_LINK = re.compile(r'(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target><[^>\n]*>|[^)\s]+)(?P<title>\s+"[^"\n]*")?\)')
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#")


def site_document(repo_path: str, chapters: set[str], assignments: set[str], datasets: set[str]) -> str | None:
    """The staged source file (relative to the site's source folder) that presents ``repo_path``.

    ``repo_path`` is a normalised path relative to the repository root, with a trailing slash for folders.
    Returns None when the site has no page for it.
    """
    path = repo_path.rstrip("/")
    parts = path.split("/")
    if path in ("README.md", ""):
        return "index.md"
    if path == "chapters/README.md":
        return "slide-map.md"
    if parts[0] == "chapters" and len(parts) == 2 and parts[1] in chapters:
        return path
    if parts[0] in ("exercises", "solutions") and len(parts) >= 2 and parts[1] in assignments:
        return f"assignments/{parts[1]}.md"
    if path in ("datasets", "datasets/README.md"):
        return "datasets/index.md"
    if parts[0] == "datasets" and len(parts) >= 2 and parts[1] in datasets:
        return f"datasets/{parts[1]}.md"
    return None


def rewrite_links(markdown: str, source: str, staged: str, resolve: Callable[[str], str | None],
                  image: Callable[[str], str | None] | None = None,
                  unresolved: list[str] | None = None) -> str:
    """Rewrite the local links of ``markdown``, a document at repository path ``source`` that the site
    shows at staged path ``staged``.

    ``resolve(repo_path)`` gives the staged page of a repository path (or None); ``image(repo_path)`` copies
    a local image into the staging folder and gives its staged path. Unresolved targets are appended to
    ``unresolved``.
    """

    def replace(match: re.Match) -> str:
        target = match["target"].strip("<>")
        if _EXTERNAL.match(target):
            return match[0]
        path, _, fragment = target.partition("#")
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if path.endswith("/"):
            repo_path += "/"
        new = image(repo_path) if match["bang"] and image else resolve(repo_path)
        if new is None:
            if unresolved is not None:
                unresolved.append(target)
            return match["text"] if not match["bang"] else ""
        relative = posixpath.relpath(new, posixpath.dirname(staged) or ".")
        if fragment and not match["bang"]:
            relative += "#" + fragment
        return f'{match["bang"]}[{match["text"]}](<{relative}>{match["title"] or ""})'

    return _LINK.sub(replace, markdown)


def demote_headings(markdown: str, levels: int) -> str:
    """Move every ATX heading ``levels`` deeper (a README section becomes a page of its own, or a page a
    section of a larger one), outside fenced code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,6} ", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * max(1, min(6, hashes + levels)) + line[hashes:]
        out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


def section(markdown: str, heading: str) -> str:
    """The Markdown section that starts with the heading ``heading`` (for example ``## Instructor guide``)
    and runs to the next heading of the same or a higher level; ValueError if it is missing."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = markdown.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        raise ValueError(f"no section {heading!r} found; the site builder reads it from this file") from None
    end, fenced = len(lines), False
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("```"):
            fenced = not fenced
        match = re.match(r"(#{1,6}) ", lines[i])
        if not fenced and match and len(match[1]) <= level:
            end = i
            break
    return "\n".join(lines[start:end]).strip() + "\n"
