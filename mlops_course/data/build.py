"""Write the synthetic loan data and its ground-truth manifest (``python -m mlops_course.data loans``).

The manifest is measured on the CSV as read back from disk, so its figures are exactly what a learner who
loads the committed file will compute.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mlops_course.data._loans_manifest import build_manifest
from mlops_course.data.loaders import read_loans_csv
from mlops_course.data.loans import SEED, generate_loans


def write_loans_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write the applications deterministically: fixed column order, ``\\n`` line ends, empty = missing."""
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def write_loans(out_dir: str | Path, seed: int = SEED) -> tuple[Path, Path]:
    """Generate ``loans.csv`` and its ground-truth ``manifest.json`` into ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, manifest_path = out / "loans.csv", out / "manifest.json"
    write_loans_csv(generate_loans(seed), csv_path)
    manifest = build_manifest(read_loans_csv(csv_path), seed)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8", newline="\n")
    return csv_path, manifest_path
