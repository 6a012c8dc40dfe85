"""Where the course's folders are.

The package is installed in editable mode from a clone of the course (``pip install -e .``), so the
course root is the folder above the package. ``MLOPS_COURSE_ROOT`` overrides it, for example when the
package is installed from a wheel and the datasets live elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    """Return the course's root folder (the one holding ``datasets/`` and ``solutions/``)."""
    override = os.environ.get("MLOPS_COURSE_ROOT")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


def datasets_dir() -> Path:
    """Return the folder that holds the course datasets."""
    return course_root() / "datasets"


def grader_dir() -> Path:
    """Return the folder with the nbgrader configuration."""
    return course_root() / "grader"
