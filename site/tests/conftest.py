"""Fixtures of the website tests: the site built once per test session, from the repository as it is."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SITE_DIR = Path(__file__).resolve().parents[1]
ROOT = SITE_DIR.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The builder is not part of the installable course package (learners never need it); its folder and the
# fixtures' bank of knowledge checks are importable for these tests only.
for folder in (SITE_DIR, FIXTURES):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from course_site import build  # noqa: E402  (needs the path above)


@pytest.fixture(scope="session")
def built_site():
    """The result of building the course's site into build/site/, as `make site` does."""
    result = build.build(ROOT, ROOT / "build" / "site")
    assert result.out.joinpath("index.html").is_file(), "the build wrote no landing page"
    return result


@pytest.fixture(scope="session")
def site_dir(built_site) -> Path:
    return built_site.out
