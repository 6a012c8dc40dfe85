"""Loaders for the course datasets: checksummed, typed, cached.

Each loader checks the file against ``datasets/SHA256SUMS`` first and raises a ``DatasetError`` that
says what is wrong and how to fix it. The parsed frame is cached per file version, and every call returns
a fresh copy, so a notebook that modifies its frame never changes what the next cell loads.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

import mlops_course.data.loans as spec
from mlops_course.data._files import DatasetError, checked_path

_LOANS_CATEGORIES = {
    "age_band": pd.CategoricalDtype(spec.AGE_BANDS, ordered=True),
    "sex": pd.CategoricalDtype(spec.SEXES),
    "region": pd.CategoricalDtype(spec.REGIONS),
    "employment_type": pd.CategoricalDtype(spec.EMPLOYMENT_TYPES),
    "loan_purpose": pd.CategoricalDtype(spec.LOAN_PURPOSES),
    "channel": pd.CategoricalDtype(spec.CHANNELS),
}
_LOANS_NUMBERS = {
    "age": "int64", "income": "int64", "loan_amount": "int64", "term_months": "int64",
    "debt_to_income": "float64", "credit_history_years": "float64", "existing_loans": "int64", "default": "int64",
    "true_default": "int64",
}  # fmt: skip

_FLIGHTS_CATEGORIES = ("carrier", "origin", "dest")
_FLIGHTS_NUMBERS = {
    "month": "int64", "hour": "int64", "distance": "int64", "air_time": "float64", "dep_delay": "float64",
    "arr_delay": "float64", "cancelled": "bool", "temp": "float64", "wind_speed": "float64",
    "precip": "float64", "visib": "float64",
}  # fmt: skip

_ADULT_CATEGORIES = (
    "workclass", "marital_status", "occupation", "relationship", "race", "sex", "native_country", "split",
)  # fmt: skip
_ADULT_NUMBERS = {
    "age": "int64", "education_num": "int64", "capital_gain": "int64", "capital_loss": "int64",
    "hours_per_week": "int64", "income_over_50k": "int64",
}  # fmt: skip


def _to_categories(frame: pd.DataFrame, dtypes: dict[str, pd.CategoricalDtype], source: Path) -> pd.DataFrame:
    """Convert columns to fixed categories, refusing values outside them (they would silently become NaN)."""
    for column, dtype in dtypes.items():
        unknown = set(frame[column].dropna()) - set(dtype.categories)
        if unknown:
            raise DatasetError(
                f"{source}: column {column!r} has unexpected values {sorted(unknown)}; the file does not "
                "follow the course's schema. Restore or rebuild it as its data card says."
            )
        frame[column] = frame[column].astype(dtype)
    return frame


def read_loans_csv(path: str | Path) -> pd.DataFrame:
    """Parse a loans CSV into typed columns without checking its checksum (the generator uses this too)."""
    path = Path(path)
    frame = pd.read_csv(path, dtype={"application_id": "string"}, keep_default_na=False, na_values=[""])
    frame = frame.astype(_LOANS_NUMBERS)
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m")
    return _to_categories(frame, _LOANS_CATEGORIES, path)


@functools.lru_cache(maxsize=8)
def _cached(reader, path: Path, _version: tuple[int, int]) -> pd.DataFrame:
    """Parse ``path`` once per file version (size and modification time)."""
    return reader(path)


def _load(relative: str, reader, root: str | Path | None) -> pd.DataFrame:
    path = checked_path(relative, root).resolve()
    stat = path.stat()
    return _cached(reader, path, (stat.st_size, stat.st_mtime_ns)).copy()


def load_loans(root: str | Path | None = None) -> pd.DataFrame:
    """Return the synthetic loan applications, one row per application (see ``datasets/loans/CARD.md``).

    ``month`` is the first day of the application month (datetime64), categorical columns are
    ``category`` with every category of the whole period (``channel`` includes ``partner_api`` even in
    months without it). ``default`` is the outcome the lender recorded (1 = defaulted), which carries a
    recording bias against women; ``true_default`` is what really happened, known only because the data are
    synthetic. A real lender learns an outcome months later, and only for approved applications: see
    ``mlops_course.data.outcomes``. ``root`` overrides the datasets folder.
    """
    return _load("loans/loans.csv", read_loans_csv, root)


def load_loans_manifest(root: str | Path | None = None) -> dict:
    """Return the ground-truth manifest of the loan data: every injected event, its months and strength."""
    path = checked_path("loans/manifest.json", root)
    return json.loads(path.read_text(encoding="utf-8"))


def _read_flights(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame = frame.astype(_FLIGHTS_NUMBERS)
    for column in _FLIGHTS_CATEGORIES:
        frame[column] = frame[column].astype("category")
    return frame


def load_flights(root: str | Path | None = None) -> pd.DataFrame:
    """Return the sample of 2013 New York City departures with delays and weather (``datasets/flights``)."""
    return _load("flights/flights.csv.gz", _read_flights, root)


def _read_adult(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    frame = frame.astype(_ADULT_NUMBERS)
    order = frame.drop_duplicates("education").sort_values("education_num")["education"]
    frame["education"] = frame["education"].astype(pd.CategoricalDtype(order, ordered=True))
    for column in _ADULT_CATEGORIES:
        frame[column] = frame[column].astype("category")
    return frame


def load_adult(root: str | Path | None = None) -> pd.DataFrame:
    """Return UCI Adult (1994 US census extract), cleaned, with ``income_over_50k`` as 0/1."""
    return _load("adult/adult.csv.gz", _read_adult, root)
