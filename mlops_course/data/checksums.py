"""Check (or refresh) the course data files against ``datasets/SHA256SUMS``.

``verify_checksums()`` is what the course's ``doctor`` command reports. After regenerating a dataset on
purpose, refresh the list and commit it with the data::

    python -m mlops_course.data checksums --write
"""

from __future__ import annotations

from pathlib import Path

from mlops_course.data._files import (
    DATA_FILES,
    SUMS_FILE,
    DatasetError,
    checked_path,
    read_sums,
    resolve_root,
    sha256_file,
)


def verify_checksums(root: str | Path | None = None) -> list[tuple[str, bool, str]]:
    """Check every data file; return one ``(path relative to datasets/, ok, message)`` per file.

    Never raises for a bad file: a missing checksum list, a missing file and a changed file are all
    reported as ``ok=False`` with a message that says how to fix it.
    """
    try:
        listed = read_sums(root)
    except DatasetError as error:
        return [(SUMS_FILE, False, str(error))]
    results = []
    for relative in sorted(set(listed) | set(DATA_FILES)):
        try:
            checked_path(relative, root)
        except DatasetError as error:
            results.append((relative, False, str(error)))
        else:
            results.append((relative, True, "checksum OK"))
    return results


def write_sha256sums(root: str | Path | None = None) -> Path:
    """Write ``SHA256SUMS`` for every data file (``sha256sum`` format, sorted paths, ``\\n`` line ends)."""
    base = resolve_root(root)
    lines = [f"{sha256_file(base / relative)}  {relative}\n" for relative in sorted(DATA_FILES)]
    sums_path = base / SUMS_FILE
    sums_path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return sums_path
