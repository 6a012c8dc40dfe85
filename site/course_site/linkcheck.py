"""Every internal link and image of a built site resolves, and no page loads anything from the internet.

A link resolves when its file exists (a folder stands for its index.html) and, with a fragment, the target
page has an element with that id. Links to other sites are fine to follow, but a page that *loads* a
script, style sheet, image or frame from elsewhere would not work offline.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

# (tag, attribute, is the target loaded by the page rather than followed by the reader)
REFERENCES = [("a", "href", False), ("img", "src", True), ("link", "href", True), ("script", "src", True),
              ("source", "src", True), ("iframe", "src", True), ("video", "src", True), ("audio", "src", True)]


@lru_cache(maxsize=None)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    soup = _soup(path)
    return frozenset(tag.get("id") for tag in soup.find_all(id=True)) | frozenset(
        tag.get("name") for tag in soup.find_all("a", attrs={"name": True}))


def references(page: Path) -> list[tuple[str, str, bool]]:
    """(tag, target, loaded) for every link and embedded resource of an HTML page."""
    found = []
    for tag_name, attribute, loaded in REFERENCES:
        for tag in _soup(page).find_all(tag_name):
            target = tag.get(attribute)
            if target:
                is_loaded = loaded and not (tag_name == "link" and "stylesheet" not in (tag.get("rel") or [])
                                            and tag.get("as") is None)
                found.append((tag_name, target, is_loaded))
    return found


def problems(site: Path) -> list[str]:
    """A sentence for every link or image of ``site`` that does not resolve, and every external load."""
    _soup.cache_clear()
    _ids.cache_clear()
    found = []
    # _static/ holds the theme's assets, among them HTML template fragments that are not pages.
    for page in sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static"):
        name = page.relative_to(site).as_posix()
        for tag, target, loaded in references(page):
            parts = urlsplit(target)
            if parts.scheme in ("mailto", "javascript", "data", "tel"):
                continue
            if parts.scheme or parts.netloc:
                if loaded:
                    found.append(f"{name}: <{tag}> loads {target} from the internet; the site must work offline")
                continue
            path = unquote(parts.path)
            if path.startswith("/"):
                found.append(f"{name}: <{tag}> {target} is absolute; it breaks when the site is not at the "
                             "root of its host")
                continue
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.is_relative_to(site.resolve()):
                found.append(f"{name}: <{tag}> {target} leaves the site folder; only the site is published")
                continue
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file():
                found.append(f"{name}: <{tag}> {target} points to a missing file "
                             f"{posixpath.normpath(posixpath.join(posixpath.dirname(name), path))}")
                continue
            if tag == "img" and resolved.stat().st_size == 0:
                found.append(f"{name}: image {target} is empty")
            if parts.fragment and resolved.suffix == ".html" and unquote(parts.fragment) not in _ids(resolved):
                found.append(f"{name}: <{tag}> {target}: no element with id {parts.fragment!r} in that page")
    return found
