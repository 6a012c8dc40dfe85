"""Where the data files are, and how they are checked before anything reads them.

Every data file is listed in ``datasets/SHA256SUMS``. A loader refuses a file that is missing or whose
checksum differs, because a silently changed file would make every number in the course wrong without
anyone noticing -- the same kind of data incident the course teaches learners to catch.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlops_course.paths import datasets_dir

SUMS_FILE = "SHA256SUMS"

_LOANS_COMMAND = "python -m mlops_course.data loans --out datasets/loans"

#: Each data file (relative to ``datasets/``) and the command that rebuilds it.
DATA_FILES = {
    "adult/adult.csv.gz": "python datasets/scripts/build_adult.py",
    "flights/flights.csv.gz": "python datasets/scripts/build_flights.py",
    "loans/loans.csv": _LOANS_COMMAND,
    "loans/manifest.json": _LOANS_COMMAND,
}


class DatasetError(RuntimeError):
    """A course data file cannot be used; the message says what is wrong and how to fix it."""


class DatasetMissingError(DatasetError, FileNotFoundError):
    """A course data file (or the checksum list) does not exist."""


class ChecksumMismatchError(DatasetError, ValueError):
    """A course data file differs from the version the course was written for."""


def resolve_root(root: str | Path | None) -> Path:
    """Return the datasets folder: ``root`` if given, else the course's ``datasets/``."""
    return Path(root) if root is not None else datasets_dir()


def sha256_file(path: Path) -> str:
    """Return the hexadecimal SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _how_to_fix(relative: str) -> str:
    command = DATA_FILES.get(relative, "the build command on the dataset's CARD.md")
    return (
        f"Restore the committed file with `git checkout -- datasets/{relative}` "
        f"or rebuild it with `{command}` (run from the course folder)."
    )


def read_sums(root: str | Path | None = None) -> dict[str, str]:
    """Return ``{relative path: expected sha256}`` from ``SHA256SUMS`` in the datasets folder."""
    sums_path = resolve_root(root) / SUMS_FILE
    if not sums_path.is_file():
        raise DatasetMissingError(
            f"The checksum list {sums_path} is missing, so no dataset can be verified. "
            "Restore it with `git checkout -- datasets/SHA256SUMS`."
        )
    sums = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def checked_path(relative: str, root: str | Path | None = None) -> Path:
    """Return the path of a data file after making sure it exists and matches ``SHA256SUMS``.

    Raises ``DatasetMissingError`` or ``ChecksumMismatchError`` with a message that says how to fix it.
    """
    base = resolve_root(root)
    path = base / relative
    if not path.is_file():
        raise DatasetMissingError(f"The data file {path} is missing. {_how_to_fix(relative)}")
    expected = read_sums(base).get(relative)
    if expected is None:
        raise DatasetMissingError(
            f"{relative} is not listed in {base / SUMS_FILE}. "
            "Refresh the list with `python -m mlops_course.data checksums --write`."
        )
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumMismatchError(
            f"The data file {path} has changed: its sha256 is {actual}, but {SUMS_FILE} expects {expected}. "
            f"Results computed from it would not match the course. {_how_to_fix(relative)}"
        )
    return path
