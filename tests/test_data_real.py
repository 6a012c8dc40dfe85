"""The real datasets: row counts, schema and the facts their data cards state."""

from __future__ import annotations

import pandas as pd
import pytest

from mlops_course.data import load_adult, load_flights


@pytest.fixture(scope="module")
def flights() -> pd.DataFrame:
    return load_flights()


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load_adult()


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in frame.dtypes.items()}


def test_flights_schema(flights):
    assert _dtypes(flights) == {
        "date": "datetime64[ns]", "month": "int64", "hour": "int64", "carrier": "category",
        "origin": "category", "dest": "category", "distance": "int64", "air_time": "float64",
        "dep_delay": "float64", "arr_delay": "float64", "cancelled": "bool", "temp": "float64",
        "wind_speed": "float64", "precip": "float64", "visib": "float64",
    }  # fmt: skip


def test_flights_rows_per_month(flights):
    assert len(flights) == 30_000
    assert flights.groupby("month").size().eq(2_500).all()
    assert (flights["date"].dt.year == 2013).all()
    assert (flights["date"].dt.month == flights["month"]).all()
    assert set(flights["origin"]) == {"EWR", "JFK", "LGA"}
    assert flights["date"].is_monotonic_increasing


def test_flights_missing_values_follow_cancellations(flights):
    assert flights.loc[flights["cancelled"], ["dep_delay", "arr_delay", "air_time"]].isna().all().all()
    assert flights.loc[~flights["cancelled"], "dep_delay"].notna().all()
    assert flights["cancelled"].sum() == 754
    assert flights["temp"].isna().sum() == 154


def test_flights_show_seasonal_drift(flights):
    monthly = flights.groupby("month")[["temp", "dep_delay"]].mean()
    assert monthly.loc[7, "temp"] - monthly.loc[1, "temp"] > 30, "July is much warmer than January"
    assert monthly.loc[7, "dep_delay"] > 2 * monthly.loc[11, "dep_delay"], "summer delays exceed autumn's"


def test_adult_schema(adult):
    categories = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex"]
    expected = {column: "category" for column in categories + ["native_country", "split"]}
    expected |= {c: "int64" for c in ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]}
    expected["income_over_50k"] = "int64"
    assert _dtypes(adult) == expected
    assert adult["education"].cat.ordered and adult["education"].cat.categories[-1] == "Doctorate"


def test_adult_row_counts_match_the_uci_documentation(adult):
    assert len(adult) == 48_842
    assert adult["split"].value_counts().to_dict() == {"train": 32_561, "test": 16_281}
    complete = adult.dropna()["split"].value_counts().to_dict()
    assert complete == {"train": 30_162, "test": 15_060}, "adult.names: 45,222 rows without unknowns"


def test_adult_is_cleaned(adult):
    text = adult.select_dtypes("category")
    for column in text.columns:
        values = [str(v) for v in text[column].cat.categories]
        assert "?" not in values and all(v == v.strip() for v in values), column
    assert set(adult["income_over_50k"]) == {0, 1}
    assert adult["income_over_50k"].mean() == pytest.approx(0.2393, abs=5e-5), "adult.names: 23.93% >50K"
    assert set(adult["sex"]) == {"Female", "Male"}
    assert adult[["workclass", "occupation", "native_country"]].isna().sum().tolist() == [2_799, 2_809, 857]
