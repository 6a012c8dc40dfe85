"""Month labels: ``YYYY-MM``, the way the data cards, the manifests and the assignments name months."""

from __future__ import annotations

import pandas as pd


def month_labels(dates: pd.Series) -> pd.Series:
    """The ``YYYY-MM`` label of each date of a datetime column (missing dates stay missing), same index.

    The same labels as ``dates.dt.strftime("%Y-%m")``, formatted once per distinct date rather than once per
    row: a loan stream of 30,000 rows has about 15 distinct dates, and formatting every row cost a quarter
    of a second each time -- in every kernel, test and grading run that loads the data.
    """
    distinct = dates.drop_duplicates()
    return dates.map(dict(zip(distinct, distinct.dt.strftime("%Y-%m"))))
